/* foh-web's rooms: browsers publish into the PipeWire graph and listen to
 * what foh makes of it, over WebRTC (rooms-media.c), signalled over
 * /api/rooms/signal (rooms-signal.c).
 *
 * A room has an id, a publish key and optionally a listen key (32 hex
 * digits from getrandom, compared in constant time), a cap on peers, and a
 * foh channel: its Input is set over D-Bus to the node of the room's first
 * publisher (foh.room.<id>.<peer>) while that publisher is there, then to
 * the next one, and back to what it was when the last one leaves. The
 * channel is the creation parameter "channel", else [rooms] channel, else
 * the first channel whose Input is empty and that no other room holds; a
 * room created with "channel": 0 feeds none. Listeners hear the room's
 * programme: the node "programme" names, else the channel's output
 * (foh.chN.playback), else the first publisher's node; it is encoded once
 * per room and fanned out.
 *
 * A peer whose ICE fails or disconnects is removed after [rooms]
 * peer-timeout seconds unless it recovers; one that never connects, after
 * connect-timeout; a room without peers expires after empty-expiry.
 *
 * Routes: POST /api/rooms (create), GET /api/rooms (list, no keys),
 * GET /api/rooms/<id>, and the page /rooms, /rooms/<id> (web/rooms.html).
 *
 * [rooms] keys (foh-web.conf), all optional:
 *   enabled = true          false: every route answers 503
 *   max-rooms = 16          rooms at once
 *   max-peers = 32          peers per room (a room may ask for fewer)
 *   max-publishers = 4      publishers per room
 *   empty-expiry = 300      s an empty room lives
 *   peer-timeout = 10       s a failed connection has to recover
 *   connect-timeout = 30    s a new peer has to connect
 *   channel = 0             the rooms' default channel (0 = first free)
 *   jitter-ms = 20          publishers' jitter buffer: the wait for a missing packet
 *   bitrate = 96000         programme Opus bit rate
 *   frame-ms = 10           programme Opus frame (2.5 → 2, 5, 10, 20)
 *   stun-server =           stun://host:port, for peers beyond the LAN
 *   turn-server =           turn(s)://user:pass@host:port */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "foh-web/rooms.h"
#include "util/log.h"

#define TICK_MS 1000

static struct web_rooms *rooms_get(struct web *w)
{
	struct web_rooms *rs = w->rooms;

	if (rs)
		return rs;
	rs = w->rooms = g_new0(struct web_rooms, 1);
	rs->w = w;
	rs->enabled = true;
	rs->max_rooms = 16;
	rs->max_peers = 32;
	rs->max_publishers = 4;
	rs->empty_expiry = 300;
	rs->peer_timeout = 10;
	rs->connect_timeout = 30;
	rs->mc.jitter_ms = 20;
	rs->mc.bitrate = 96000;
	rs->mc.frame_ms = 10;
	return rs;
}

/* Config */

