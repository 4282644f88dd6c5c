/* The X32 settings table; see x32/settings.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x32/settings.h"
#include "x32/proto.h"
#include <arpa/inet.h>

const struct foh_param foh_x32_params[] = {
	{ "address", "Address", FOH_PARAM_STRING, 0, 63, 0, "",
		offsetof(struct foh_x32_settings, address), 0, NULL },
	{ "backups-keep", NULL, FOH_PARAM_UINT, 1, 1000, 50, NULL,
		offsetof(struct foh_x32_settings, backups_keep), 0, NULL },
};
const size_t foh_x32_n_params = sizeof(foh_x32_params) / sizeof(foh_x32_params[0]);

void foh_x32_settings_defaults(struct foh_x32_settings *s)
{
	memset(s, 0, sizeof(*s));
	foh_params_set_defaults(foh_x32_params, foh_x32_n_params, s);
}

int foh_x32_settings_check(const struct foh_x32_settings *s, char **reason)
{
	char ip[64];
	uint16_t port;

	if (s->address[0] == '\0' || foh_x32_parse_address(s->address, ip, &port) == 0)
		return 0;
	if (asprintf(reason, "address \"%s\" is not \"ip\" or \"ip:port\" (numeric IPv4, "
				"port 1..65535, 10023 when omitted)", s->address) < 0)
		*reason = NULL;
	return -EINVAL;
}

int foh_x32_parse_address(const char *text, char ip[64], uint16_t *port)
{
	const char *colon = strchr(text, ':');
	struct in_addr a;
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	char *end;
	long p = FOH_X32_PORT;

	if (len == 0 || len >= 64)
		return -EINVAL;
	memcpy(ip, text, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	if (colon != NULL) {
		p = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
			return -EINVAL;
	}
	*port = (uint16_t)p;
	return 0;
}

