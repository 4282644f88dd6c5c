/* D-Bus properties generated from a parameter table (params.h): signature,
 * value in and out, validation with the table's ranges, and vtable entries.
 * Shared by every interface whose settings are described by a table. */
#pragma once

#include <stddef.h>

#include <systemd/sd-bus.h>

#include "params.h"

const char *foh_bus_param_signature(const struct foh_param *p);
int foh_bus_param_append(sd_bus_message *reply, const struct foh_param *p, const void *base);
/* Reads the new value from a Set into base, validated; on a bad value sets
 * org.foh.Foh1.Error.InvalidArgument with the allowed range. */
int foh_bus_param_read(sd_bus_message *value, const struct foh_param *p, void *base,
		sd_bus_error *error);
/* Appends one writable EMITS_CHANGE property per table entry that has a
 * property name; returns how many entries it wrote. */
size_t foh_bus_params_vtable(sd_bus_vtable *v, const struct foh_param *table, size_t n,
		sd_bus_property_get_t get, sd_bus_property_set_t set);