static int conf_uint(GKeyFile *kf, const char *path, const char *key, guint64 lo, guint64 hi,
		unsigned int *out)
{
	g_autofree char *text = NULL;
	guint64 v;

	if (!g_key_file_has_key(kf, "rooms", key, NULL))
		return 0;
	text = g_key_file_get_string(kf, "rooms", key, NULL);
	if (text == NULL || !g_ascii_string_to_unsigned(g_strstrip(text), 10, lo, hi, &v, NULL)) {
		fprintf(stderr, "foh-web: %s: [rooms] %s: not an integer %" G_GUINT64_FORMAT "..%"
				G_GUINT64_FORMAT "\n", path, key, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

int web_rooms_config(struct web *w, GKeyFile *kf, const char *path)
{
	static const char *const known[] = { "enabled", "max-rooms", "max-peers",
		"max-publishers", "empty-expiry", "peer-timeout", "connect-timeout", "channel",
		"jitter-ms", "bitrate", "frame-ms", "stun-server", "turn-server" };
	struct web_rooms *rs = rooms_get(w);
	g_auto(GStrv) keys = g_key_file_get_keys(kf, "rooms", NULL, NULL);
	g_autoptr(GError) err = NULL;
	int r = 0;

	for (size_t k = 0; keys && keys[k]; k++) {
		bool ok = false;
		for (size_t j = 0; j < G_N_ELEMENTS(known); j++)
			ok = ok || strcmp(keys[k], known[j]) == 0;
		if (!ok) {
			fprintf(stderr, "foh-web: %s: [rooms] %s: unknown key\n", path, keys[k]);
			return -EINVAL;
		}
	}
	if (g_key_file_has_key(kf, "rooms", "enabled", NULL)) {
		rs->enabled = g_key_file_get_boolean(kf, "rooms", "enabled", &err);
		if (err) {
			fprintf(stderr, "foh-web: %s: [rooms] enabled: not true or false\n", path);
			return -EINVAL;
		}
	}
	if ((r = conf_uint(kf, path, "max-rooms", 1, 1024, &rs->max_rooms)) < 0 ||
	    (r = conf_uint(kf, path, "max-peers", 1, 1024, &rs->max_peers)) < 0 ||
	    (r = conf_uint(kf, path, "max-publishers", 1, 64, &rs->max_publishers)) < 0 ||
	    (r = conf_uint(kf, path, "empty-expiry", 1, 86400, &rs->empty_expiry)) < 0 ||
	    (r = conf_uint(kf, path, "peer-timeout", 1, 600, &rs->peer_timeout)) < 0 ||
	    (r = conf_uint(kf, path, "connect-timeout", 1, 600, &rs->connect_timeout)) < 0 ||
	    (r = conf_uint(kf, path, "channel", 0, 64, &rs->default_channel)) < 0 ||
	    (r = conf_uint(kf, path, "jitter-ms", 0, 1000, &rs->mc.jitter_ms)) < 0 ||
	    (r = conf_uint(kf, path, "bitrate", 6000, 510000, &rs->mc.bitrate)) < 0 ||
	    (r = conf_uint(kf, path, "frame-ms", 2, 20, &rs->mc.frame_ms)) < 0)
		return r;
	if (rs->mc.frame_ms != 2 && rs->mc.frame_ms != 5 && rs->mc.frame_ms != 10 &&
	    rs->mc.frame_ms != 20) {
		fprintf(stderr, "foh-web: %s: [rooms] frame-ms: one of 2 (2.5), 5, 10, 20\n", path);
		return -EINVAL;
	}
	g_free(rs->mc.stun);
	g_free(rs->mc.turn);
	rs->mc.stun = g_key_file_get_string(kf, "rooms", "stun-server", NULL);
	rs->mc.turn = g_key_file_get_string(kf, "rooms", "turn-server", NULL);
	if (rs->mc.stun && rs->mc.stun[0] && !g_str_has_prefix(g_strstrip(rs->mc.stun), "stun://")) {
		fprintf(stderr, "foh-web: %s: [rooms] stun-server: stun://host:port\n", path);
		return -EINVAL;
	}
	if (rs->mc.turn && rs->mc.turn[0] && !g_str_has_prefix(g_strstrip(rs->mc.turn), "turn://") &&
	    !g_str_has_prefix(rs->mc.turn, "turns://")) {
		fprintf(stderr, "foh-web: %s: [rooms] turn-server: turn(s)://user:pass@host:port\n",
				path);
		return -EINVAL;
	}
	return 0;
}

/* Small helpers */

bool rooms_valid_id(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n <= ROOM_ID_MAX &&
		strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n && strcmp(id, "signal") != 0;
}

/* Constant time in the key's length: a wrong key says nothing of the
 * right one. */
bool rooms_key_equal(const char *given, const char *key)
{
	size_t lg = strlen(given), lk = strlen(key);
	unsigned char d = lg != lk;

	for (size_t i = 0; i < lk; i++)
		d |= (unsigned char)(given[i < lg ? i : 0] ^ key[i]);
	return d == 0 && lk > 0;
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[32];

	g_assert(bytes <= sizeof(raw));
	if (getrandom(raw, bytes, 0) != (ssize_t)bytes)
		g_error("getrandom failed");
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

struct room *rooms_find(struct web_rooms *rs, const char *id)
{
	return rs && rs->rooms ? g_hash_table_lookup(rs->rooms, id) : NULL;
}

unsigned int rooms_count(struct room *r, bool publishers)
{
	unsigned int n = 0;

	for (guint i = 0; i < r->peers->len; i++)
		n += ((struct room_peer *)r->peers->pdata[i])->publisher == publishers;
	return n;
}

/* The channel: D-Bus calls to fohd */

static char *channel_path(int n)
{
	return g_strdup_printf(FOH_ROOT "/channel/%d", n);
}

static int get_input(struct web *w, int n, char **out)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	g_autofree char *path = channel_path(n);
	const char *s;
	int r;

	if ((r = web_new_call(w, &m, path, "org.freedesktop.DBus.Properties", "Get")) < 0 ||
	    (r = sd_bus_message_append(m, "ss", FOH_IFACE("Channel"), "Input")) < 0 ||
	    (r = web_call(w, m, &reply, &e)) < 0 ||
	    (r = sd_bus_message_read(reply, "v", "s", &s)) < 0)
		goto out;
	*out = g_strdup(s);
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r;
}

static int set_input(struct web *w, int n, const char *node, bool quiet)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	g_autofree char *path = channel_path(n);
	int r;

	if ((r = web_new_call(w, &m, path, "org.freedesktop.DBus.Properties", "Set")) >= 0 &&
	    (r = sd_bus_message_append(m, "ssv", FOH_IFACE("Channel"), "Input", "s", node)) >= 0)
		r = web_call(w, m, NULL, &e);
	if (r < 0 && !quiet)
		foh_warn("rooms: cannot set channel %d's Input to '%s': %s", n, node,
				e.message ? e.message : strerror(-r));
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	return r;
}

static bool channel_held(struct web_rooms *rs, int n)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, rs->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct room *)v)->channel == n)
			return true;
	return false;
}

