/* Table-driven D-Bus properties; see bus-params.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus-params.h"
#include "core/daemon.h"
#include "util/cleanup.h"

const char *foh_bus_param_signature(const struct foh_param *p)
{
	switch (p->type) {
	case FOH_PARAM_BOOL:
		return "b";
	case FOH_PARAM_UINT:
		return "u";
	case FOH_PARAM_DOUBLE:
		return "d";
	default:
		return "s";
	}
}

int foh_bus_param_append(sd_bus_message *reply, const struct foh_param *p, const void *base)
{
	const void *field = (const char *)base + p->offset;

	switch (p->type) {
	case FOH_PARAM_BOOL:
		return sd_bus_message_append(reply, "b", (int)*(const bool *)field);
	case FOH_PARAM_UINT:
		return sd_bus_message_append(reply, "u", *(const uint32_t *)field);
	case FOH_PARAM_DOUBLE:
		return sd_bus_message_append(reply, "d", *(const double *)field);
	default:
		return sd_bus_message_append(reply, "s", (const char *)field);
	}
}

int foh_bus_param_read(sd_bus_message *value, const struct foh_param *p, void *base,
		sd_bus_error *error)
{
	void *field = (char *)base + p->offset;
	_cleanup_free_ char *reason = NULL;
	int r, b;
	uint32_t u;
	double v;
	const char *str;

	switch (p->type) {
	case FOH_PARAM_BOOL:
		if ((r = sd_bus_message_read(value, "b", &b)) < 0)
			return r;
		*(bool *)field = b;
		return 0;
	case FOH_PARAM_UINT:
		if ((r = sd_bus_message_read(value, "u", &u)) < 0)
			return r;
		if ((r = foh_param_check_uint(p, u, &reason)) >= 0)
			*(uint32_t *)field = u;
		break;
	case FOH_PARAM_DOUBLE:
		if ((r = sd_bus_message_read(value, "d", &v)) < 0)
			return r;
		if ((r = foh_param_check_double(p, v, &reason)) >= 0)
			*(double *)field = v;
		break;
	default:
		if ((r = sd_bus_message_read(value, "s", &str)) < 0)
			return r;
		if ((r = foh_param_check_string(p, str, &reason)) >= 0)
			snprintf(field, (size_t)p->max + 1, "%s", str);
		break;
	}
	if (r < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "%s: %s",
				p->property, reason ? reason : "invalid value");
	return 0;
}

int foh_bus_param_read_named(sd_bus_message *value, const struct foh_param *table, size_t n,
		const char *property, void *base, const struct foh_param **param,
		sd_bus_error *error)
{
	const struct foh_param *p = foh_params_find_property(table, n, property);

	if (p == NULL)
		return -ENOENT;
	if (param != NULL)
		*param = p;
	return foh_bus_param_read(value, p, base, error);
}

sd_bus_vtable *foh_bus_params_build_vtable(const sd_bus_vtable *head, size_t n_head,
		const struct foh_param *table, size_t n, sd_bus_property_get_t get,
		sd_bus_property_set_t set, const sd_bus_vtable *tail, size_t n_tail)
{
	sd_bus_vtable *v = calloc(1 + n_head + n + n_tail, sizeof(*v));
	size_t out = 0;

	if (v == NULL)
		return NULL;
	v[out++] = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	if (n_head > 0)
		memcpy(v + out, head, n_head * sizeof(*v));
	out += n_head;
	for (size_t i = 0; i < n; i++) {
		if (table[i].property == NULL)
			continue;
		v[out++] = (sd_bus_vtable)SD_BUS_WRITABLE_PROPERTY(table[i].property,
				foh_bus_param_signature(&table[i]), get, set, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED);
	}
	memcpy(v + out, tail, n_tail * sizeof(*v));
	return v;
}
