/* Movement → target BPM, and the glide; see bpm-glide.h. */
#include <math.h>

#include "decks/bpm-glide.h"

double foh_bpm_for_movement(double m)
{
	if (!isfinite(m) || m < 0.0)
		m = 0.0;
	if (m < 0.02)
		return 105.0;
	if (m < 0.05)
		return 110.0;
	if (m < 0.10)
		return 115.0;
	return 118.0 + 12.0 * fmin((m - 0.10) / (0.6 - 0.10), 1.0);
}

void foh_bpm_glide_init(struct foh_bpm_glide *g, double glide_sec)
{
	g->current = g->target = FOH_BPM_BASE;
	g->glide_sec = glide_sec > 0.0 ? glide_sec : 0.0;
	g->slope = 0.0;
	g->last = 0.0;
	g->timed = false;
}

static void plan(struct foh_bpm_glide *g)
{
	double dist = fabs(g->target - g->current);

	g->slope = g->glide_sec > 0.0 ? dist / g->glide_sec : INFINITY;
}

void foh_bpm_glide_set_target(struct foh_bpm_glide *g, double bpm, double now)
{
	(void)foh_bpm_glide_update(g, now);
	if (bpm < FOH_BPM_MIN)
		bpm = FOH_BPM_MIN;
	if (bpm > FOH_BPM_MAX)
		bpm = FOH_BPM_MAX;
	if (bpm == g->target)
		return;
	g->target = bpm;
	plan(g);
}

void foh_bpm_glide_jump(struct foh_bpm_glide *g, double bpm, double now)
{
	(void)foh_bpm_glide_update(g, now);
	if (bpm < FOH_BPM_MIN)
		bpm = FOH_BPM_MIN;
	if (bpm > FOH_BPM_MAX)
		bpm = FOH_BPM_MAX;
	g->current = bpm;
	plan(g);
}

void foh_bpm_glide_set_time(struct foh_bpm_glide *g, double glide_sec)
{
	g->glide_sec = glide_sec > 0.0 ? glide_sec : 0.0;
	plan(g);
}

double foh_bpm_glide_update(struct foh_bpm_glide *g, double now)
{
	double dt = g->timed ? now - g->last : 0.0, step;

	g->last = now;
	g->timed = true;
	if (dt <= 0.0 || g->current == g->target)
		return g->current;
	step = g->slope * dt;
	if (fabs(g->target - g->current) <= step)
		g->current = g->target;
	else
		g->current += g->target > g->current ? step : -step;
	return g->current;
}
