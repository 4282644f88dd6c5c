/* Loading and validation of foh.conf; see conf.h for the keys. */
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
#include "conf.h"
#include "util/cleanup.h"

enum key_type { KEY_INT, KEY_STRING, KEY_LOG_LEVEL };

struct key_spec {
	const char *name;
	enum key_type type;
	int64_t min, max;		/* KEY_INT range; KEY_STRING max length */
	size_t offset;			/* into struct foh_conf */
};

static const struct key_spec daemon_keys[] = {
	{ "log-level", KEY_LOG_LEVEL, 0, 0, offsetof(struct foh_conf, log_level) },
	{ "pipewire-remote", KEY_STRING, 0, 255, offsetof(struct foh_conf, pipewire_remote) },
	{ "reconnect-interval-ms", KEY_INT, 100, 10000, offsetof(struct foh_conf, reconnect_interval_ms) },
};

static const struct {
	const char *name;
	const struct key_spec *keys;
	size_t n_keys;
} sections[] = {
	{ "daemon", daemon_keys, FOH_ELEMENTSOF(daemon_keys) },
};

struct foh_conf *foh_conf_new_defaults(void)
{
	struct foh_conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->log_level = FOH_LOG_INFO;
	c->pipewire_remote = strdup("");
	c->reconnect_interval_ms = 1000;
	if (c->pipewire_remote == NULL) {
		foh_conf_free(c);
		return NULL;
	}
	return c;
}

void foh_conf_free(struct foh_conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->pipewire_remote);
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
static int read_config_text(const char *path, char **out, char **error)
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

static int parse_value(GKeyFile *kf, const char *group, const struct key_spec *k,
		struct foh_conf *c, char **reason)
{
	g_autoptr(GError) gerr = NULL;
	void *field = (char *)c + k->offset;

	switch (k->type) {
	case KEY_INT: {
		g_autofree char *raw = g_key_file_get_value(kf, group, k->name, NULL);
		gint64 v = g_key_file_get_int64(kf, group, k->name, &gerr);
		if (gerr != NULL) {
			*reason = g_strdup("expected an integer");
			return -EINVAL;
		}
		/* Overflow saturates to G_MAXINT64/G_MININT64: still out of range. */
		if (v < k->min || v > k->max) {
			*reason = g_strdup_printf("%s is out of range [%" G_GINT64_FORMAT
					", %" G_GINT64_FORMAT "]", g_strstrip(raw), k->min, k->max);
			return -ERANGE;
		}
		*(uint32_t *)field = (uint32_t)v;
		return 0;
	}
	case KEY_STRING: {
		g_autofree char *v = g_key_file_get_string(kf, group, k->name, &gerr);
		if (gerr != NULL) {
			*reason = g_strdup("expected a string");
			return -EINVAL;
		}
		if ((int64_t)strlen(v) > k->max) {
			*reason = g_strdup_printf("longer than %" G_GINT64_FORMAT " bytes", k->max);
			return -ERANGE;
		}
		free(*(char **)field);
		*(char **)field = strdup(v);
		return *(char **)field ? 0 : -ENOMEM;
	}
	case KEY_LOG_LEVEL: {
		g_autofree char *v = g_key_file_get_string(kf, group, k->name, &gerr);
		if (gerr != NULL || !foh_log_level_from_string(v, field)) {
			*reason = g_strdup("expected one of error, warning, info, debug");
			return -EINVAL;
		}
		return 0;
	}
	}
	return -EINVAL;
}

static int apply_section(GKeyFile *kf, const char *path, const char *group,
		struct foh_conf *c, char **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	size_t s;

	for (s = 0; s < FOH_ELEMENTSOF(sections); s++)
		if (strcmp(sections[s].name, group) == 0)
			break;
	if (s == FOH_ELEMENTSOF(sections)) {
		*error = g_strdup_printf("%s: [%s]: unknown section", path, group);
		return -EINVAL;
	}
	for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
		const struct key_spec *k = NULL;
		g_autofree char *reason = NULL;
		int res;

		for (size_t j = 0; j < sections[s].n_keys; j++)
			if (strcmp(sections[s].keys[j].name, keys[i]) == 0)
				k = &sections[s].keys[j];
		if (k == NULL) {
			*error = g_strdup_printf("%s: [%s] %s: unknown key", path, group, keys[i]);
			return -EINVAL;
		}
		if ((res = parse_value(kf, group, k, c, &reason)) < 0) {
			*error = g_strdup_printf("%s: [%s] %s: %s", path, group, keys[i], reason);
			return res;
		}
	}
	return 0;
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
	if ((res = read_config_text(path, &text, error)) < 0)
		goto error;
	if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &gerr)) {
		*error = g_strdup_printf("%s: syntax error: %s", path, gerr->message);
		res = -EINVAL;
		goto error;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (size_t i = 0; groups[i] != NULL; i++)
		if ((res = apply_section(kf, path, groups[i], c, error)) < 0)
			goto error;
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