/* The channel a new room takes: want > 0 that one (it must exist and be
 * free of other rooms), want < 0 the first with an empty Input. */
static int channel_claim(struct web_rooms *rs, int want, char **prev, const char **why)
{
	char *input = NULL;

	if (want > 0) {
		if (channel_held(rs, want)) {
			*why = "another room feeds that channel";
			return -EBUSY;
		}
		if (get_input(rs->w, want, &input) < 0) {
			*why = "no such channel (or fohd is not running)";
			return -ENOENT;
		}
		*prev = input;
		return want;
	}
	for (int n = 1; n <= 64; n++) {
		if (channel_held(rs, n))
			continue;
		if (get_input(rs->w, n, &input) < 0)
			break;
		if (input[0] == '\0') {
			*prev = input;
			return n;
		}
		g_free(input);
	}
	*why = "every foh channel already has an Input (name one with \"channel\", or 0 for none)";
	return -ENOSPC;
}

static gboolean restart_programme(gpointer data)
{
	struct room *r = data;

	r->restart_id = 0;
	if (r->prog)
		rm_prog_restart(r->prog);
	return G_SOURCE_REMOVE;
}

/* Puts the room's first publisher on its channel's Input (or restores the
 * Input it had). fohd takes only a node that exists, and a publisher's node
 * appears once its first audio arrives: the tick calls this again until it
 * succeeds. */
static void channel_update(struct room *r)
{
	struct room_peer *first = NULL;

	if (r->channel <= 0)
		return;
	for (guint i = 0; i < r->peers->len && !first; i++)
		if (((struct room_peer *)r->peers->pdata[i])->publisher)
			first = r->peers->pdata[i];
	if (first == r->feeding && r->fed)
		return;
	if (first && first->connected_at == 0)
		return;
	r->feeding = first;
	r->fed = set_input(r->rs->w, r->channel, first ? first->node : r->prev_input,
			first && web_now() - first->connected_at < 5000000) >= 0;
	/* fohd rebuilds a channel's streams when its Input changes: the
	 * programme reconnects to the new foh.chN.playback once it is there */
	if (r->fed && r->prog && !(r->programme && r->programme[0])) {
		if (r->restart_id)
			g_source_remove(r->restart_id);
		r->restart_id = g_timeout_add(300, restart_programme, r);
	}
}

static const char *room_programme(struct room *r, char *buf, size_t n)
{
	if (r->programme && r->programme[0])
		return r->programme;
	if (r->channel > 0) {
		snprintf(buf, n, "foh.ch%d.playback", r->channel);
		return buf;
	}
	for (guint i = 0; i < r->peers->len; i++) {
		struct room_peer *p = r->peers->pdata[i];
		if (p->publisher)
			return p->node;
	}
	return NULL;
}

/* Peers */

