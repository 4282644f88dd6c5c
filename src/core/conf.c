/* Loading, validation and saving of foh.conf; see conf.h for the keys. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "foh-config.h"
#include "core/conf.h"
#include "core/params.h"
#include "util/atomic-file.h"
#include "util/cleanup.h"

#define D(field) offsetof(struct foh_conf, field)
static const struct foh_param daemon_params[] = {
	{ "log-level", "LogLevel", FOH_PARAM_LOG_LEVEL, 0, 0, FOH_LOG_INFO, NULL, D(log_level), 0, NULL },
	{ "pipewire-remote", NULL, FOH_PARAM_STRING, 0, 255, 0, "", D(pipewire_remote), 0, NULL },
	{ "reconnect-interval-ms", NULL, FOH_PARAM_UINT, 100, 10000, 1000, NULL,
		D(reconnect_interval_ms), 0, "ms" },
	{ "channels", NULL, FOH_PARAM_UINT, 0, FOH_CHANNELS_MAX, 4, NULL, D(channels), 0, NULL },
	{ "meter-rate", NULL, FOH_PARAM_UINT, 1, 30, 10, NULL, D(meter_rate), 0, "Hz" },
};
#undef D

static const struct foh_param *daemon_table(size_t *n)
{
	*n = FOH_ELEMENTSOF(daemon_params);
	return daemon_params;
}

static const struct foh_param *analyzer_table(size_t *n)
{
	*n = foh_analyzer_n_params;
	return foh_analyzer_params;
}

static const struct foh_param *x32_table(size_t *n)
{
	*n = foh_x32_n_params;
	return foh_x32_params;
}

static const struct foh_param *decks_table(size_t *n)
{
	*n = foh_decks_n_params;
	return foh_decks_params;
}

static const struct foh_param *deck_table(size_t *n)
{
	*n = foh_deck_n_params;
	return foh_deck_params;
}

/* The sections holding one settings struct each, in the order they are
 * read and written; [channel.N] is the one section that repeats. */
static const struct {
	const char *name;
	size_t offset;			/* of its struct in struct foh_conf */
	const struct foh_param *(*table)(size_t *n);
} named_sections[] = {
	{ "daemon", 0, daemon_table },
	{ "analyzer", offsetof(struct foh_conf, analyzer), analyzer_table },
	{ "x32", offsetof(struct foh_conf, x32), x32_table },
	{ "stabilizer", offsetof(struct foh_conf, stabilizer), foh_stabilizer_params },
	{ "decks", offsetof(struct foh_conf, decks), decks_table },
	{ "deck.a", offsetof(struct foh_conf, deck[0]), deck_table },
	{ "deck.b", offsetof(struct foh_conf, deck[1]), deck_table },
	{ "deck.c", offsetof(struct foh_conf, deck[2]), deck_table },
	{ "deck.d", offsetof(struct foh_conf, deck[3]), deck_table },
};

struct foh_conf *foh_conf_new_defaults(void)
{
	struct foh_conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	foh_params_set_defaults(daemon_params, FOH_ELEMENTSOF(daemon_params), c);
	for (size_t i = 0; i < FOH_CHANNELS_MAX; i++)
		foh_channel_settings_defaults(&c->channel[i]);
	foh_analyzer_settings_defaults(&c->analyzer);
	foh_x32_settings_defaults(&c->x32);
	foh_stabilizer_settings_defaults(&c->stabilizer);
	foh_decks_settings_defaults(&c->decks);
	for (size_t i = 0; i < FOH_ELEMENTSOF(c->deck); i++)
		foh_deck_settings_defaults(&c->deck[i]);
	return c;
}

void foh_conf_free(struct foh_conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf);
}

char *foh_conf_user_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "foh", "foh.conf", NULL);
}

char *foh_conf_resolve_path(const char *cli_path)
{
	g_autofree char *user = NULL;

	if (cli_path != NULL)
		return strdup(cli_path);
	user = foh_conf_user_path();
	if (access(user, F_OK) == 0)
		return strdup(user);
	if (access(FOH_DEFAULT_CONFIG, F_OK) == 0)
		return strdup(FOH_DEFAULT_CONFIG);
	return NULL;
}

