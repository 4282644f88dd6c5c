/* foh.conf: loading, validation, defaults and persistence of the daemon's
 * key file.
 *
 * A file is read whole (at most FOH_CONF_MAX_SIZE bytes), checked for
 * binary content and UTF-8, parsed as a GLib key file, and every section and
 * key is validated against the parameter tables before anything is applied:
 * a config is either taken whole or refused with "file: [section] key: reason".
 *
 * Keys of [daemon]:
 *   log-level              error | warning | info | debug        (info)
 *   pipewire-remote        PipeWire remote name, "" = default     ("")
 *   reconnect-interval-ms  100..10000, retry period while PipeWire is away (1000)
 *   channels               0..64 logical channels                 (4)
 *   meter-rate             1..30 Hz, rate of the Levels signal    (10)
 * Sections [channel.1] .. [channel.<channels>]: see channel/settings.h.
 * Section [analyzer]: see analyzer/settings.h; [x32]: x32/settings.h;
 * [stabilizer]: stabilizer/settings.h; [decks] and [deck.a] .. [deck.d]:
 * decks/settings.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/settings.h"
#include "channel/settings.h"
#include "decks/settings.h"
#include "stabilizer/settings.h"
#include "x32/settings.h"
#include "util/log.h"

#define FOH_CONF_MAX_SIZE (1024 * 1024)

struct foh_conf {
	char *path;			/* file it came from; NULL for built-in defaults */
	enum foh_log_level log_level;
	char pipewire_remote[256];
	uint32_t reconnect_interval_ms;
	uint32_t channels;
	uint32_t meter_rate;
	struct foh_channel_settings channel[FOH_CHANNELS_MAX];
	struct foh_analyzer_settings analyzer;
	struct foh_x32_settings x32;
	struct foh_stabilizer_settings stabilizer;
	struct foh_decks_settings decks;
	struct foh_deck_settings deck[4];
};

/* Where the config comes from: the command line, else the user's file if it
 * exists, else the installed default if it exists, else NULL (built-ins). */
char *foh_conf_resolve_path(const char *cli_path);

/* The user's writable config path ($XDG_CONFIG_HOME/foh/foh.conf). */
char *foh_conf_user_path(void);

struct foh_conf *foh_conf_new_defaults(void);

/* Loads and validates path (NULL: built-in defaults). On failure returns a
 * negative errno and sets *error (free with g_free) to a message naming
 * file, key and reason. */
int foh_conf_load(const char *path, struct foh_conf **out, char **error);

/* Writes conf to path atomically. Comments and keys of an existing valid
 * file are kept; a key is written when the file had it or its value is not
 * the default. */
int foh_conf_save(const struct foh_conf *conf, const char *path);

void foh_conf_free(struct foh_conf *conf);
/* A copy (path included); NULL when out of memory. */
struct foh_conf *foh_conf_dup(const struct foh_conf *conf);

/* A reload over changes not yet saved: every setting that mine changed from
 * base (the settings as last loaded or saved) and that the file (next) left
 * as base had it is carried into next; a setting the file changed is the
 * file's. [daemon] channels is always the file's. Returns how many settings
 * were carried. */
size_t foh_conf_carry_changes(struct foh_conf *next, const struct foh_conf *base,
		const struct foh_conf *mine);

/* Building blocks shared with presets. GKeyFile is GLib's. */
typedef struct _GKeyFile GKeyFile;
/* Reads a text file with the checks of a config (size, NUL, UTF-8). */
int foh_conf_read_text(const char *path, char **out, char **error);
/* Validates and applies every key of group against table into base. */
int foh_conf_apply_keys(GKeyFile *kf, const char *path, const char *group,
		const struct foh_param *table, size_t n_params, void *base, char **error);
/* Writes one value when it is not the default or the file already had it. */
void foh_conf_store_value(GKeyFile *kf, const char *group, const struct foh_param *p,
		const void *base);
