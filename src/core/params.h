/* Parameter tables: one description per setting — config key, D-Bus
 * property, type, range, default, where it lives — shared by config
 * validation and the D-Bus setters, so a value is checked the same way
 * wherever it comes from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum foh_param_type {
	FOH_PARAM_BOOL,		/* bool */
	FOH_PARAM_UINT,		/* uint32_t in [min, max] */
	FOH_PARAM_DOUBLE,	/* double in [min, max], finite */
	FOH_PARAM_STRING,	/* char[max + 1], printable UTF-8 */
	FOH_PARAM_LOG_LEVEL,	/* enum foh_log_level */
};

/* Changing it means rebuilding the channel's streams, not just its DSP. */
#define FOH_PARAM_STRUCTURAL	(1u << 0)

struct foh_param {
	const char *key;	/* config key */
	const char *property;	/* D-Bus property, NULL if none */
	enum foh_param_type type;
	double min, max;	/* range; STRING: max is the length limit */
	double def;		/* default for numbers and bools */
	const char *def_str;	/* default for strings */
	size_t offset;		/* into the settings struct */
	unsigned flags;
	const char *unit;	/* for messages: "dB", "ms", ... */
	/* STRING: NULL-terminated list of the only values allowed, or NULL */
	const char *const *choices;
};

/* Writes every default of the table into base. */
void foh_params_set_defaults(const struct foh_param *table, size_t n, void *base);

const struct foh_param *foh_params_find_key(const struct foh_param *table, size_t n,
		const char *key);
const struct foh_param *foh_params_find_property(const struct foh_param *table, size_t n,
		const char *property);

/* Range/validity checks; on failure return -EINVAL or -ERANGE and set
 * *reason (free()) to a message with the allowed range. */
int foh_param_check_double(const struct foh_param *p, double v, char **reason);
int foh_param_check_uint(const struct foh_param *p, int64_t v, char **reason);
int foh_param_check_string(const struct foh_param *p, const char *v, char **reason);
