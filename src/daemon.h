/* fohd's shared state: the main loop, the bus, the engine and the running
 * config. Owned by main.c; every D-Bus interface file works on it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "engine.h"

#define FOH_BUS_NAME "org.foh.Foh1"
#define FOH_OBJECT_PATH "/org/foh/Foh1"
#define FOH_MANAGER_INTERFACE "org.foh.Foh1.Manager"

#define FOH_ERROR_INVALID_CONFIG "org.foh.Foh1.Error.InvalidConfig"
#define FOH_ERROR_INVALID_ARGUMENT "org.foh.Foh1.Error.InvalidArgument"
#define FOH_ERROR_NOT_FOUND "org.foh.Foh1.Error.NotFound"
#define FOH_ERROR_NOT_CONNECTED "org.foh.Foh1.Error.NotConnected"

struct foh_daemon {
	sd_event *event;
	sd_bus *bus;
	sd_bus_slot *manager_slot;
	struct foh_engine *engine;
	struct foh_conf *conf;
	char *cli_config;		/* --config, or NULL */
	uint64_t start_usec;		/* CLOCK_MONOTONIC */
};

/* Loads, validates and applies the config. On failure nothing changes and
 * *error (free with g_free) names file, key and reason. */
int foh_daemon_reload(struct foh_daemon *d, char **error);

/* Runs every self-check; returns whether all passed and a report (free()). */
bool foh_daemon_self_check(struct foh_daemon *d, char **report);

int foh_bus_manager_register(struct foh_daemon *d);
void foh_bus_manager_emit(struct foh_daemon *d, const char *property, ...)
	__attribute__((sentinel));
