/* The rooms' signalling WebSocket, /api/rooms/signal: JSON text messages,
 * one peer per socket. The guard (Host, Origin, token, allow-list) has
 * passed before the handshake reaches this file.
 *
 * Browser → foh:
 *   {"type":"join","room":ID,"role":"publisher"|"listener","key":K}
 *   {"type":"offer","sdp":S}           publishers: the browser offers
 *   {"type":"answer","sdp":S}          listeners: answer to foh's offer
 *   {"type":"candidate","candidate":C,"sdpMLineIndex":N}
 *   {"type":"stats"}                   this peer's statistics
 *   {"type":"leave"}
 * foh → browser: joined {room, peer, role, node, channel, programme,
 *   ice_servers}, offer / answer {sdp}, candidate {candidate,
 *   sdpMLineIndex}, ice {state}, stats {peer}, error {error, message}.
 *
 * Every message is checked before anything changes: a JSON object with a
 * known type and members of the right types; SDP at most ROOM_MAX_SDP
 * bytes, a candidate at most ROOM_MAX_CAND bytes and ROOM_MAX_CANDS of
 * them, at most w->max_message bytes in all. A refusal is an error message
 * with a name (org.foh.Web1.Error.WrongKey, .NotFound, .Full, .BadMessage,
 * .NotJoined, ...); a refused join closes the socket. A socket that has not
 * joined within JOIN_TIMEOUT_S is closed; sockets still to join are capped. */
#include <string.h>

#include "foh-web/rooms.h"
#include "util/log.h"

#define JOIN_TIMEOUT_S	10
#define MAX_UNJOINED	64

struct rooms_sig {
	struct web *w;
	SoupWebsocketConnection *conn;
	struct room_peer *peer;
	guint join_timer;
};

static unsigned int n_unjoined;

void rooms_send_error(SoupWebsocketConnection *conn, const char *name, const char *why)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *text = NULL;

	if (conn == NULL || soup_websocket_connection_get_state(conn) != SOUP_WEBSOCKET_STATE_OPEN)
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "error");
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, why);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	text = web_json_string(node);
	soup_websocket_connection_send_text(conn, text);
}

void rooms_peer_send(struct room_peer *p, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	g_autofree char *text = NULL;

	if (p->conn == NULL ||
	    soup_websocket_connection_get_state(p->conn) != SOUP_WEBSOCKET_STATE_OPEN ||
	    p->sent >= ROOM_MAX_SENT)
		return;
	p->sent++;
	text = web_json_string(node);
	soup_websocket_connection_send_text(p->conn, text);
}

static void refuse(struct rooms_sig *s, const char *name, const char *why, bool close)
{
	struct web_rooms *rs = s->w->rooms;

	rs->stats.refused_message += strcmp(name, "org.foh.Web1.Error.WrongKey") != 0;
	s->w->stats.refused_message++;
	rooms_send_error(s->conn, name, why);
	if (close && soup_websocket_connection_get_state(s->conn) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(s->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, name);
}

/* Media events (main loop) */

static void ev_sdp(void *data, const char *type, const char *sdp)
{
	struct room_peer *p = data;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, type);
	json_builder_set_member_name(b, "sdp");
	json_builder_add_string_value(b, sdp);
	json_builder_end_object(b);
	rooms_peer_send(p, b);
}

static void ev_candidate(void *data, unsigned int mline, const char *candidate)
{
	struct room_peer *p = data;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "candidate");
	json_builder_set_member_name(b, "candidate");
	json_builder_add_string_value(b, candidate);
	json_builder_set_member_name(b, "sdpMLineIndex");
	json_builder_add_int_value(b, mline);
	json_builder_end_object(b);
	rooms_peer_send(p, b);
}

static void ev_ice(void *data, const char *state)
{
	struct room_peer *p = data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int64_t now = web_now();

	g_strlcpy(p->ice, state, sizeof(p->ice));
	if (strcmp(state, "connected") == 0 || strcmp(state, "completed") == 0) {
		if (p->connected_at == 0)
			p->connected_at = now;
		p->bad_since = 0;
	} else if ((strcmp(state, "failed") == 0 || strcmp(state, "disconnected") == 0) &&
			p->bad_since == 0) {
		p->bad_since = now;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "ice");
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, state);
	json_builder_end_object(b);
	rooms_peer_send(p, b);
}

static void ev_stats(void *data, const struct rm_stats *st)
{
	struct room_peer *p = data;

	p->st = *st;
	p->have_stats = true;
}

static void ev_error(void *data, const char *why)
{
	struct room_peer *p = data;

	foh_warn("room %s, peer %s: %s", p->room->id, p->id, why);
	rooms_send_error(p->conn, "org.foh.Web1.Error.Failed", why);
	rooms_peer_remove(p, "media error");
}