struct room_peer *rooms_peer_add(struct room *r, bool publisher, SoupWebsocketConnection *conn,
		const char **error, const char **why)
{
	struct web_rooms *rs = r->rs;
	struct room_peer *p;
	char buf[64];

	if (rs->missing) {
		*error = "org.foh.Web1.Error.Unavailable";
		*why = "this foh-web cannot carry audio: a GStreamer element is missing (see /health)";
		return NULL;
	}
	if (r->peers->len >= r->max_peers || (publisher && rooms_count(r, true) >= rs->max_publishers)) {
		rs->stats.refused_full++;
		r->refusals++;
		*error = "org.foh.Web1.Error.Full";
		*why = publisher ? "the room has as many publishers as it may" :
			"the room has as many peers as it may";
		return NULL;
	}
	p = g_new0(struct room_peer, 1);
	p->room = r;
	p->publisher = publisher;
	p->joined = web_now();
	g_strlcpy(p->ice, "new", sizeof(p->ice));
	p->conn = g_object_ref(conn);
	do
		random_hex(p->id, 4);
	while (g_str_has_prefix(p->id, "0"));	/* ids never look like numbers with zeros */
	snprintf(p->node, sizeof(p->node), "foh.room.%s.%s", r->id, p->id);
	if (publisher) {
		p->media = rm_publisher_new(&rs->mc, p->node, &rooms_media_events, p);
	} else {
		const char *target = room_programme(r, buf, sizeof(buf));
		if (target == NULL) {
			*error = "org.foh.Web1.Error.NotReady";
			*why = "the room has no programme yet: no channel, no node named, no publisher";
			goto error;
		}
		if (r->prog == NULL)
			r->prog = rm_prog_new(&rs->mc, target);
		if (r->prog)
			p->media = rm_listener_new(r->prog, &rs->mc, &rooms_media_events, p);
	}
	if (p->media == NULL) {
		*error = "org.foh.Web1.Error.Failed";
		*why = "the media pipeline does not start (see foh-web's log)";
		goto error;
	}
	g_ptr_array_add(r->peers, p);
	r->empty_since = 0;
	r->joins++;
	rs->stats.joins++;
	foh_info("room %s: %s %s joined", r->id, publisher ? "publisher" : "listener", p->id);
	return p;
error:
	if (r->prog && rm_prog_listeners(r->prog) == 0) {
		rm_prog_free(r->prog);
		r->prog = NULL;
	}
	g_object_unref(p->conn);
	g_free(p);
	return NULL;
}

void rooms_peer_remove(struct room_peer *p, const char *why)
{
	struct room *r = p->room;

	if (!g_ptr_array_remove(r->peers, p))
		return;
	foh_info("room %s: %s %s leaves (%s)", r->id, p->publisher ? "publisher" : "listener",
			p->id, why);
	r->rs->stats.leaves++;
	rm_peer_free(p->media);
	rooms_sig_forget(p);
	if (p->conn) {
		if (soup_websocket_connection_get_state(p->conn) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(p->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, why);
		g_object_unref(p->conn);
	}
	if (p->publisher) {
		if (r->feeding == p) {
			r->feeding = NULL;
			r->fed = false;
		}
		channel_update(r);
	}
	if (r->prog && rm_prog_listeners(r->prog) == 0) {
		rm_prog_free(r->prog);
		r->prog = NULL;
	}
	if (r->peers->len == 0)
		r->empty_since = web_now();
	g_free(p);
}

/* Rooms */

static void room_free(gpointer data)
{
	struct room *r = data;

	while (r->peers->len > 0)
		rooms_peer_remove(r->peers->pdata[r->peers->len - 1], "the room closes");
	if (r->restart_id)
		g_source_remove(r->restart_id);
	if (r->channel > 0 && r->feeding)
		(void)set_input(r->rs->w, r->channel, r->prev_input, false);
	g_ptr_array_free(r->peers, TRUE);
	g_free(r->prev_input);
	g_free(r->programme);
	g_free(r);
}

static bool valid_node_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 128 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789._-:") == n;
}