/* Reads the file whole, refusing what cannot be a text config. */
int foh_conf_read_text(const char *path, char **out, char **error)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	const char *bad_utf8;
	struct stat st;
	size_t len = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		*error = g_strdup_printf("%s: cannot read: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		*error = g_strdup_printf("%s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_size > FOH_CONF_MAX_SIZE) {
		*error = g_strdup_printf("%s: file is %lld bytes, larger than the %d byte limit",
				path, (long long)st.st_size, FOH_CONF_MAX_SIZE);
		return -EFBIG;
	}
	if ((buf = malloc(FOH_CONF_MAX_SIZE + 1)) == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, FOH_CONF_MAX_SIZE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error = g_strdup_printf("%s: cannot read: %s", path, strerror(errno));
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > FOH_CONF_MAX_SIZE) {
			*error = g_strdup_printf("%s: file is larger than the %d byte limit",
					path, FOH_CONF_MAX_SIZE);
			return -EFBIG;
		}
	}
	if (len == 0) {
		*error = g_strdup_printf("%s: file is empty", path);
		return -ENODATA;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*error = g_strdup_printf("%s: file holds binary data (NUL byte at offset %zu)",
				path, (size_t)((char *)memchr(buf, '\0', len) - buf));
		return -EINVAL;
	}
	if (!g_utf8_validate(buf, (gssize)len, &bad_utf8)) {
		*error = g_strdup_printf("%s: file is not valid UTF-8 (byte %zu)",
				path, (size_t)(bad_utf8 - buf));
		return -EINVAL;
	}
	buf[len] = '\0';
	*out = FOH_TAKE_PTR(buf);
	return 0;
}

static int parse_value(GKeyFile *kf, const char *group, const struct foh_param *p,
		void *base, char **reason)
{
	g_autoptr(GError) gerr = NULL;
	g_autofree char *raw = g_key_file_get_value(kf, group, p->key, NULL);
	void *field = (char *)base + p->offset;

	switch (p->type) {
	case FOH_PARAM_BOOL: {
		gboolean v = g_key_file_get_boolean(kf, group, p->key, &gerr);
		if (gerr != NULL) {
			*reason = g_strdup("expected true or false");
			return -EINVAL;
		}
		*(bool *)field = v;
		return 0;
	}
	case FOH_PARAM_UINT: {
		gint64 v = g_key_file_get_int64(kf, group, p->key, &gerr);
		char *why = NULL;
		int res;
		if (gerr != NULL) {
			*reason = g_strdup("expected an integer");
			return -EINVAL;
		}
		/* Overflow saturates to G_MAXINT64/G_MININT64: still out of range. */
		if ((res = foh_param_check_uint(p, v, &why)) < 0) {
			*reason = g_strdup_printf("%s is out of range [%g, %g]",
					g_strstrip(raw), p->min, p->max);
			free(why);
			return res;
		}
		*(uint32_t *)field = (uint32_t)v;
		return 0;
	}
	case FOH_PARAM_DOUBLE: {
		double v = g_key_file_get_double(kf, group, p->key, &gerr);
		char *why = NULL;
		int res;
		if (gerr != NULL) {
			*reason = g_strdup("expected a number");
			return -EINVAL;
		}
		if ((res = foh_param_check_double(p, v, &why)) < 0) {
			*reason = g_strdup(why ? why : "invalid");
			free(why);
			return res;
		}
		*(double *)field = v;
		return 0;
	}
	case FOH_PARAM_STRING: {
		g_autofree char *v = g_key_file_get_string(kf, group, p->key, &gerr);
		char *why = NULL;
		int res;
		if (gerr != NULL) {
			*reason = g_strdup("expected a string");
			return -EINVAL;
		}
		if ((res = foh_param_check_string(p, v, &why)) < 0) {
			*reason = g_strdup(why ? why : "invalid");
			free(why);
			return res;
		}
		snprintf(field, (size_t)p->max + 1, "%s", v);
		return 0;
	}
	case FOH_PARAM_LOG_LEVEL: {
		g_autofree char *v = g_key_file_get_string(kf, group, p->key, &gerr);
		if (gerr != NULL || !foh_log_level_from_string(v, field)) {
			*reason = g_strdup("expected one of error, warning, info, debug");
			return -EINVAL;
		}
		return 0;
	}
	}
	return -EINVAL;
}

