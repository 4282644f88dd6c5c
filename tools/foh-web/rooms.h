/* foh-web's rooms, shared by rooms.c (the model, its HTTP routes, the
 * channel it feeds, expiry and statistics) and rooms-signal.c (the
 * signalling WebSocket). rooms-media.[ch] is the GStreamer side. */
#pragma once

#include "foh-web/foh-web.h"
#include "foh-web/rooms-media.h"

#define ROOM_ID_MAX	32		/* [a-z0-9_-], the id is part of a node name */
#define ROOM_KEY_BYTES	16		/* keys are 32 hex digits */
#define ROOM_MAX_SDP	16384		/* bytes of one offer or answer */
#define ROOM_MAX_CAND	512		/* bytes of one ICE candidate line */
#define ROOM_MAX_CANDS	64		/* candidates one peer may send */
#define ROOM_MAX_SENT	256		/* signalling messages foh sends one peer */

struct room_peer;

struct room {
	struct web_rooms *rs;
	char id[ROOM_ID_MAX + 1];
	char publish_key[2 * ROOM_KEY_BYTES + 1];
	char listen_key[2 * ROOM_KEY_BYTES + 1];	/* "" = anyone may listen */
	unsigned int max_peers;
	int channel;			/* foh channel fed by the publisher, 0 = none */
	char *prev_input;		/* that channel's Input before the room took it */
	char *programme;		/* node the listeners hear ("" = derived) */
	struct room_peer *feeding;	/* the publisher on the channel's Input */
	bool fed;			/* ... and fohd took it */
	guint restart_id;		/* the programme reconnects soon */
	GPtrArray *peers;		/* struct room_peer* */
	struct rm_prog *prog;		/* while listeners exist */
	int64_t created, empty_since;	/* µs monotonic */
	uint64_t joins, refusals;
};

struct rooms_sig;

struct room_peer {
	struct room *room;
	struct rooms_sig *sig;		/* its signalling socket (rooms-signal.c) */
	char id[12];
	char node[64];			/* foh.room.<id>.<peer> (publishers) */
	bool publisher;
	SoupWebsocketConnection *conn;	/* NULL once gone */
	struct rm_peer *media;
	char ice[16];
	int64_t joined, bad_since, connected_at;
	unsigned int sent, candidates;
	bool have_stats;
	struct rm_stats st;
};

#define ROOMS_STATS(X) X(rooms_created) X(rooms_expired) X(joins) X(leaves) \
	X(refused_key) X(refused_full) X(refused_message) X(peers_failed)

struct web_rooms {
	struct web *w;
	bool enabled;
	unsigned int max_rooms, max_peers, max_publishers;
	unsigned int empty_expiry, peer_timeout, connect_timeout;	/* s */
	unsigned int default_channel;	/* 0 = the first channel with an empty Input */
	struct rm_conf mc;
	const char *missing;		/* a missing GStreamer element, or NULL */
	GHashTable *rooms;		/* id → struct room* */
	guint tick_id;
	struct {
#define X(n) uint64_t n;
		ROOMS_STATS(X)
#undef X
	} stats;
};

/* rooms.c */
struct room_req {
	const char *id;			/* NULL = random */
	gint64 channel;			/* -1 = [rooms] channel or the first free, 0 = none */
	const char *programme;		/* NULL = derived */
	bool listen_key;
	unsigned int max_peers;		/* 0 = [rooms] max-peers */
};
/* Creates a room (HTTP and D-Bus alike); NULL with an HTTP status, a D-Bus
 * error name and why when refused, nothing changed. */
struct room *rooms_create(struct web_rooms *rs, const struct room_req *q, unsigned int *status,
		const char **error, const char **why);
/* Closes a room: its peers leave, its channel gets its Input back. */
bool rooms_close(struct web_rooms *rs, const char *id);
const char *rooms_programme(struct room *r, char *buf, size_t size);
struct room *rooms_find(struct web_rooms *rs, const char *id);
bool rooms_key_equal(const char *given, const char *key);
bool rooms_valid_id(const char *id);
/* Adds a peer to room (caps checked by the caller); NULL and why on failure. */
struct room_peer *rooms_peer_add(struct room *r, bool publisher, SoupWebsocketConnection *conn,
		const char **error, const char **why);
/* Removes and frees the peer; closes its socket with why when it has one. */
void rooms_peer_remove(struct room_peer *p, const char *why);
unsigned int rooms_count(struct room *r, bool publishers);
/* Sends one JSON object to the peer's socket (capped at ROOM_MAX_SENT). */
void rooms_peer_send(struct room_peer *p, JsonBuilder *b);
void rooms_send_error(SoupWebsocketConnection *conn, const char *name, const char *why);
void rooms_peer_json(struct room_peer *p, JsonBuilder *b);

/* rooms-signal.c */
void rooms_signal_install(struct web *w, SoupServer *s);
/* The socket forgets the peer (it is being removed). */
void rooms_sig_forget(struct room_peer *p);
extern const struct rm_events rooms_media_events;