static void room_json(struct room *r, JsonBuilder *b, bool keys)
{
	char buf[64];
	const char *prog = room_programme(r, buf, sizeof(buf));

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, r->id);
	if (keys) {
		json_builder_set_member_name(b, "publish_key");
		json_builder_add_string_value(b, r->publish_key);
		json_builder_set_member_name(b, "listen_key");
		if (r->listen_key[0])
			json_builder_add_string_value(b, r->listen_key);
		else
			json_builder_add_null_value(b);
	} else {
		json_builder_set_member_name(b, "listen_key_required");
		json_builder_add_boolean_value(b, r->listen_key[0] != '\0');
	}
	json_builder_set_member_name(b, "channel");
	if (r->channel > 0)
		json_builder_add_int_value(b, r->channel);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "programme");
	if (prog)
		json_builder_add_string_value(b, prog);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "max_peers");
	json_builder_add_int_value(b, r->max_peers);
	/* encoded once: these grow at the packet rate whatever the listeners */
	json_builder_set_member_name(b, "programme_packets");
	json_builder_add_int_value(b, r->prog ? (gint64)rm_prog_packets(r->prog) : 0);
	json_builder_set_member_name(b, "publishers");
	json_builder_add_int_value(b, rooms_count(r, true));
	json_builder_set_member_name(b, "listeners");
	json_builder_add_int_value(b, rooms_count(r, false));
	json_builder_set_member_name(b, "peers");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->peers->len; i++)
		rooms_peer_json(r->peers->pdata[i], b);
	json_builder_end_array(b);
	if (keys) {
		g_autofree char *pub = g_strdup_printf("/rooms/%s?role=publisher&key=%s&autostart=1",
				r->id, r->publish_key);
		g_autofree char *lis = g_strdup_printf("/rooms/%s?role=listener%s%s&autostart=1",
				r->id, r->listen_key[0] ? "&key=" : "", r->listen_key);
		json_builder_set_member_name(b, "publish_url");
		json_builder_add_string_value(b, pub);
		json_builder_set_member_name(b, "listen_url");
		json_builder_add_string_value(b, lis);
		json_builder_set_member_name(b, "signal");
		json_builder_add_string_value(b, "/api/rooms/signal");
	}
	json_builder_end_object(b);
}

static void add_num(JsonBuilder *b, const char *name, double v, bool known)
{
	json_builder_set_member_name(b, name);
	if (known && isfinite(v))
		json_builder_add_double_value(b, round(v * 100.0) / 100.0);
	else
		json_builder_add_null_value(b);
}

void rooms_peer_json(struct room_peer *p, JsonBuilder *b)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, p->id);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, p->publisher ? "publisher" : "listener");
	if (p->publisher) {
		json_builder_set_member_name(b, "node");
		json_builder_add_string_value(b, p->node);
	}
	json_builder_set_member_name(b, "ice");
	json_builder_add_string_value(b, p->ice);
	add_num(b, "bitrate_kbps", p->st.bitrate_kbps, p->have_stats);
	json_builder_set_member_name(b, "packets");
	json_builder_add_int_value(b, p->have_stats ? p->st.packets : 0);
	json_builder_set_member_name(b, "packets_lost");
	if (p->have_stats && p->st.packets_lost >= 0)
		json_builder_add_int_value(b, p->st.packets_lost);
	else
		json_builder_add_null_value(b);
	add_num(b, "jitter_ms", p->st.jitter_ms, p->have_stats && p->st.jitter_ms >= 0);
	add_num(b, "rtt_ms", p->st.rtt_ms, p->have_stats && p->st.rtt_ms >= 0);
	add_num(b, "connected_s", (double)(web_now() - p->connected_at) / 1e6, p->connected_at > 0);
	json_builder_end_object(b);
}

/* HTTP */

static void refuse(SoupServerMessage *msg, guint status, const char *name, const char *why)
{
	web_reply_error(msg, status, name, "%s", why);
}

static bool member_type(JsonObject *o, const char *name, GType t, bool *present)
{
	JsonNode *n = json_object_get_member(o, name);

	*present = n != NULL && !JSON_NODE_HOLDS_NULL(n);
	if (!*present)
		return true;
	if (t == JSON_TYPE_OBJECT)
		return false;
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == t;
}

