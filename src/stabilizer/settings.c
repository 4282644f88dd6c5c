/* The stabilizer's settings table; see stabilizer/settings.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stabilizer/settings.h"
#include "x32/proto.h"

#define F(field) offsetof(struct foh_stabilizer_settings, field)
#define MAX_PARAMS 32

/* D-Bus names of the knobs: DESIGN.md's where it names them. */
static const struct { const char *key, *property, *unit; } knob_names[] = {
	{ "target-db", "TargetDb", "dBFS" }, { "slew-db", "SlewDb", "dB" },
	{ "fast-tau-s", "FastTauSec", "s" }, { "slow-tau-s", "SlowTauSec", "s" },
	{ "smoothing", "Smoothing", NULL }, { "scene-threshold-db", "SceneThresholdDb", "dB" },
	{ "scene-deadband-db", "SceneDeadbandDb", "dB" }, { "scene-slew-db", "SceneSlewDb", "dB" },
	{ "deadband-db", "DeadbandDb", "dB" }, { "far-db", "FarDb", "dB" },
	{ "far-slew-factor", "FarSlewFactor", NULL }, { "silence-db", "SilenceThresholdDb", "dBFS" },
	{ "silence-hold-s", "SilenceHoldSec", "s" }, { "fader-min-db", "MinFaderDb", "dB" },
	{ "fader-max-db", "MaxFaderDb", "dB" }, { "interval-s", "IntervalSec", "s" },
	{ "pause-s", "PauseSec", "s" }, { "moderate-step-db", "ModerateStepDb", "dB" },
};

static struct foh_param table[MAX_PARAMS];
static size_t n_table;

static void add(const struct foh_param p)
{
	if (n_table < MAX_PARAMS)
		table[n_table++] = p;
}

const struct foh_param *foh_stabilizer_params(size_t *n)
{
	size_t n_knobs;
	const struct foh_stab_knob *k;

	if (n_table == 0) {
		add((struct foh_param){ "enabled", "Enabled", FOH_PARAM_BOOL, 0, 1, 0, NULL, F(enabled), 0, NULL });
		add((struct foh_param){ "source", "Source", FOH_PARAM_STRING, 0, 31, 0, "x32", F(source), 0, NULL });
		add((struct foh_param){ "output", "Output", FOH_PARAM_STRING, 0, 31, 0, "bus1", F(output), 0, NULL });
		add((struct foh_param){ "mode", "Mode", FOH_PARAM_STRING, 0, 15, 0, "two-speed", F(mode), 0, NULL,
				foh_stab_mode_names });
		add((struct foh_param){ "meter-point", "MeterPoint", FOH_PARAM_STRING, 0, 7, 0, "pre",
				F(meter_point), 0, NULL, foh_stab_meter_point_names });
		k = foh_stab_knobs(&n_knobs);
		for (size_t i = 0; i < n_knobs; i++) {
			const char *prop = NULL, *unit = NULL;
			for (size_t j = 0; j < sizeof(knob_names) / sizeof(knob_names[0]); j++)
				if (strcmp(knob_names[j].key, k[i].key) == 0) {
					prop = knob_names[j].property;
					unit = knob_names[j].unit;
				}
			add((struct foh_param){ k[i].key, prop, FOH_PARAM_DOUBLE, k[i].min, k[i].max,
					k[i].def, NULL, F(p) + k[i].offset, 0, unit });
		}
	}
	*n = n_table;
	return table;
}

void foh_stabilizer_settings_defaults(struct foh_stabilizer_settings *s)
{
	size_t n;
	const struct foh_param *t = foh_stabilizer_params(&n);

	memset(s, 0, sizeof(*s));
	foh_stab_default_params(&s->p);
	foh_params_set_defaults(t, n, s);
}

static int fail(char **reason, const char *what, const char *value, const char *allowed)
{
	if (asprintf(reason, "%s \"%s\" is not valid; use %s", what, value, allowed) < 0)
		*reason = NULL;
	return -EINVAL;
}

int foh_stabilizer_settings_check(struct foh_stabilizer_settings *s, char **reason)
{
	struct foh_x32_output o;
	char msg[256];
	unsigned n;

	if (strcmp(s->source, "x32") != 0 && (sscanf(s->source, "channel/%u", &n) != 1 || n < 1 || n > 64))
		return fail(reason, "source", s->source, "x32 or channel/N");
	if (sscanf(s->output, "channel/%u", &n) == 1) {
		if (n < 1 || n > 64)
			return fail(reason, "output", s->output, "channel/1..channel/64");
	} else if (foh_x32_ridable_parse(s->output, &o) < 0) {
		return fail(reason, "output", s->output, "bus1..bus16, mtx1..mtx6, main_st or channel/N");
	}
	if (strcmp(s->source, "x32") == 0 && strncmp(s->output, "channel/", 8) == 0)
		return fail(reason, "output", s->output, "an X32 output when the source is x32");
	if (foh_stab_mode_from_string(s->mode, &s->p.mode) < 0)
		return fail(reason, "mode", s->mode, "two-speed, single or leveler");
	if (foh_stab_meter_point_from_string(s->meter_point, &s->p.meter_point) < 0)
		return fail(reason, "meter-point", s->meter_point, "pre or post");
	if (foh_stab_params_validate(&s->p, msg, sizeof(msg)) < 0) {
		*reason = strdup(msg);
		return -EINVAL;
	}
	return 0;
}