/* Resolves a section name to its parameter table and settings struct. */
static int section_target(struct foh_conf *c, const char *path, const char *group,
		const struct foh_param **table, size_t *n, void **base, char **error)
{
	for (size_t i = 0; i < FOH_ELEMENTSOF(named_sections); i++) {
		if (strcmp(group, named_sections[i].name) == 0) {
			*table = named_sections[i].table(n);
			*base = (char *)c + named_sections[i].offset;
			return 0;
		}
	}
	if (g_str_has_prefix(group, "channel.")) {
		const char *num = group + strlen("channel.");
		guint64 idx = 0;
		if (!g_ascii_string_to_unsigned(num, 10, 1, FOH_CHANNELS_MAX, &idx, NULL)) {
			*error = g_strdup_printf("%s: [%s]: channel number must be 1..%d",
					path, group, FOH_CHANNELS_MAX);
			return -EINVAL;
		}
		if (idx > c->channels) {
			*error = g_strdup_printf("%s: [%s]: there are only %u channels "
					"([daemon] channels)", path, group, c->channels);
			return -EINVAL;
		}
		*table = foh_channel_params;
		*n = foh_channel_n_params;
		*base = &c->channel[idx - 1];
		return 0;
	}
	*error = g_strdup_printf("%s: [%s]: unknown section", path, group);
	return -EINVAL;
}

int foh_conf_apply_keys(GKeyFile *kf, const char *path, const char *group,
		const struct foh_param *table, size_t n_params, void *base, char **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	int res;

	for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
		const struct foh_param *p = foh_params_find_key(table, n_params, keys[i]);
		g_autofree char *reason = NULL;

		if (p == NULL) {
			*error = g_strdup_printf("%s: [%s] %s: unknown key", path, group, keys[i]);
			return -EINVAL;
		}
		if ((res = parse_value(kf, group, p, base, &reason)) < 0) {
			*error = g_strdup_printf("%s: [%s] %s: %s", path, group, keys[i], reason);
			return res;
		}
	}
	return 0;
}

static int apply_section(GKeyFile *kf, const char *path, const char *group,
		struct foh_conf *c, char **error)
{
	const struct foh_param *table;
	size_t n_params;
	void *base;
	int res;

	if ((res = section_target(c, path, group, &table, &n_params, &base, error)) < 0)
		return res;
	return foh_conf_apply_keys(kf, path, group, table, n_params, base, error);
}

int foh_conf_load(const char *path, struct foh_conf **out, char **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_auto(GStrv) groups = NULL;
	_cleanup_free_ char *text = NULL;
	struct foh_conf *c;
	int res;

	*error = NULL;
	if ((c = foh_conf_new_defaults()) == NULL)
		return -ENOMEM;
	if (path == NULL) {
		*out = c;
		return 0;
	}
	if ((res = foh_conf_read_text(path, &text, error)) < 0)
		goto error;
	if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &gerr)) {
		*error = g_strdup_printf("%s: syntax error: %s", path, gerr->message);
		res = -EINVAL;
		goto error;
	}
	groups = g_key_file_get_groups(kf, NULL);
	/* [daemon] first: it says how many channel sections may follow. */
	if (g_key_file_has_group(kf, "daemon") &&
	    (res = apply_section(kf, path, "daemon", c, error)) < 0)
		goto error;
	for (size_t i = 0; groups[i] != NULL; i++)
		if (strcmp(groups[i], "daemon") != 0 &&
		    (res = apply_section(kf, path, groups[i], c, error)) < 0)
			goto error;
	{
		_cleanup_free_ char *why = NULL;
		if ((res = foh_analyzer_settings_check(&c->analyzer, 0, &why)) < 0) {
			*error = g_strdup_printf("%s: [analyzer]: %s", path, why ? why : "invalid");
			goto error;
		}
		if ((res = foh_x32_settings_check(&c->x32, &why)) < 0) {
			*error = g_strdup_printf("%s: [x32]: %s", path, why ? why : "invalid");
			goto error;
		}
		if ((res = foh_stabilizer_settings_check(&c->stabilizer, &why)) < 0) {
			*error = g_strdup_printf("%s: [stabilizer]: %s", path, why ? why : "invalid");
			goto error;
		}
		for (size_t i = 0; i < FOH_ELEMENTSOF(c->deck); i++) {
			if ((res = foh_deck_settings_check(&c->deck[i], &why)) < 0) {
				*error = g_strdup_printf("%s: [deck.%c]: %s", path,
						FOH_DECK_LETTERS[i], why ? why : "invalid");
				goto error;
			}
		}
	}
	if ((c->path = strdup(path)) == NULL) {
		res = -ENOMEM;
		goto error;
	}
	*out = c;
	return 0;
