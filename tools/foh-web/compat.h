/* Helpers shared by the seed personalities (compat.c, mission.c, x32.c):
 * small wrappers over bus.c and api.c that answer HTTP errors themselves. */
#pragma once

#include "foh-web/foh-web.h"

JsonNode *props_of(struct web *w, const char *path, const char *iface, sd_bus_error *e);
int callv(struct web *w, const char *path, const char *iface, const char *member,
		sd_bus_message **reply, sd_bus_error *e, const char *sig, ...);
void fail_bus(struct web *w, SoupServerMessage *msg, sd_bus_error *e);
bool is_post(SoupServerMessage *msg);
bool is_get(SoupServerMessage *msg);
double num_or_nan(JsonObject *o, const char *k);
void add_db(JsonBuilder *b, const char *name, double v);
bool want_num(SoupServerMessage *msg, JsonObject *o, const char *k, bool required, double *out);
JsonObject *body_object(struct web *w, SoupServerMessage *msg, JsonNode **keep);
bool patch_or_fail(struct web *w, SoupServerMessage *msg, const char *path, const char *iface,
		JsonBuilder *b);
void reply_ok(SoupServerMessage *msg, const char *key, JsonNode *value);
