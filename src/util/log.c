/* Leveled logging to stderr; see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum foh_log_level current_level = FOH_LOG_INFO;
static int use_prefix = -1;

static const struct {
	const char *name;
	enum foh_log_level level;
} level_names[] = {
	{ "error", FOH_LOG_ERROR },
	{ "warning", FOH_LOG_WARN },
	{ "info", FOH_LOG_INFO },
	{ "debug", FOH_LOG_DEBUG },
};

void foh_log_set_level(enum foh_log_level level)
{
	current_level = level;
}

enum foh_log_level foh_log_get_level(void)
{
	return current_level;
}

bool foh_log_level_from_string(const char *s, enum foh_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i].name) == 0) {
			*out = level_names[i].level;
			return true;
		}
	}
	return false;
}

const char *foh_log_level_to_string(enum foh_log_level level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	return "info";
}

void foh_log(enum foh_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	/* The journal reads "<N>" priority prefixes from a service's stderr. */
	if (use_prefix < 0)
		use_prefix = getenv("JOURNAL_STREAM") != NULL;
	if (use_prefix)
		fprintf(stderr, "<%d>", (int)level);
	else
		fprintf(stderr, "%s: %s: ", program_invocation_short_name,
				foh_log_level_to_string(level));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
