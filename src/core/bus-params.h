/* D-Bus properties generated from a parameter table (params.h): signature,
 * value in and out, validation with the table's ranges, and vtable entries.
 * Shared by every interface whose settings are described by a table. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "core/params.h"

const char *foh_bus_param_signature(const struct foh_param *p);
int foh_bus_param_append(sd_bus_message *reply, const struct foh_param *p, const void *base);
/* Reads the new value from a Set into base, validated; on a bad value sets
 * org.foh.Foh1.Error.InvalidArgument with the allowed range. */
int foh_bus_param_read(sd_bus_message *value, const struct foh_param *p, void *base,
		sd_bus_error *error);
/* The start of every table-driven setter: finds property in table and
 * reads the new value into base (the caller's copy of the settings) as
 * foh_bus_param_read does; -ENOENT when the table has no such property.
 * *param (may be NULL) gets the table entry. */
int foh_bus_param_read_named(sd_bus_message *value, const struct foh_param *table, size_t n,
		const char *property, void *base, const struct foh_param **param,
		sd_bus_error *error);
/* A vtable: START, head, one writable EMITS_CHANGE property per table
 * entry that has a property name, then tail (which ends with
 * SD_BUS_VTABLE_END). The caller keeps it for as long as the object is
 * served; NULL when out of memory. */
sd_bus_vtable *foh_bus_params_build_vtable(const sd_bus_vtable *head, size_t n_head,
		const struct foh_param *table, size_t n, sd_bus_property_get_t get,
		sd_bus_property_set_t set, const sd_bus_vtable *tail, size_t n_tail);
