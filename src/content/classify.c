/* The content classifier and its hysteresis; see classify.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "content/classify.h"

#define SILENCE_TICKS	3u
#define CLASS_TICKS	2u
#define STYLE_TICKS	4u
#define STYLE_TAU_S	4.0
#define MIN_SECONDS	0.45f

static const char *const class_names[] = { "silence", "speech", "music", "unknown" };

const char *foh_content_class_name(enum foh_content_class c)
{
	return (unsigned)c <= FOH_CONTENT_UNKNOWN ? class_names[c] : "unknown";
}

int foh_content_class_from_name(const char *name)
{
	for (int i = 0; i < FOH_CONTENT_UNKNOWN; i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}

static double distance(const struct foh_content_model *m, const double v[FOH_CF_N],
		const struct foh_content_centroid *c)
{
	double d = 0.0;

	for (int i = 0; i < FOH_CF_N; i++) {
		double z = (v[i] - c->v[i]) / m->std[i];
		d += z * z;
	}
	return sqrt(d);
}

static double margin(double best, double other)
{
	if (!isfinite(other))
		return 1.0;
	return other + best > 0.0 ? (other - best) / (other + best) : 0.0;
}

/* The style: the nearest music centroid — unless it has a margin m and is
 * not clearly nearer, d > (1 - m) * d(next style): then the next one. */
static void pick_style(const struct foh_content_model *m, const double *d,
		struct foh_content_guess *g)
{
	int s1 = -1, s2 = -1;

	for (uint32_t i = 0; i < m->n; i++) {
		if (m->c[i].cls != FOH_CONTENT_MUSIC)
			continue;
		if (s1 < 0 || d[i] < d[s1]) {
			s2 = s1;
			s1 = (int)i;
		} else if (s2 < 0 || d[i] < d[s2]) {
			s2 = (int)i;
		}
	}
	if (s1 < 0)
		return;
	if (s2 >= 0 && m->c[s1].margin > 0.0 && d[s1] > (1.0 - m->c[s1].margin) * d[s2]) {
		g->style = s2;
		g->style_confidence = 0.0;	/* a close call */
		return;
	}
	g->style = s1;
	g->style_confidence = margin(d[s1], s2 >= 0 ? d[s2] : INFINITY);
}

void foh_content_guess(const struct foh_content_model *m, const double v[FOH_CF_N],
		struct foh_content_guess *g)
{
	double d[FOH_CONTENT_CENTROIDS_MAX], best = INFINITY, other = INFINITY;

	g->cls = FOH_CONTENT_UNKNOWN;
	g->centroid = g->style = -1;
	g->class_confidence = g->style_confidence = 0.0;
	for (uint32_t i = 0; i < m->n; i++) {
		d[i] = distance(m, v, &m->c[i]);
		if (d[i] < best) {
			best = d[i];
			g->centroid = (int)i;
		}
	}
	if (g->centroid < 0)
		return;
	g->cls = m->c[g->centroid].cls;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->c[i].cls != g->cls && d[i] < other)
			other = d[i];
	g->class_confidence = margin(best, other);
	pick_style(m, d, g);
}

int foh_content_model_find(const struct foh_content_model *m, const char *name)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (strcmp(m->c[i].name, name) == 0)
			return (int)i;
	return -1;
}

int foh_content_model_set(struct foh_content_model *m, const char *name,
		enum foh_content_class cls, const double v[FOH_CF_N], uint32_t windows)
{
	int i = foh_content_model_find(m, name);
	struct foh_content_centroid *c;
	double keep = i >= 0 ? m->c[i].margin : 0.0;	/* learning again keeps it */

	if (strlen(name) == 0 || strlen(name) > FOH_CONTENT_NAME_MAX)
		return -EINVAL;
	if (cls != FOH_CONTENT_SPEECH && cls != FOH_CONTENT_MUSIC)
		return -EINVAL;
	if (i < 0) {
		if (m->n >= FOH_CONTENT_CENTROIDS_MAX)
			return -ENOSPC;
		i = (int)m->n++;
	}
	c = &m->c[i];
	memset(c, 0, sizeof(*c));
	c->margin = keep;
	strcpy(c->name, name);
	c->cls = cls;
	memcpy(c->v, v, sizeof(c->v));
	c->windows = windows;
	return 0;
}

