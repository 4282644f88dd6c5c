/* fohd's D-Bus objects, as the capabilities' bus.c files export them:
 * registration of the fixed objects, and the hooks through which the model
 * announces changes (struct foh_daemon_hooks). Only main.c and the bus.c
 * files include this; the model (daemon.c, the service.c files) never does. */
#pragma once

#include "core/daemon.h"

/* The hooks main.c gives the daemon: PropertiesChanged, objects added and
 * removed, Levels, deferred Load replies. */
extern const struct foh_daemon_hooks foh_bus_hooks;

int foh_bus_manager_register(struct foh_daemon *d);
int foh_bus_analyzer_register(struct foh_daemon *d);
int foh_bus_x32_register(struct foh_daemon *d);
int foh_bus_stabilizer_register(struct foh_daemon *d);
/* The content model's and the profiles' objects. */
int foh_bus_profiles_register(struct foh_daemon *d);
void foh_bus_content_learned(struct foh_daemon *d, void *request, int error,
		const char *message, uint32_t windows);

/* Each capability's part of foh_bus_hooks. */
void foh_bus_emit_changed(struct foh_daemon *d, const char *path, const char *interface,
		const char *const *properties);
int foh_bus_channel_add(struct foh_daemon *d, struct foh_channel_slot *slot);
void foh_bus_channel_remove(struct foh_daemon *d, struct foh_channel_slot *slot);
void foh_bus_channel_emit_levels(struct foh_daemon *d, struct foh_channel_slot *slot);
void foh_bus_channel_emit_content(struct foh_daemon *d, struct foh_channel_slot *slot);
int foh_bus_deck_add(struct foh_daemon *d, struct foh_deck_slot *s);
void foh_bus_deck_loaded(struct foh_deck_slot *s, void *request, int error,
		const char *message);
int foh_bus_mixer_register(struct foh_daemon *d);
void foh_bus_manager_save_failed(struct foh_daemon *d, const char *reason);
