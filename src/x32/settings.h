/* Settings of the X32 connection, as [x32] keys and org.foh.Foh1.X32
 * properties.
 *
 * Keys of [x32]:
 *   address      the desk, "ip" or "ip:port" (numeric; port 10023 when
 *                omitted); "" = no desk                                ("")
 *   backups-keep how many of Backup("")'s files are kept, the oldest
 *                removed after each new one                            (50)
 */
#pragma once

#include <stdint.h>

#include "core/params.h"

struct foh_x32_settings {
	char address[64];
	uint32_t backups_keep;
};

extern const struct foh_param foh_x32_params[];
extern const size_t foh_x32_n_params;

void foh_x32_settings_defaults(struct foh_x32_settings *s);
/* The address must parse; reason (free()) says how it should look. */
int foh_x32_settings_check(const struct foh_x32_settings *s, char **reason);

/* Checks "ip" or "ip:port" (numeric IPv4; port defaults to 10023). */
int foh_x32_parse_address(const char *text, char ip[64], uint16_t *port);
