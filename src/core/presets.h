/* Named presets of a settings table, kept as small key files beside the
 * config: $XDG_CONFIG_HOME/foh/presets/<kind>-<name>.conf. Names are 1–64
 * characters of [A-Za-z0-9_- ] and not "main"; anything else is refused
 * before the disk is touched, so no name can reach outside the directory.
 * Writes are atomic: a preset is either fully old or fully new. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/params.h"

/* Keys with this flag describe routing, not a sound: not in presets. */
#define FOH_PARAM_NO_PRESET	(1u << 1)

int foh_preset_check_name(const char *name, char **reason);
char *foh_preset_dir(void);

/* At most this many presets of a kind: saving one more under a new name
 * fails with -EDQUOT (replacing one is always possible). */
#define FOH_PRESETS_MAX	256

int foh_preset_save(const char *kind, const char *name, const struct foh_param *table,
		size_t n, const void *base);
/* The same with only the keys whose set[i] is true (set has n entries):
 * a partial preset, such as a content profile. */
int foh_preset_save_keys(const char *kind, const char *name, const struct foh_param *table,
		size_t n, const void *base, const bool *set);
/* The preset's file ($XDG_CONFIG_HOME/foh/presets/KIND-NAME.conf; g_free);
 * NULL when the name is not valid. */
char *foh_preset_path(const char *kind, const char *name);
/* Loads into base (only keys the preset has change; the caller validates
 * the whole and keeps its old settings on failure). */
int foh_preset_load(const char *kind, const char *name, const struct foh_param *table,
		size_t n, void *base, char **error);
int foh_preset_delete(const char *kind, const char *name);
/* Sorted names, NULL-terminated (g_strfreev). */
char **foh_preset_list(const char *kind);
/* When the preset was last saved: its file's modification time, seconds
 * since the epoch; -errno when there is none. */
int64_t foh_preset_saved_at(const char *kind, const char *name);