const struct rm_events rooms_media_events = {
	.sdp = ev_sdp,
	.candidate = ev_candidate,
	.ice_state = ev_ice,
	.stats = ev_stats,
	.error = ev_error,
};

/* Messages */

static const char *get_string(JsonObject *o, const char *name, size_t max, bool *bad)
{
	JsonNode *n = json_object_get_member(o, name);
	const char *s;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING ||
	    strlen(s = json_node_get_string(n)) > max) {
		*bad = true;
		return NULL;
	}
	return s;
}

static void send_joined(struct rooms_sig *s, struct room_peer *p)
{
	struct web_rooms *rs = s->w->rooms;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct room *r = p->room;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "joined");
	json_builder_set_member_name(b, "room");
	json_builder_add_string_value(b, r->id);
	json_builder_set_member_name(b, "peer");
	json_builder_add_string_value(b, p->id);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, p->publisher ? "publisher" : "listener");
	if (p->publisher) {
		json_builder_set_member_name(b, "node");
		json_builder_add_string_value(b, p->node);
	}
	json_builder_set_member_name(b, "channel");
	if (r->channel > 0)
		json_builder_add_int_value(b, r->channel);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "ice_servers");
	json_builder_begin_array(b);
	if (rs->mc.stun && rs->mc.stun[0]) {
		g_autofree char *url = g_strconcat("stun:", rs->mc.stun + strlen("stun://"), NULL);
		json_builder_add_string_value(b, url);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	rooms_peer_send(p, b);
}

static void do_join(struct rooms_sig *s, JsonObject *o)
{
	struct web_rooms *rs = s->w->rooms;
	const char *id, *role, *key = "", *error, *why;
	bool bad = false, publisher;
	struct room *r;
	struct room_peer *p;

	if (s->peer)
		return refuse(s, "org.foh.Web1.Error.BadMessage", "this socket has joined already", false);
	id = get_string(o, "room", ROOM_ID_MAX, &bad);
	role = get_string(o, "role", 16, &bad);
	if (json_object_has_member(o, "key"))
		key = get_string(o, "key", 128, &bad);
	if (bad || !rooms_valid_id(id) ||
	    (strcmp(role, "publisher") != 0 && strcmp(role, "listener") != 0))
		return refuse(s, "org.foh.Web1.Error.BadMessage",
				"join: {\"type\":\"join\",\"room\":ID,\"role\":\"publisher\"|\"listener\","
				"\"key\":KEY}", true);
	if (!rs->enabled)
		return refuse(s, "org.foh.Web1.Error.Disabled", "rooms are off", true);
	if ((r = rooms_find(rs, id)) == NULL)
		return refuse(s, "org.foh.Foh1.Error.NotFound", "no such room", true);
	publisher = role[0] == 'p';
	if (publisher ? !rooms_key_equal(key, r->publish_key) :
			(r->listen_key[0] && !rooms_key_equal(key, r->listen_key))) {
		rs->stats.refused_key++;
		r->refusals++;
		foh_info("room %s: a %s's key is wrong", r->id, role);
		return refuse(s, "org.foh.Web1.Error.WrongKey", publisher ?
				"publishing needs the room's publish key" :
				"listening to this room needs its listen key", true);
	}
	if ((p = rooms_peer_add(r, publisher, s->conn, &error, &why)) == NULL)
		return refuse(s, error, why, true);
	p->sig = s;
	s->peer = p;
	if (s->join_timer) {
		g_source_remove(s->join_timer);
		s->join_timer = 0;
		n_unjoined--;
	}
	send_joined(s, p);
}

static void do_sdp(struct rooms_sig *s, JsonObject *o, const char *type)
{
	bool bad = false;
	const char *sdp = get_string(o, "sdp", ROOM_MAX_SDP, &bad);
	g_autofree char *why = NULL;

	if (s->peer == NULL)
		return refuse(s, "org.foh.Web1.Error.NotJoined", "join a room first", false);
	if (bad)
		return refuse(s, "org.foh.Web1.Error.BadMessage",
				"sdp: a string of at most 16384 bytes", false);
	if (!rm_peer_remote_sdp(s->peer->media, type, sdp, &why))
		return refuse(s, "org.foh.Web1.Error.BadMessage", why, false);
}

