/* Parameter tables: defaults, look-up and range checks; see params.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/params.h"
#include "util/log.h"

void foh_params_set_defaults(const struct foh_param *table, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct foh_param *p = &table[i];
		void *field = (char *)base + p->offset;

		switch (p->type) {
		case FOH_PARAM_BOOL:
			*(bool *)field = p->def != 0.0;
			break;
		case FOH_PARAM_UINT:
			*(uint32_t *)field = (uint32_t)p->def;
			break;
		case FOH_PARAM_DOUBLE:
			*(double *)field = p->def;
			break;
		case FOH_PARAM_STRING:
			snprintf(field, (size_t)p->max + 1, "%s", p->def_str ? p->def_str : "");
			break;
		case FOH_PARAM_LOG_LEVEL:
			*(enum foh_log_level *)field = (enum foh_log_level)p->def;
			break;
		}
	}
}

const struct foh_param *foh_params_find_key(const struct foh_param *table, size_t n,
		const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

const struct foh_param *foh_params_find_property(const struct foh_param *table, size_t n,
		const char *property)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].property && strcmp(table[i].property, property) == 0)
			return &table[i];
	return NULL;
}

static char *range_message(const struct foh_param *p, const char *what)
{
	char *msg = NULL;

	if (asprintf(&msg, "%s; allowed range is [%g, %g]%s%s", what, p->min, p->max,
				p->unit ? " " : "", p->unit ? p->unit : "") < 0)
		return NULL;
	return msg;
}

int foh_param_check_double(const struct foh_param *p, double v, char **reason)
{
	char what[64];

	if (!isfinite(v)) {
		*reason = range_message(p, "not a finite number");
		return -EINVAL;
	}
	if (v < p->min || v > p->max) {
		snprintf(what, sizeof(what), "%g is out of range", v);
		*reason = range_message(p, what);
		return -ERANGE;
	}
	return 0;
}

int foh_param_check_uint(const struct foh_param *p, int64_t v, char **reason)
{
	char what[64];

	if ((double)v < p->min || (double)v > p->max) {
		snprintf(what, sizeof(what), "%lld is out of range", (long long)v);
		*reason = range_message(p, what);
		return -ERANGE;
	}
	return 0;
}

/* The value must be one of p->choices; the message lists them. */
static int check_choice(const struct foh_param *p, const char *v, char **reason)
{
	char list[256] = "";
	size_t used = 0;

	for (const char *const *c = p->choices; *c != NULL; c++) {
		if (strcmp(*c, v) == 0)
			return 0;
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
				"%s\"%s\"", c == p->choices ? "" : ", ", *c);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	if (asprintf(reason, "\"%s\" is not allowed; allowed: %s", v, list) < 0)
		*reason = NULL;
	return -EINVAL;
}

int foh_param_check_string(const struct foh_param *p, const char *v, char **reason)
{
	size_t len = strlen(v);

	if (len > (size_t)p->max) {
		if (asprintf(reason, "longer than %g bytes", p->max) < 0)
			*reason = NULL;
		return -ERANGE;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			if (asprintf(reason, "holds a control character at byte %zu", i) < 0)
				*reason = NULL;
			return -EINVAL;
		}
	}
	if (p->choices != NULL)
		return check_choice(p, v, reason);
	return 0;
}
