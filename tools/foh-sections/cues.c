/* Cue arithmetic of foh-sections (see cues.h for the rules). */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "foh-sections/cues.h"

double sect_ini_cue(const struct sect_segment *seg, size_t n)
{
	const struct sect_segment *last = NULL;

	for (size_t i = 0; i < n; i++) {
		if (seg[i].label == NULL || strcasecmp(seg[i].label, "intro") != 0)
			continue;
		if (last == NULL || seg[i].start >= last->start)
			last = &seg[i];
	}
	return last ? last->end : 0.0;
}

int sect_nth_after(const struct sect_segment *seg, size_t n, double ini, unsigned int nth)
{
	size_t first;

	if (nth == 0)
		return -EINVAL;
	for (first = 0; first < n; first++)
		if (seg[first].start >= ini - SECT_CUE_EPSILON)
			break;
	if (n - first < nth)
		return -ERANGE;
	return (int)(first + nth - 1);
}

double sect_speed(double target_bpm, double bpm)
{
	return target_bpm / bpm;
}

double sect_adjust(double cue, double ini, double speed)
{
	return (cue - ini) / speed;
}

int sect_compute(const struct sect_segment *seg, size_t n, unsigned int nth,
		double bpm, double target_bpm, struct sect_cues *out)
{
	double ini = sect_ini_cue(seg, n), speed;
	int idx = sect_nth_after(seg, n, ini, nth);

	if (idx < 0)
		return idx;
	speed = sect_speed(target_bpm, bpm);
	out->ini = ini;
	out->begin = seg[idx].start;
	out->end = seg[idx].end;
	out->speed = speed;
	out->begin_adj = sect_adjust(out->begin, ini, speed);
	out->end_adj = sect_adjust(out->end, ini, speed);
	return 0;
}

bool sect_bpm_in_range(double bpm, double target, double delta)
{
	return fabs(bpm - target) <= delta + 1e-9;
}

bool sect_key_matches(const char *key, const char *const *keys, size_t n_keys)
{
	if (key == NULL || key[0] == '\0')
		return false;
	for (size_t i = 0; i < n_keys; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}