static void do_candidate(struct rooms_sig *s, JsonObject *o)
{
	bool bad = false;
	const char *c = get_string(o, "candidate", ROOM_MAX_CAND, &bad);
	JsonNode *m = json_object_get_member(o, "sdpMLineIndex");
	gint64 mline;

	if (s->peer == NULL)
		return refuse(s, "org.foh.Web1.Error.NotJoined", "join a room first", false);
	if (bad || m == NULL || !JSON_NODE_HOLDS_VALUE(m) ||
	    json_node_get_value_type(m) != G_TYPE_INT64 ||
	    (mline = json_node_get_int(m)) < 0 || mline > 15 ||
	    (c[0] && !g_str_has_prefix(c, "candidate:") && !g_str_has_prefix(c, "a=candidate:")) ||
	    strpbrk(c, "\r\n"))
		return refuse(s, "org.foh.Web1.Error.BadMessage",
				"candidate: {\"candidate\":\"candidate:…\" (one line, ≤ 512 bytes),"
				"\"sdpMLineIndex\":0..15}", false);
	if (++s->peer->candidates > ROOM_MAX_CANDS)
		return refuse(s, "org.foh.Web1.Error.TooMany", "too many ICE candidates", false);
	rm_peer_add_candidate(s->peer->media, (unsigned int)mline, c);
}

static void do_stats(struct rooms_sig *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (s->peer == NULL)
		return refuse(s, "org.foh.Web1.Error.NotJoined", "join a room first", false);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "stats");
	json_builder_set_member_name(b, "peer");
	rooms_peer_json(s->peer, b);
	json_builder_end_object(b);
	rooms_peer_send(s->peer, b);
}

static void on_message(SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer data)
{
	struct rooms_sig *s = data;
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize n;
	const char *text = g_bytes_get_data(message, &n);
	JsonNode *root;
	JsonObject *o;
	const char *t;

	s->w->stats.ws_messages++;
	if (type != SOUP_WEBSOCKET_DATA_TEXT || n > s->w->max_message ||
	    !json_parser_load_from_data(parser, text, (gssize)n, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return refuse(s, "org.foh.Web1.Error.BadMessage", "a message is one JSON object (text)",
				false);
	o = json_node_get_object(root);
	t = json_object_get_string_member_with_default(o, "type", "");
	if (json_object_get_member(o, "type") == NULL ||
	    json_node_get_value_type(json_object_get_member(o, "type")) != G_TYPE_STRING)
		t = "";
	if (strcmp(t, "join") == 0)
		do_join(s, o);
	else if (strcmp(t, "offer") == 0 || strcmp(t, "answer") == 0)
		do_sdp(s, o, t);
	else if (strcmp(t, "candidate") == 0)
		do_candidate(s, o);
	else if (strcmp(t, "stats") == 0)
		do_stats(s);
	else if (strcmp(t, "leave") == 0) {
		if (s->peer)
			rooms_peer_remove(s->peer, "left");
	} else
		refuse(s, "org.foh.Web1.Error.BadMessage",
				"type: join, offer, answer, candidate, stats or leave", false);
}

/* Sockets */

static void sig_free(struct rooms_sig *s)
{
	if (s->join_timer) {
		g_source_remove(s->join_timer);
		n_unjoined--;
	}
	g_signal_handlers_disconnect_by_data(s->conn, s);
	g_object_unref(s->conn);
	g_free(s);
}

void rooms_sig_forget(struct room_peer *p)
{
	struct rooms_sig *s = p->sig;

	if (s == NULL)
		return;
	s->peer = NULL;
	p->sig = NULL;
}

static void on_closed(SoupWebsocketConnection *conn, gpointer data)
{
	struct rooms_sig *s = data;

	if (s->peer)
		rooms_peer_remove(s->peer, "its socket closed");
	sig_free(s);
}

static gboolean on_join_timeout(gpointer data)
{
	struct rooms_sig *s = data;

	s->join_timer = 0;
	n_unjoined--;
	refuse(s, "org.foh.Web1.Error.Timeout", "no join within 10 s", true);
	return G_SOURCE_REMOVE;
}

static void signal_ws(SoupServer *server, SoupServerMessage *msg, const char *path,
		SoupWebsocketConnection *conn, gpointer data)
{
	struct web *w = data;
	struct rooms_sig *s;

	w->stats.ws_connects++;
	if (n_unjoined >= MAX_UNJOINED) {
		w->stats.refused_clients++;
		soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
				"too many sockets waiting to join");
		return;
	}
	s = g_new0(struct rooms_sig, 1);
	s->w = w;
	s->conn = g_object_ref(conn);
	soup_websocket_connection_set_max_incoming_payload_size(conn, w->max_message);
	soup_websocket_connection_set_keepalive_interval(conn, 0);
	s->join_timer = g_timeout_add_seconds(JOIN_TIMEOUT_S, on_join_timeout, s);
	n_unjoined++;
	g_signal_connect(conn, "message", G_CALLBACK(on_message), s);
	g_signal_connect(conn, "closed", G_CALLBACK(on_closed), s);
}

void rooms_signal_install(struct web *w, SoupServer *s)
{
	soup_server_add_websocket_handler(s, "/api/rooms/signal", NULL, NULL, signal_ws, w, NULL);
}