struct room *rooms_create(struct web_rooms *rs, const struct room_req *q, unsigned int *status,
		const char **error, const char **why)
{
	struct room *r;
	gint64 ch = q->channel;
	char *prev = NULL;

	*status = 400;
	*error = "org.foh.Foh1.Error.InvalidArgument";
	if (q->id && !rooms_valid_id(q->id))
		return *why = "id: 1 to 32 of a-z, 0-9, '_' and '-' (not 'signal')", NULL;
	if (ch < -1 || ch > 64)
		return *why = "channel: a foh channel number, or 0 for none", NULL;
	if (q->programme && !valid_node_name(q->programme))
		return *why = "programme: a PipeWire node name (letters, digits, '.', '_', '-', ':')",
			NULL;
	if (q->max_peers > rs->max_peers)
		return *why = "max_peers: 1 up to [rooms] max-peers", NULL;
	if (g_hash_table_size(rs->rooms) >= rs->max_rooms) {
		*status = 429;
		*error = "org.foh.Web1.Error.Full";
		return *why = "foh-web has as many rooms as [rooms] max-rooms allows", NULL;
	}
	if (q->id && rooms_find(rs, q->id)) {
		*status = 409;
		*error = "org.foh.Web1.Error.Exists";
		return *why = "a room with that id exists", NULL;
	}
	if (ch < 0)
		ch = rs->default_channel > 0 ? (gint64)rs->default_channel : -1;
	if (ch != 0) {
		int r2 = channel_claim(rs, (int)ch, &prev, why);
		if (r2 < 0) {
			if (!rs->w->fohd_up) {
				*status = 503;
				*error = "org.foh.Web1.Error.Unavailable";
				return *why = "fohd is not running: no channel to feed", NULL;
			}
			*status = r2 == -ENOENT ? 404 : 409;
			*error = r2 == -ENOENT ? "org.foh.Foh1.Error.NotFound" : "org.foh.Web1.Error.Busy";
			return NULL;
		}
		ch = r2;
	}
	r = g_new0(struct room, 1);
	r->rs = rs;
	if (q->id)
		g_strlcpy(r->id, q->id, sizeof(r->id));
	else
		do
			random_hex(r->id, 4);
		while (rooms_find(rs, r->id));
	random_hex(r->publish_key, ROOM_KEY_BYTES);
	if (q->listen_key)
		random_hex(r->listen_key, ROOM_KEY_BYTES);
	r->channel = (int)ch;
	r->prev_input = prev ? prev : g_strdup("");
	r->programme = q->programme ? g_strdup(q->programme) : NULL;
	r->max_peers = q->max_peers > 0 ? q->max_peers : rs->max_peers;
	r->peers = g_ptr_array_new();
	r->created = r->empty_since = web_now();
	g_hash_table_insert(rs->rooms, r->id, r);
	rs->stats.rooms_created++;
	foh_info("room %s created (channel %d)", r->id, r->channel);
	*status = 201;
	return r;
}

bool rooms_close(struct web_rooms *rs, const char *id)
{
	if (rooms_find(rs, id) == NULL)
		return false;
	foh_info("room %s closes", id);
	return g_hash_table_remove(rs->rooms, id);
}

const char *rooms_programme(struct room *r, char *buf, size_t size)
{
	return room_programme(r, buf, size);
}

static void create_room(struct web_rooms *rs, SoupServerMessage *msg)
{
	static const char *const known[] = { "id", "channel", "programme", "listen_key",
		"max_peers" };
	g_autoptr(JsonNode) node = web_body_json(rs->w, msg);
	g_autoptr(JsonBuilder) b = NULL;
	JsonObject *o;
	struct room *r;
	struct room_req q = { .channel = -1 };
	const char *error = NULL, *why = NULL;
	unsigned int status;
	bool has_id, has_ch, has_prog, has_lk, has_max;
	gint64 max = 0;

	if (node == NULL)
		return;
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"the body is a JSON object: {id?, channel?, programme?, listen_key?, max_peers?}");
	o = json_node_get_object(node);
	{
		g_autoptr(GList) members = json_object_get_members(o);
		for (GList *l = members; l; l = l->next) {
			bool ok = false;
			for (size_t k = 0; k < G_N_ELEMENTS(known); k++)
				ok = ok || strcmp(l->data, known[k]) == 0;
			if (!ok)
				return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
						"unknown member; known: id, channel, programme, listen_key, max_peers");
		}
	}
	if (!member_type(o, "id", G_TYPE_STRING, &has_id))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"id: 1 to 32 of a-z, 0-9, '_' and '-' (not 'signal')");
	if (!member_type(o, "channel", G_TYPE_INT64, &has_ch) ||
	    (has_ch && ((q.channel = json_object_get_int_member(o, "channel")) < 0 ||
			q.channel > 64)))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"channel: a foh channel number, or 0 for none");
	if (!member_type(o, "programme", G_TYPE_STRING, &has_prog))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"programme: a PipeWire node name (letters, digits, '.', '_', '-', ':')");
	if (!member_type(o, "listen_key", G_TYPE_BOOLEAN, &has_lk))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"listen_key: true (listeners need a key) or false");
	if (!member_type(o, "max_peers", G_TYPE_INT64, &has_max) ||
	    (has_max && ((max = json_object_get_int_member(o, "max_peers")) < 1 ||
			max > rs->max_peers)))
		return refuse(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"max_peers: 1 up to [rooms] max-peers");
	q.id = has_id ? json_object_get_string_member(o, "id") : NULL;
	q.programme = has_prog ? json_object_get_string_member(o, "programme") : NULL;
	q.listen_key = has_lk && json_object_get_boolean_member(o, "listen_key");
	q.max_peers = (unsigned int)max;
	r = rooms_create(rs, &q, &status, &error, &why);
	if (r == NULL)
		return refuse(msg, status, error, why);
	b = json_builder_new();
	room_json(r, b, true);
	web_reply_builder(msg, 201, b);
}

