/* Content profiles: named sets of channel settings (gate, compressor, EQ,
 * effects, leveler...) that content detection switches between. A profile
 * holds only the keys it sets, any key of the channel settings table
 * (channel/settings.h) that describes a sound, so settings added to the
 * table later can be in profiles without a change here. Routing and
 * control keys (name, input, output, audio-channels, mute, gate-open,
 * content-enabled, profile-*) are refused.
 *
 * Files: $XDG_CONFIG_HOME/foh/presets/profile-NAME.conf, group [profile],
 * written and validated like presets (core/presets.h: names of 1–64
 * [A-Za-z0-9_- ], atomic writes). Built in, used while no file of that
 * name exists: speech, rock, jazz, electronic, classical (after the AG06
 * seed, each with its leveler-target: the channel leveler's LUFS). */
#pragma once

#include <stdbool.h>

#include "channel/settings.h"

#define FOH_PROFILE_KEYS_MAX	256

struct foh_profile {
	char name[65];
	bool builtin;			/* no file: the built-in one */
	bool set[FOH_PROFILE_KEYS_MAX];	/* by index in foh_channel_params */
	struct foh_channel_settings values;
};

/* Finds name (file first, then built-in). On failure *error (g_free) names
 * the file, key and reason, or says there is no such profile (-ENOENT). */
int foh_profile_load(const char *name, struct foh_profile *out, char **error);
/* Validates "key=value" pairs (n of them) into a profile and writes it. */
int foh_profile_save(const char *name, const char *const *keys, const char *const *values,
		size_t n, char **error);
int foh_profile_delete(const char *name, char **error);
/* Every profile name, files and built-ins, sorted (g_strfreev). */
char **foh_profile_list(void);
/* The value of key i as text (g_free). */
char *foh_profile_value(const struct foh_profile *p, size_t i);
/* A glide from settings from to the profile, at x in [0, 1]: writes the
 * profile's keys (only those) into out — numbers linearly (Hz on a log
 * scale), switches on at once and off at x = 1, the rest at x = 1. */
void foh_profile_glide(const struct foh_profile *p, const struct foh_channel_settings *from,
		double x, struct foh_channel_settings *out);
/* Copies the profile's keys into s. */
void foh_profile_apply(const struct foh_profile *p, struct foh_channel_settings *s);
