/* foh-web: the HTTP and WebSocket face of foh, a D-Bus client of fohd.
 * Shared state of its parts: main.c (options, config, token, the
 * org.foh.Web1 object, the loop), bus.c (sd-bus as a GSource, fohd up/down,
 * D-Bus errors → HTTP), json-bus.c (D-Bus values ↔ JSON by signature),
 * guard.c (Host/Origin/token/allow-list/size checks, static files, login),
 * api.c (/api/v1 and openapi.json), music.c (the music folder's listing and
 * the confinement of Deck Load/Cue), events.c (the analyzer's OSC feed, the
 * events WebSocket, bounded client queues), feature.c (the feature-server
 * personality on 8765) and compat.c (Mission Control, X32 stabilizer and
 * AG06 routes); rooms.c, rooms-signal.c, rooms-media.c (WebRTC rooms). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <systemd/sd-bus.h>

#define FOH_BUS_NAME		"org.foh.Foh1"
#define FOH_ROOT		"/org/foh/Foh1"
#define FOH_IFACE(x)		"org.foh.Foh1." x
#define WEB_BUS_NAME		"org.foh.Web1"
#define WEB_PATH		"/org/foh/Web1"
#define WEB_IFACE		"org.foh.Web1"

#define WEB_DEFAULT_PORT	8480
#define WEB_MAX_ALLOW		32
#define WEB_MAX_NAMES		16	/* extra hosts / origins */
#define WEB_MAX_BODY		65536	/* default request body limit */
#define WEB_MAX_MESSAGE		65536	/* default inbound WebSocket message limit */
#define WEB_WS_QUEUE		64	/* default frames waiting per client */
#define WEB_WS_MAX_CLIENTS	256	/* per WebSocket route */
#define WEB_MAX_CONNECTIONS	512	/* TCP connections at once, all listeners */
#define WEB_WS_SOCK_BYTES	(256 * 1024)	/* kernel send queue a client may fill */
#define WEB_CALL_USEC		(2ULL * 1000000ULL)	/* D-Bus call timeout */

/* Refusals and traffic, served by org.foh.Web1 Stats() (fohctl web stats). */
#define WEB_STATS(X) \
	X(requests) X(ws_connects) X(ws_messages) X(refused_host) X(refused_origin) \
	X(refused_token) X(refused_network) X(refused_body_size) X(refused_message_size) \
	X(refused_path) X(refused_method) X(refused_message) X(refused_clients) \
	X(slow_clients_dropped) X(refused_connections) X(fohd_unavailable) X(dbus_errors) X(osc_received) \
	X(osc_invalid) X(frames_sent) X(login_failures)

struct web_stats {
#define X(n) uint64_t n;
	WEB_STATS(X)
#undef X
};

struct web_net4 {
	uint32_t addr;		/* network byte order */
	uint32_t mask;
};

enum web_personality {
	WEB_MAIN,
	WEB_FEATURE,		/* feature server WebSocket, 8765 */
	WEB_MISSION,		/* Mission Control HTTP, 8000 */
	WEB_X32,		/* X32 stabilizer REST, 5000 */
	WEB_N_SERVERS,
};

struct web_listener {
	bool enabled;
	struct sockaddr_in want;	/* configured address */
	uint16_t port;			/* bound port */
	SoupServer *server;
};

/* One WebSocket client with its own bounded queue (events.c). */
struct web_client {
	struct web *w;
	SoupWebsocketConnection *conn;
	GSocket *sock;
	GQueue queue;			/* GBytes*, text frames have a NUL-free tag */
	unsigned int kind;		/* WEB_MAIN (events) or WEB_FEATURE */
	uint32_t topics;		/* events.c topic bits */
	bool fft;			/* wants binary FFT frames */
	gulong closed_id, message_id;
	uint64_t next_snapshot;		/* feature.c */
};

struct web_feature;	/* feature.c */
struct web_rooms;	/* rooms.c */

struct web {
	GMainLoop *loop;
	/* config */
	struct web_listener lis[WEB_N_SERVERS];
	struct web_net4 allow[WEB_MAX_ALLOW];
	unsigned int n_allow;
	char *hosts[WEB_MAX_NAMES + 1];
	char *origins[WEB_MAX_NAMES + 1];
	char *token_file, *static_dir, *state_dir;
	char *music_dir;		/* [web] music-dir, NULL: none */
	char *token;			/* NULL when every listener is on loopback */
	size_t max_body, max_message;
	unsigned int ws_queue;
	uint16_t osc_port;
	bool system_bus;

	/* D-Bus */
	sd_bus *bus;
	GSource *bus_source;
	guint reconnect_id;
	bool fohd_up;
	sd_bus_slot *match_owner, *match_props, *match_levels, *vtable_slot, *rooms_slot;
	GDBusNodeInfo *contract;	/* dbus/org.foh.Foh1.xml, embedded */

	/* analyzer feed */
	int osc_fd;
	guint osc_watch;
	bool osc_registered;
	char osc_dest[32];
	unsigned osc_options;		/* WEB_DEST_*: what the analyzer sends us */
	unsigned osc_asking;		/* options of the AddDestination under way */
	bool osc_pending;		/* an AddDestination is under way */
	guint osc_shrink_id;		/* options no one wants any more, dropped later */
	float lmh[3];
	float lmh_raw[3];		/* /audio/lmh_raw: smoothed RMS, before the auto-scaler */
	uint64_t lmh_at;		/* µs monotonic of the last /audio/lmh */
	int32_t meta_sr, meta_block, meta_bins;
	GBytes *last_fft;		/* the last binary FFT frame */