static void rooms_api(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	struct web_rooms *rs = w->rooms;
	const char *method = soup_server_message_get_method(msg);
	const char *rest = path + strlen("/api/rooms");
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct room *r;

	if (!rs->enabled)
		return refuse(msg, 503, "org.foh.Web1.Error.Disabled", "rooms are off ([rooms] enabled)");
	if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
		if (strcmp(method, "POST") == 0)
			return create_room(rs, msg);
		if (strcmp(method, "GET") != 0)
			return refuse(msg, 405, "org.foh.Web1.Error.Method", "GET or POST");
		GHashTableIter it;
		gpointer v;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rooms");
		json_builder_begin_array(b);
		g_hash_table_iter_init(&it, rs->rooms);
		while (g_hash_table_iter_next(&it, NULL, &v))
			room_json(v, b, false);
		json_builder_end_array(b);
		json_builder_end_object(b);
		return web_reply_builder(msg, 200, b);
	}
	if (rest[0] != '/' || (r = rooms_find(rs, rest + 1)) == NULL)
		return refuse(msg, 404, "org.foh.Foh1.Error.NotFound", "no such room");
	if (strcmp(method, "GET") != 0)
		return refuse(msg, 405, "org.foh.Web1.Error.Method", "GET");
	room_json(r, b, false);
	web_reply_builder(msg, 200, b);
}

/* /rooms and /rooms/<id>: the rooms page, whatever follows */
static void rooms_page(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	g_autofree char *file = NULL, *text = NULL;
	gsize n;

	if (strcmp(soup_server_message_get_method(msg), "GET") != 0 &&
	    strcmp(soup_server_message_get_method(msg), "HEAD") != 0)
		return refuse(msg, 405, "org.foh.Web1.Error.Method", "GET");
	if (strncmp(path, "/rooms/", 7) == 0 && path[7] && !rooms_valid_id(path + 7))
		return refuse(msg, 404, "org.foh.Foh1.Error.NotFound", "not a room id");
	file = g_build_filename(w->static_dir ? w->static_dir : "", "rooms.html", NULL);
	if (!g_file_get_contents(file, &text, &n, NULL))
		return refuse(msg, 404, "org.foh.Foh1.Error.NotFound", "rooms.html is not installed");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
			g_steal_pointer(&text), n);
}

/* Statistics, expiry, timeouts */

void web_rooms_json(struct web *w, JsonBuilder *b)
{
	struct web_rooms *rs = w->rooms;
	GHashTableIter it;
	gpointer v;
	unsigned int pubs = 0, lis = 0, n_rtt = 0;
	double kbps = 0, rtt = 0;
	int64_t lost = 0;

	if (rs == NULL || rs->rooms == NULL)
		return;
	g_hash_table_iter_init(&it, rs->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct room *r = v;
		for (guint i = 0; i < r->peers->len; i++) {
			struct room_peer *p = r->peers->pdata[i];
			pubs += p->publisher;
			lis += !p->publisher;
			if (!p->have_stats)
				continue;
			kbps += p->st.bitrate_kbps;
			lost += p->st.packets_lost > 0 ? p->st.packets_lost : 0;
			if (p->st.rtt_ms >= 0) {
				rtt += p->st.rtt_ms;
				n_rtt++;
			}
		}
	}
	json_builder_set_member_name(b, "rooms");
	json_builder_add_int_value(b, g_hash_table_size(rs->rooms));
	json_builder_set_member_name(b, "publishers");
	json_builder_add_int_value(b, pubs);
	json_builder_set_member_name(b, "listeners");
	json_builder_add_int_value(b, lis);
	add_num(b, "bitrate_kbps", kbps, true);
	add_num(b, "latency_ms", n_rtt ? rtt / n_rtt : NAN, n_rtt > 0);
	json_builder_set_member_name(b, "packet_loss");
	json_builder_add_int_value(b, lost);
	json_builder_set_member_name(b, "room_list");
	json_builder_begin_array(b);
	g_hash_table_iter_init(&it, rs->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v))
		room_json(v, b, false);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "room_counters");
	json_builder_begin_object(b);