void foh_content_state_init(struct foh_content_state *s, double silence_db)
{
	memset(s, 0, sizeof(*s));
	s->silence_db = silence_db;
	s->cls = s->pending = FOH_CONTENT_UNKNOWN;
	s->style = s->style_pending = -1;
}

static void update_style(struct foh_content_state *s, const struct foh_content_model *m,
		const double v[FOH_CF_N], bool *changed)
{
	double a = 1.0 - exp(-FOH_CONTENT_TICK_S / STYLE_TAU_S);
	struct foh_content_guess g;

	if (!s->style_mean_valid) {
		memcpy(s->style_mean, v, sizeof(s->style_mean));
		s->style_mean_valid = true;
	} else {
		for (int i = 0; i < FOH_CF_N; i++)
			s->style_mean[i] += a * (v[i] - s->style_mean[i]);
	}
	foh_content_guess(m, s->style_mean, &g);
	if (g.style < 0)
		return;
	if (s->style < 0) {
		/* the first style is taken at once; later ones must hold */
		s->style = g.style;
		*changed = true;
	} else if (g.style != s->style) {
		if (g.style == s->style_pending)
			s->style_pending_ticks++;
		else
			s->style_pending_ticks = 1;
		s->style_pending = g.style;
		if (s->style_pending_ticks >= STYLE_TICKS) {
			s->style = g.style;
			s->style_pending_ticks = 0;
			*changed = true;
		}
	} else {
		s->style_pending_ticks = 0;
	}
	s->confidence = g.style_confidence;
}

static void set_class(struct foh_content_state *s, enum foh_content_class c, bool *changed)
{
	if (s->cls == c)
		return;
	s->cls = c;
	s->pending_ticks = 0;
	if (c != FOH_CONTENT_UNKNOWN)
		s->after_silence = false;
	if (c != FOH_CONTENT_MUSIC) {
		s->style = s->style_pending = -1;
		s->style_mean_valid = false;
	}
	*changed = true;
}

bool foh_content_update(struct foh_content_state *s, const struct foh_content_model *m,
		const struct foh_cf_vector *v)
{
	struct foh_content_guess g;
	double x[FOH_CF_N];
	bool changed = false;

	if (v == NULL)
		return false;
	/* silence is the level alone: the last 0.5 s under the gate */
	if (v->level_db < s->silence_db) {
		if (++s->silent_ticks >= SILENCE_TICKS || s->cls == FOH_CONTENT_UNKNOWN) {
			set_class(s, FOH_CONTENT_SILENCE, &changed);
			s->confidence = 1.0;
		}
		return changed;
	}
	s->silent_ticks = 0;
	/* a signal over the gate is no silence, at once: unknown until a
	 * window can be judged, then that window's class without waiting */
	if (s->cls == FOH_CONTENT_SILENCE) {
		set_class(s, FOH_CONTENT_UNKNOWN, &changed);
		s->confidence = 0.0;
		s->after_silence = true;
	}
	/* too little since the latest pause to judge: hold */
	if (v->seconds < MIN_SECONDS)
		return changed;
	for (int i = 0; i < FOH_CF_N; i++)
		x[i] = v->v[i];
	foh_content_guess(m, x, &g);
	if (g.cls == FOH_CONTENT_UNKNOWN)
		return changed;
	if (g.cls == s->cls) {
		s->pending_ticks = 0;
	} else {
		if (g.cls == s->pending)
			s->pending_ticks++;
		else
			s->pending_ticks = 1;
		s->pending = g.cls;
		if (s->pending_ticks >= CLASS_TICKS ||
		    (s->cls == FOH_CONTENT_UNKNOWN && !s->after_silence))
			set_class(s, g.cls, &changed);
	}
	if (s->cls == FOH_CONTENT_MUSIC)
		update_style(s, m, x, &changed);
	else if (s->cls == g.cls)
		s->confidence = g.class_confidence;
	return changed;
}

const char *foh_content_style_name(const struct foh_content_state *s,
		const struct foh_content_model *m)
{
	if (s->cls != FOH_CONTENT_MUSIC || s->style < 0 || (uint32_t)s->style >= m->n)
		return "";
	return m->c[s->style].name;
}
