/* Logging for the main thread (never from a process callback): leveled lines
 * on stderr, with syslog priority prefixes when stderr is the journal. */
#pragma once

#include <stdbool.h>

enum foh_log_level {
	FOH_LOG_ERROR = 3,
	FOH_LOG_WARN = 4,
	FOH_LOG_INFO = 6,
	FOH_LOG_DEBUG = 7,
};

void foh_log_set_level(enum foh_log_level level);
enum foh_log_level foh_log_get_level(void);
/* Parses "error", "warning", "info", "debug"; returns false when unknown. */
bool foh_log_level_from_string(const char *s, enum foh_log_level *out);
const char *foh_log_level_to_string(enum foh_log_level level);

void foh_log(enum foh_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define foh_error(...) foh_log(FOH_LOG_ERROR, __VA_ARGS__)
#define foh_warn(...) foh_log(FOH_LOG_WARN, __VA_ARGS__)
#define foh_info(...) foh_log(FOH_LOG_INFO, __VA_ARGS__)
#define foh_debug(...) foh_log(FOH_LOG_DEBUG, __VA_ARGS__)