#define X(n) json_builder_set_member_name(b, #n); json_builder_add_int_value(b, (gint64)rs->stats.n);
	ROOMS_STATS(X)
#undef X
	json_builder_end_object(b);
}

void web_rooms_health(struct web *w, JsonBuilder *b)
{
	struct web_rooms *rs = w->rooms;

	json_builder_set_member_name(b, "rooms");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "enabled");
	json_builder_add_boolean_value(b, rs && rs->enabled);
	json_builder_set_member_name(b, "media");
	json_builder_add_boolean_value(b, rs && rs->missing == NULL);
	if (rs && rs->missing) {
		json_builder_set_member_name(b, "missing");
		json_builder_add_string_value(b, rs->missing);
	}
	json_builder_set_member_name(b, "channels");
	json_builder_add_boolean_value(b, w->fohd_up);
	json_builder_set_member_name(b, "rooms");
	json_builder_add_int_value(b, rs && rs->rooms ? g_hash_table_size(rs->rooms) : 0);
	json_builder_end_object(b);
}

static void peer_check(struct web_rooms *rs, struct room_peer *p, int64_t now)
{
	if (p->bad_since && now - p->bad_since > (int64_t)rs->peer_timeout * 1000000) {
		rs->stats.peers_failed++;
		rooms_send_error(p->conn, "org.foh.Web1.Error.ConnectionFailed",
				"the connection failed and did not recover in time");
		rooms_peer_remove(p, "connection failed");
		return;
	}
	if (p->connected_at == 0 && now - p->joined > (int64_t)rs->connect_timeout * 1000000) {
		rs->stats.peers_failed++;
		rooms_send_error(p->conn, "org.foh.Web1.Error.ConnectionFailed",
				"no media connection within [rooms] connect-timeout");
		rooms_peer_remove(p, "never connected");
		return;
	}
	rm_peer_poll_stats(p->media);
}

static gboolean on_tick(gpointer data)
{
	struct web_rooms *rs = data;
	int64_t now = web_now();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, rs->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct room *r = v;
		g_autoptr(GPtrArray) list = g_ptr_array_copy(r->peers, NULL, NULL);
		for (guint i = 0; i < list->len; i++)
			peer_check(rs, list->pdata[i], now);
		channel_update(r);
		if (r->peers->len == 0 && r->empty_since &&
		    now - r->empty_since > (int64_t)rs->empty_expiry * 1000000) {
			foh_info("room %s expires (empty for %u s)", r->id, rs->empty_expiry);
			rs->stats.rooms_expired++;
			g_hash_table_iter_remove(&it);
		}
	}
	if (web_events_wanted(rs->w, "rooms")) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "rooms");
		web_rooms_json(rs->w, b);
		json_builder_end_object(b);
		web_events_broadcast(rs->w, "rooms", b);
	}
	return G_SOURCE_CONTINUE;
}

int web_rooms_start(struct web *w)
{
	struct web_rooms *rs = rooms_get(w);

	rs->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
	if (!rs->enabled)
		return 0;
	rs->missing = rm_init();
	if (rs->missing)
		foh_warn("rooms: GStreamer element '%s' is missing: rooms cannot carry audio",
				rs->missing);
	rs->tick_id = g_timeout_add(TICK_MS, on_tick, rs);
	return 0;
}

void web_rooms_stop(struct web *w)
{
	struct web_rooms *rs = w->rooms;

	if (rs == NULL)
		return;
	if (rs->tick_id)
		g_source_remove(rs->tick_id);
	if (rs->rooms)
		g_hash_table_destroy(rs->rooms);
	g_free(rs->mc.stun);
	g_free(rs->mc.turn);
	g_free(rs);
	w->rooms = NULL;
}

void web_rooms_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/api/rooms", rooms_api, w, NULL);
	soup_server_add_handler(s, "/rooms", rooms_page, w, NULL);
	rooms_signal_install(w, s);
}