	GPtrArray *clients;		/* struct web_client* of every WebSocket */
	GHashTable *conns;		/* GSocket* (a ref) of every open connection */
	guint tick_id;			/* events: lmh coalescing + stabilizer poll */
	struct web_feature *feature;
	struct web_rooms *rooms;
	struct web_stats stats;
};

uint64_t web_now(void);

/* guard.c: the TCP connections open now (closed ones forgotten) */
unsigned int web_connections(struct web *w);

/* bus.c */
int web_bus_start(struct web *w);
void web_bus_stop(struct web *w);
/* Synchronous call to fohd with WEB_CALL_USEC timeout; on failure *error is
 * set (a synthetic org.foh.Web1.Error.Unavailable when fohd is down). */
int web_call(struct web *w, sd_bus_message *m, sd_bus_message **reply, sd_bus_error *error);
int web_new_call(struct web *w, sd_bus_message **m, const char *path, const char *iface,
		const char *member);
int web_get_all(struct web *w, const char *path, const char *iface, sd_bus_message **reply,
		sd_bus_error *error);
int web_set_json(struct web *w, const char *path, const char *iface, const char *prop,
		JsonNode *value, sd_bus_error *error);
/* HTTP status for a D-Bus error name. */
guint web_error_status(const sd_bus_error *e);
void web_reply_error(SoupServerMessage *msg, guint status, const char *name, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
void web_reply_bus_error(struct web *w, SoupServerMessage *msg, const sd_bus_error *e);
void web_reply_json(SoupServerMessage *msg, guint status, JsonNode *node);
void web_reply_builder(SoupServerMessage *msg, guint status, JsonBuilder *b);
const GDBusPropertyInfo *web_contract_property(struct web *w, const char *iface, const char *prop);

/* json-bus.c */
/* Reads one complete value at m's position into b. */
int web_json_read(sd_bus_message *m, JsonBuilder *b);
/* Reads an a{sv} (GetAll's reply) into an object. */
int web_json_read_props(sd_bus_message *m, JsonBuilder *b);
/* Appends node as one value of the single complete type sig; on a type
 * mismatch returns -EINVAL with why filled. */
int web_json_append(sd_bus_message *m, const char *sig, JsonNode *node, char *why, size_t n);
const char *web_sig_next(const char *sig);

/* guard.c */
void web_guard_install(struct web *w, unsigned int kind);
void web_login_install(struct web *w, SoupServer *s);
void web_add_security_headers(struct web *w, SoupServerMessage *msg);
void web_static_handler(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data);
int web_token_load(struct web *w);
bool web_is_loopback(const struct sockaddr_in *a);
int web_parse_hostport(const char *s, uint16_t def_port, struct sockaddr_in *out);
int web_parse_net(const char *s, struct web_net4 *out);
/* The request body as JSON (NULL and a 400 sent when it is not). */
JsonNode *web_body_json(struct web *w, SoupServerMessage *msg);

/* api.c */
void web_api_install(struct web *w, SoupServer *s);
/* Sets every member of o as a property of path/iface, all or nothing. */
int web_patch(struct web *w, const char *path, const char *iface, JsonObject *o,
		sd_bus_error *e);
JsonNode *web_openapi(struct web *w);

/* music.c */
void web_music_install(struct web *w, SoupServer *s);
/* path (relative to the music folder, or absolute) resolved to a regular
 * audio file inside it: 0 and *out (free()), or -errno and why. */
int web_music_resolve(struct web *w, const char *path, char **out, char *why, size_t n);

/* events.c */
int web_events_start(struct web *w);
void web_events_stop(struct web *w);
void web_events_install(struct web *w, SoupServer *s);
void web_events_fohd(struct web *w, bool up);
/* Clients came, went or changed topics: ask the analyzer for what they
 * need on foh-web's destination (FFT, raw L/M/H), and no more. */
void web_events_want(struct web *w);
void web_events_properties(struct web *w, sd_bus_message *m);
void web_events_levels(struct web *w, sd_bus_message *m);
struct web_client *web_client_new(struct web *w, SoupServerMessage *msg,
		SoupWebsocketConnection *conn, unsigned int kind);
void web_client_send(struct web_client *c, GBytes *frame, bool binary);
void web_client_send_text(struct web_client *c, const char *text);
void web_client_drop(struct web_client *c, gushort code, const char *why);
char *web_json_string(JsonNode *node);
/* Is any events client subscribed to topic; send b's object to them. */
bool web_events_wanted(struct web *w, const char *topic);
void web_events_broadcast(struct web *w, const char *topic, JsonBuilder *b);

/* feature.c */
int web_feature_start(struct web *w, SoupServer *s);
void web_feature_stop(struct web *w);
void web_feature_fft(struct web *w, GBytes *frame);
void web_feature_meta(struct web *w);
void web_feature_properties(struct web *w, const char *path);

/* compat.c */
void web_mission_install(struct web *w, SoupServer *s);
void web_x32_install(struct web *w, SoupServer *s);
void web_ag06_install(struct web *w, SoupServer *s);

/* rooms.c (WebRTC rooms: rooms.h, rooms-signal.c, rooms-media.c) */
int web_rooms_config(struct web *w, GKeyFile *kf, const char *path);
int web_rooms_start(struct web *w);
void web_rooms_stop(struct web *w);
void web_rooms_install(struct web *w, SoupServer *s);
/* Members for /api/stats and the events "rooms" topic, for /health. */
void web_rooms_json(struct web *w, JsonBuilder *b);
void web_rooms_health(struct web *w, JsonBuilder *b);
/* rooms-bus.c: org.foh.Web1.Rooms on /org/foh/Web1. */
const sd_bus_vtable *web_rooms_vtable(void);