error:
	foh_conf_free(c);
	if (*error == NULL)
		*error = g_strdup_printf("%s: %s", path, strerror(-res));
	return res;
}

static bool value_is_default(const struct foh_param *p, const void *base)
{
	const void *field = (const char *)base + p->offset;

	switch (p->type) {
	case FOH_PARAM_BOOL:
		return *(const bool *)field == (p->def != 0.0);
	case FOH_PARAM_UINT:
		return *(const uint32_t *)field == (uint32_t)p->def;
	case FOH_PARAM_DOUBLE:
		return *(const double *)field == p->def;
	case FOH_PARAM_STRING:
		return strcmp(field, p->def_str ? p->def_str : "") == 0;
	case FOH_PARAM_LOG_LEVEL:
		return *(const enum foh_log_level *)field == (enum foh_log_level)p->def;
	}
	return false;
}

void foh_conf_store_value(GKeyFile *kf, const char *group, const struct foh_param *p,
		const void *base)
{
	const void *field = (const char *)base + p->offset;
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (value_is_default(p, base) && !g_key_file_has_key(kf, group, p->key, NULL))
		return;
	switch (p->type) {
	case FOH_PARAM_BOOL:
		g_key_file_set_boolean(kf, group, p->key, *(const bool *)field);
		break;
	case FOH_PARAM_UINT:
		g_key_file_set_uint64(kf, group, p->key, *(const uint32_t *)field);
		break;
	case FOH_PARAM_DOUBLE: {
		/* the shortest text that reads back to the same double: people
		 * edit this file, 0.55 should not be 0.55000000000000004 */
		double v = *(const double *)field;
		for (int digits = 6; digits <= 17; digits++) {
			char fmt[8];
			snprintf(fmt, sizeof(fmt), "%%.%dg", digits);
			g_ascii_formatd(buf, sizeof(buf), fmt, v);
			if (g_ascii_strtod(buf, NULL) == v)
				break;
		}
		g_key_file_set_value(kf, group, p->key, buf);
		break;
	}
	case FOH_PARAM_STRING:
		g_key_file_set_string(kf, group, p->key, field);
		break;
	case FOH_PARAM_LOG_LEVEL:
		g_key_file_set_string(kf, group, p->key,
				foh_log_level_to_string(*(const enum foh_log_level *)field));
		break;
	}
}

static void store_section(GKeyFile *kf, const char *group, const struct foh_param *table,
		size_t n, const void *base)
{
	for (size_t i = 0; i < n; i++)
		foh_conf_store_value(kf, group, &table[i], base);
}

static void store_named_section(GKeyFile *kf, const struct foh_conf *conf, size_t i)
{
	size_t n;
	const struct foh_param *table = named_sections[i].table(&n);

	store_section(kf, named_sections[i].name, table, n,
			(const char *)conf + named_sections[i].offset);
}

int foh_conf_save(const struct foh_conf *conf, const char *path)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *data = NULL;
	gsize len = 0;
	int res;

	/* Keep the user's comments and layout when the file is there and valid. */
	(void)g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
	/* [daemon] (named_sections[0]), the channels, the other sections */
	store_named_section(kf, conf, 0);
	for (uint32_t ch = 0; ch < conf->channels; ch++) {
		g_autofree char *group = g_strdup_printf("channel.%u", ch + 1);
		store_section(kf, group, foh_channel_params, foh_channel_n_params,
				&conf->channel[ch]);
	}
	for (size_t i = 1; i < FOH_ELEMENTSOF(named_sections); i++)
		store_named_section(kf, conf, i);
	/* Sections of channels that no longer exist would make the file invalid. */
	for (uint32_t ch = conf->channels; ch < FOH_CHANNELS_MAX; ch++) {
		g_autofree char *group = g_strdup_printf("channel.%u", ch + 1);
		(void)g_key_file_remove_group(kf, group, NULL);
	}
	data = g_key_file_to_data(kf, &len, NULL);
	/* Every setting at its default and no file to keep: the key file is
	 * empty, and the loader refuses an empty file (a truncated one). */
	if (len == 0) {
		g_free(data);
		data = g_strdup("# foh.conf: every setting is at its default\n");
		len = strlen(data);
	}
	if ((res = foh_mkdir_parents(path)) < 0)
		return res;
	return foh_atomic_write(path, data, len, 0644);
}
