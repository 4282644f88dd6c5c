/* The events side of foh-web: the analyzer's OSC feed, WebSocket clients
 * with bounded queues, and the /api/v1/events WebSocket.
 *
 * Feed: foh-web binds a loopback UDP port and registers it with
 * Analyzer.AddDestination whenever fohd appears (RemoveDestination on
 * exit; the "web" option makes it replace what a killed foh-web left),
 * with the options its clients need, "idle" while none reads it (see "The
 * analyzer's destination" below); datagrams from anywhere but 127.0.0.1
 * are dropped, the rest pass src/osc's validator before /audio/lmh, /audio/lmh_raw,
 * /audio/fft and /audio/meta are read. An FFT message becomes the feature
 * server's binary frame [u8 1][u8 0][u16 LE n][f32 LE × n]: the same floats
 * as the OSC payload, byte-swapped from OSC's big-endian.
 *
 * Clients: every frame for a client goes through its own queue (at most
 * [web] ws-queue frames); frames leave the queue only while the kernel's
 * send queue of its socket holds less than WEB_WS_SOCK_BYTES, so libsoup's
 * own queue stays short; a client whose queue is full is dropped (close
 * 1008), never buffered without limit.
 *
 * /api/v1/events topics: properties (PropertiesChanged under /org/foh/Foh1),
 * levels (Channel.Levels), stabilizer (its state at 5 Hz), lmh (at most
 * 30 Hz), fft (binary frames), rooms (rooms.c's statistics at 1 Hz). Default:
 * all but fft; a client changes them
 * with {"type":"subscribe","topics":[...]}. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "foh-web/foh-web.h"
#include "osc/validate.h"
#include "util/log.h"

enum {
	TOPIC_PROPERTIES = 1 << 0,
	TOPIC_LEVELS = 1 << 1,
	TOPIC_STABILIZER = 1 << 2,
	TOPIC_LMH = 1 << 3,
	TOPIC_FFT = 1 << 4,
	TOPIC_ROOMS = 1 << 5,
};
static const char *const topic_names[] = { "properties", "levels", "stabilizer", "lmh", "fft",
	"rooms" };
#define TOPIC_DEFAULT (TOPIC_PROPERTIES | TOPIC_LEVELS | TOPIC_STABILIZER | TOPIC_LMH | TOPIC_ROOMS)
#define TICK_MS 33		/* lmh coalescing and queue flushing, ~30 Hz */
#define STAB_EVERY 6		/* ticks: 5 Hz */

struct frame {
	GBytes *bytes;		/* text frames carry a trailing NUL */
	bool binary;
};

/* Clients */

/* Room left in the kernel's send queue of c's socket: frames go to libsoup
 * only while the queue is under half the send buffer (and under
 * WEB_WS_SOCK_BYTES), so a write never finds the socket full and libsoup's
 * own, unbounded, queue stays empty. */
static bool sock_has_room(struct web_client *c)
{
	int queued = 0, sndbuf = 0;
	socklen_t len = sizeof(sndbuf);
	int fd;

	if (c->sock == NULL)
		return true;
	fd = g_socket_get_fd(c->sock);
	if (ioctl(fd, SIOCOUTQ, &queued) < 0)
		return true;
	/* the common case, a client that keeps up, costs one ioctl */
	if (queued < 4096)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) < 0)
		return true;
	return (size_t)queued < MIN((size_t)sndbuf / 2, (size_t)WEB_WS_SOCK_BYTES);
}

static void flush(struct web_client *c)
{
	struct frame *f;

	if (c->conn == NULL || soup_websocket_connection_get_state(c->conn) != SOUP_WEBSOCKET_STATE_OPEN)
		return;
	while ((f = g_queue_peek_head(&c->queue)) && sock_has_room(c)) {
		gsize n;
		const char *data = g_bytes_get_data(f->bytes, &n);
		if (f->binary)
			soup_websocket_connection_send_binary(c->conn, data, n);
		else
			soup_websocket_connection_send_text(c->conn, data);
		c->w->stats.frames_sent++;
		g_queue_pop_head(&c->queue);
		g_bytes_unref(f->bytes);
		g_free(f);
	}
}

static void clear_queue(struct web_client *c)
{
	struct frame *f;

	while ((f = g_queue_pop_head(&c->queue))) {
		g_bytes_unref(f->bytes);
		g_free(f);
	}
}

static gboolean free_later(gpointer data)
{
	struct web_client *c = data;

	clear_queue(c);
	g_clear_object(&c->conn);
	g_clear_object(&c->sock);
	g_free(c);
	return G_SOURCE_REMOVE;
}

/* Takes c out of every broadcast at once; freed from an idle callback once
 * libsoup has finished with it. */
static void detach(struct web_client *c)
{
	if (!g_ptr_array_remove(c->w->clients, c))
		return;
	web_events_want(c->w);
	if (c->conn) {
		g_signal_handlers_disconnect_by_data(c->conn, c);
	}
	g_idle_add(free_later, c);
}

void web_client_drop(struct web_client *c, gushort code, const char *why)
{
	SoupWebsocketConnection *conn = c->conn ? g_object_ref(c->conn) : NULL;

	detach(c);
	if (conn) {
		if (soup_websocket_connection_get_state(conn) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(conn, code, why);
		g_object_unref(conn);
	}
}

void web_client_send(struct web_client *c, GBytes *bytes, bool binary)
{
	struct frame *f;

	if (g_queue_get_length(&c->queue) >= c->w->ws_queue) {
		flush(c);
		if (g_queue_get_length(&c->queue) >= c->w->ws_queue) {
			c->w->stats.slow_clients_dropped++;
			foh_info("dropping a WebSocket client that does not keep up (%u frames queued)",
					g_queue_get_length(&c->queue));
			web_client_drop(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too slow");
			return;
		}
	}
	f = g_new(struct frame, 1);
	f->bytes = g_bytes_ref(bytes);
	f->binary = binary;
	g_queue_push_tail(&c->queue, f);
	flush(c);
}

static GBytes *text_bytes(const char *text)
{
	return g_bytes_new(text, strlen(text) + 1);
}

void web_client_send_text(struct web_client *c, const char *text)
{
	g_autoptr(GBytes) b = text_bytes(text);

	web_client_send(c, b, false);
}

static void on_closed(SoupWebsocketConnection *conn, gpointer data)
{
	detach(data);
}

static void on_error(SoupWebsocketConnection *conn, GError *err, gpointer data)
{
	struct web_client *c = data;

	if (g_error_matches(err, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
		c->w->stats.refused_message_size++;
	else
		c->w->stats.refused_message++;
}

void web_feature_message(struct web_client *c, GBytes *message);
static void events_message(struct web_client *c, GBytes *message);

static void on_message(SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer data)
{
	struct web_client *c = data;

	c->w->stats.ws_messages++;
	if (type != SOUP_WEBSOCKET_DATA_TEXT) {
		c->w->stats.refused_message++;
		web_client_send_text(c, "{\"type\":\"error\",\"reason\":\"binary messages are not "
				"understood; send JSON text\"}");
		return;
	}
	if (c->kind == WEB_FEATURE)
		web_feature_message(c, message);
	else
		events_message(c, message);
}

struct web_client *web_client_new(struct web *w, SoupServerMessage *msg,
		SoupWebsocketConnection *conn, unsigned int kind)
{
	struct web_client *c;
	unsigned int n = 0;

	w->stats.ws_connects++;
	for (guint i = 0; i < w->clients->len; i++)
		n += ((struct web_client *)w->clients->pdata[i])->kind == kind;
	if (n >= WEB_WS_MAX_CLIENTS) {
		w->stats.refused_clients++;
		soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
				"too many clients");
		return NULL;
	}
	c = g_new0(struct web_client, 1);
	c->w = w;
	c->conn = g_object_ref(conn);
	c->sock = soup_server_message_get_socket(msg);
	if (c->sock)
		g_object_ref(c->sock);
	c->kind = kind;
	g_queue_init(&c->queue);
	soup_websocket_connection_set_max_incoming_payload_size(conn, w->max_message);
	soup_websocket_connection_set_keepalive_interval(conn, 0);
	g_signal_connect(conn, "closed", G_CALLBACK(on_closed), c);
	g_signal_connect(conn, "error", G_CALLBACK(on_error), c);
	g_signal_connect(conn, "message", G_CALLBACK(on_message), c);
	g_ptr_array_add(w->clients, c);
	web_events_want(w);
	return c;
}

/* Broadcasts */

static void broadcast(struct web *w, unsigned int kind, uint32_t topic, GBytes *bytes, bool binary)
{
	/* a copy: a drop removes clients from w->clients */
	g_autoptr(GPtrArray) list = g_ptr_array_copy(w->clients, NULL, NULL);

	for (guint i = 0; i < list->len; i++) {
		struct web_client *c = list->pdata[i];
		if (c->kind == kind && (topic == 0 || (c->topics & topic)))
			web_client_send(c, bytes, binary);
	}
}

static void broadcast_builder(struct web *w, uint32_t topic, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	g_autofree char *text = web_json_string(node);
	g_autoptr(GBytes) bytes = text_bytes(text);

	broadcast(w, WEB_MAIN, topic, bytes, false);
}

static bool has_events_clients(struct web *w, uint32_t topic)
{
	for (guint i = 0; i < w->clients->len; i++) {
		struct web_client *c = w->clients->pdata[i];
		if (c->kind == WEB_MAIN && (c->topics & topic))
			return true;
	}
	return false;
}

static uint32_t topic_bit(const char *name)
{
	for (size_t k = 0; k < G_N_ELEMENTS(topic_names); k++)
		if (strcmp(name, topic_names[k]) == 0)
			return 1u << k;
	return 0;
}

bool web_events_wanted(struct web *w, const char *topic)
{
	return w->clients && has_events_clients(w, topic_bit(topic));
}

void web_events_broadcast(struct web *w, const char *topic, JsonBuilder *b)
{
	uint32_t bit = topic_bit(topic);

	if (bit)
		broadcast_builder(w, bit, b);
}

void web_events_properties(struct web *w, sd_bus_message *m)
{
	const char *path = sd_bus_message_get_path(m), *iface;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *url = NULL;

	if (path == NULL)
		return;
	web_feature_properties(w, path);
	if (!has_events_clients(w, TOPIC_PROPERTIES) || sd_bus_message_read(m, "s", &iface) < 0)
		return;
	b = json_builder_new();
	url = strcmp(path, FOH_ROOT) == 0 ? g_strdup("/api/v1/manager") :
		g_strconcat("/api/v1", path + strlen(FOH_ROOT), NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "properties");
	json_builder_set_member_name(b, "url");
	json_builder_add_string_value(b, url);
	json_builder_set_member_name(b, "interface");
	json_builder_add_string_value(b, iface);
	json_builder_set_member_name(b, "changed");
	if (web_json_read_props(m, b) < 0)
		return;
	json_builder_set_member_name(b, "invalidated");
	if (web_json_read(m, b) < 0)
		return;
	json_builder_end_object(b);
	broadcast_builder(w, TOPIC_PROPERTIES, b);
}

void web_events_levels(struct web *w, sd_bus_message *m)
{
	static const char *const names[] = { "peak_db", "rms_db", "vu_db", "lufs_m", "lufs_s",
		"gain_reduction_db" };
	const char *path = sd_bus_message_get_path(m), *slash;
	g_autoptr(JsonBuilder) b = NULL;
	double v[6];

	if (path == NULL || !has_events_clients(w, TOPIC_LEVELS) ||
	    (slash = strrchr(path, '/')) == NULL ||
	    sd_bus_message_read(m, "dddddd", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) < 0)
		return;
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "levels");
	json_builder_set_member_name(b, "channel");
	json_builder_add_int_value(b, g_ascii_strtoll(slash + 1, NULL, 10));
	for (int i = 0; i < 6; i++) {
		json_builder_set_member_name(b, names[i]);
		if (isfinite(v[i]))
			json_builder_add_double_value(b, v[i]);
		else
			json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
	broadcast_builder(w, TOPIC_LEVELS, b);
}

static void send_fohd_state(struct web *w, struct web_client *only)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, only ? "hello" : "fohd");
	json_builder_set_member_name(b, "fohd");
	json_builder_add_boolean_value(b, w->fohd_up);
	if (only) {
		json_builder_set_member_name(b, "topics");
		json_builder_begin_array(b);
		for (size_t i = 0; i < G_N_ELEMENTS(topic_names); i++)
			if (only->topics & (1u << i))
				json_builder_add_string_value(b, topic_names[i]);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	if (only == NULL)
		return broadcast_builder(w, 0, b);
	node = json_builder_get_root(b);
	text = web_json_string(node);
	web_client_send_text(only, text);
}

/* The analyzer's destination. foh-web's loopback port is registered with
 * the options its clients need: "idle" while none of them reads the feed
 * (no feature-server client, no events client with the lmh or fft topic),
 * so fohd keeps the destination but sends nothing and its analyzer may
 * stop (an idle fohd); "fft" while a feature-server client is
 * connected or an events client takes the fft topic (so /audio/fft reaches
 * foh-web alone, whatever the analyzer's SendFft says for the other
 * destinations), "lmh-raw" while a feature-server client is connected (its
 * snapshots' *_raw). More is asked for at once; what no one wants any more
 * is given back after WANT_SHRINK_MS, so a client that reconnects costs
 * fohd nothing. */

#define WANT_SHRINK_MS 5000
#define WEB_DEST_FFT (1u << 0)
#define WEB_DEST_LMH_RAW (1u << 1)
#define WEB_DEST_FEED (1u << 2)		/* not "idle": someone reads it */

static unsigned wanted_options(struct web *w)
{
	unsigned want = 0;

	for (guint i = 0; i < w->clients->len; i++) {
		struct web_client *c = w->clients->pdata[i];
		if (c->kind == WEB_FEATURE)
			want |= WEB_DEST_FFT | WEB_DEST_LMH_RAW | WEB_DEST_FEED;
		else if (c->kind == WEB_MAIN && (c->topics & TOPIC_FFT))
			want |= WEB_DEST_FFT | WEB_DEST_FEED;
		else if (c->kind == WEB_MAIN && (c->topics & TOPIC_LMH))
			want |= WEB_DEST_FEED;
	}
	return want;
}

static void register_dest(struct web *w, unsigned options);

static int on_added(sd_bus_message *reply, void *data, sd_bus_error *unused)
{
	struct web *w = data;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	w->osc_pending = false;
	if (e) {
		foh_warn("cannot register %s with the analyzer: %s", w->osc_dest, e->message);
		return 0;
	}
	if (!w->osc_registered)
		foh_info("receiving the analyzer's features on %s", w->osc_dest);
	w->osc_registered = true;
	w->osc_options = w->osc_asking;
	web_events_want(w);
	return 0;
}

static void register_dest(struct web *w, unsigned options)
{
	char dest[64];
	int r;

	if (w->bus == NULL || !w->fohd_up || w->osc_fd < 0 || w->osc_pending)
		return;
	/* "web": fohd keeps one such destination, so this one replaces what a
	 * killed foh-web left on a port of its own */
	snprintf(dest, sizeof(dest), "%s%s%s%s web", w->osc_dest, options & WEB_DEST_FFT ? " fft" : "",
			options & WEB_DEST_LMH_RAW ? " lmh-raw" : "",
			options & WEB_DEST_FEED ? "" : " idle");
	r = sd_bus_call_method_async(w->bus, NULL, FOH_BUS_NAME, FOH_ROOT "/analyzer",
			FOH_IFACE("Analyzer"), "AddDestination", on_added, w, "s", dest);
	if (r >= 0) {
		w->osc_pending = true;
		w->osc_asking = options;
	}
}

static gboolean on_shrink(gpointer data)
{
	struct web *w = data;

	w->osc_shrink_id = 0;
	if (w->osc_registered && wanted_options(w) != w->osc_options)
		register_dest(w, wanted_options(w));
	return G_SOURCE_REMOVE;
}

void web_events_want(struct web *w)
{
	unsigned want = wanted_options(w);

	if (!w->osc_registered || w->osc_pending)
		return;		/* on_added looks again */
	if (want == w->osc_options) {
		if (w->osc_shrink_id)
			g_source_remove(w->osc_shrink_id);
		w->osc_shrink_id = 0;
	} else if (want & ~w->osc_options) {
		register_dest(w, want | w->osc_options);	/* more now; less later */
	} else if (w->osc_shrink_id == 0) {
		w->osc_shrink_id = g_timeout_add(WANT_SHRINK_MS, on_shrink, w);
	}
}

void web_events_fohd(struct web *w, bool up)
{
	w->osc_registered = false;
	w->osc_pending = false;
	w->osc_options = 0;
	if (up)
		register_dest(w, wanted_options(w));
	if (w->clients)
		send_fohd_state(w, NULL);
	if (up)
		web_feature_meta(w);
}

/* The OSC feed */

static bool read_message(const uint8_t *buf, size_t len, const char **addr, const char **tags,
		const uint8_t **args, size_t *args_len)
{
	size_t a, t;

	if (buf[0] != '/')
		return false;
	a = strnlen((const char *)buf, len);
	a = (a + 4) & ~(size_t)3;
	if (a >= len || buf[a] != ',')
		return false;
	t = strnlen((const char *)buf + a, len - a);
	*addr = (const char *)buf;
	*tags = (const char *)buf + a + 1;
	*args = buf + a + ((t + 4) & ~(size_t)3);
	*args_len = len - (size_t)(*args - buf);
	return true;
}

static float be_float(const uint8_t *p)
{
	uint32_t u = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static void on_fft(struct web *w, const char *tags, const uint8_t *args, size_t n_args)
{
	size_t n = strlen(tags);
	g_autoptr(GBytes) frame = NULL;
	uint8_t *out;

	if (n == 0 || n > 65535 || n_args < 4 * n || strspn(tags, "f") != n)
		return;
	out = g_malloc(4 + 4 * n);
	out[0] = 1;
	out[1] = 0;
	out[2] = (uint8_t)(n & 0xff);
	out[3] = (uint8_t)(n >> 8);
	/* OSC floats are big-endian; the frame's are little-endian */
	for (size_t i = 0; i < n; i++) {
		out[4 + 4 * i + 0] = args[4 * i + 3];
		out[4 + 4 * i + 1] = args[4 * i + 2];
		out[4 + 4 * i + 2] = args[4 * i + 1];
		out[4 + 4 * i + 3] = args[4 * i + 0];
	}
	frame = g_bytes_new_take(out, 4 + 4 * n);
	if (w->last_fft)
		g_bytes_unref(w->last_fft);
	w->last_fft = g_bytes_ref(frame);
	broadcast(w, WEB_MAIN, TOPIC_FFT, frame, true);
	web_feature_fft(w, frame);
}

static gboolean on_osc(gint fd, GIOCondition cond, gpointer data)
{
	struct web *w = data;
	uint8_t buf[16384];
	struct sockaddr_in from;
	socklen_t flen;
	const char *addr, *tags;
	const uint8_t *args;
	size_t n_args;
	ssize_t n;

	for (int i = 0; i < 64; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0)
			break;
		w->stats.osc_received++;
		if (from.sin_family != AF_INET || from.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
		    foh_osc_validate(buf, (size_t)n, NULL) < 0 ||
		    !read_message(buf, (size_t)n, &addr, &tags, &args, &n_args)) {
			w->stats.osc_invalid++;
			continue;
		}
		if (strcmp(addr, "/audio/lmh") == 0 && strcmp(tags, "fff") == 0) {
			for (int k = 0; k < 3; k++)
				w->lmh[k] = be_float(args + 4 * k);
			w->lmh_at = web_now();
		} else if (strcmp(addr, "/audio/lmh_raw") == 0 && strcmp(tags, "fff") == 0) {
			for (int k = 0; k < 3; k++)
				w->lmh_raw[k] = be_float(args + 4 * k);
		} else if (strcmp(addr, "/audio/fft") == 0) {
			on_fft(w, tags, args, n_args);
		} else if (strcmp(addr, "/audio/meta") == 0 && strncmp(tags, "iii", 3) == 0) {
			w->meta_sr = (int32_t)GUINT32_FROM_BE(*(const uint32_t *)args);
			w->meta_block = (int32_t)GUINT32_FROM_BE(*(const uint32_t *)(args + 4));
			w->meta_bins = (int32_t)GUINT32_FROM_BE(*(const uint32_t *)(args + 8));
		}
	}
	return G_SOURCE_CONTINUE;
}

/* The tick: lmh to events clients, the stabilizer at 5 Hz, queue flushing. */

static void send_lmh(struct web *w)
{
	static const char *const names[] = { "low", "mid", "high" };
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "lmh");
	for (int i = 0; i < 3; i++) {
		json_builder_set_member_name(b, names[i]);
		json_builder_add_double_value(b, w->lmh[i]);
	}
	json_builder_end_object(b);
	broadcast_builder(w, TOPIC_LMH, b);
}

static void send_stabilizer(struct web *w)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (web_get_all(w, FOH_ROOT "/stabilizer", FOH_IFACE("Stabilizer"), &reply, &e) < 0) {
		sd_bus_error_free(&e);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "stabilizer");
	json_builder_set_member_name(b, "state");
	if (web_json_read_props(reply, b) >= 0) {
		json_builder_end_object(b);
		broadcast_builder(w, TOPIC_STABILIZER, b);
	}
	sd_bus_message_unref(reply);
}

static gboolean on_tick(gpointer data)
{
	static unsigned int n;
	static uint64_t lmh_sent;
	struct web *w = data;
	g_autoptr(GPtrArray) list = g_ptr_array_copy(w->clients, NULL, NULL);

	for (guint i = 0; i < list->len; i++)
		flush(list->pdata[i]);
	if (w->lmh_at != lmh_sent && has_events_clients(w, TOPIC_LMH)) {
		lmh_sent = w->lmh_at;
		send_lmh(w);
	}
	if (++n % STAB_EVERY == 0 && w->fohd_up && has_events_clients(w, TOPIC_STABILIZER))
		send_stabilizer(w);
	return G_SOURCE_CONTINUE;
}

/* /api/v1/events */

static void events_message(struct web_client *c, GBytes *message)
{
	g_autoptr(JsonParser) p = json_parser_new();
	gsize n;
	const char *data = g_bytes_get_data(message, &n);
	JsonObject *o;
	JsonArray *topics;
	uint32_t bits = 0;

	if (!json_parser_load_from_data(p, data, (gssize)n, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)) ||
	    (o = json_node_get_object(json_parser_get_root(p))) == NULL ||
	    g_strcmp0(json_object_get_string_member_with_default(o, "type", ""), "subscribe") != 0 ||
	    !json_object_has_member(o, "topics") ||
	    !JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "topics"))) {
		c->w->stats.refused_message++;
		return web_client_send_text(c, "{\"type\":\"error\",\"reason\":\"expected "
				"{\\\"type\\\":\\\"subscribe\\\",\\\"topics\\\":[...]}\"}");
	}
	topics = json_object_get_array_member(o, "topics");
	for (guint i = 0; i < json_array_get_length(topics); i++) {
		JsonNode *t = json_array_get_element(topics, i);
		bool found = false;
		for (size_t k = 0; k < G_N_ELEMENTS(topic_names); k++)
			if (JSON_NODE_HOLDS_VALUE(t) && json_node_get_value_type(t) == G_TYPE_STRING &&
			    strcmp(json_node_get_string(t), topic_names[k]) == 0) {
				bits |= 1u << k;
				found = true;
			}
		if (!found) {
			c->w->stats.refused_message++;
			return web_client_send_text(c, "{\"type\":\"error\",\"reason\":\"unknown "
					"topic; known: properties, levels, stabilizer, lmh, fft, rooms\"}");
		}
	}
	c->topics = bits;
	web_events_want(c->w);
	send_fohd_state(c->w, c);
}

static void events_ws(SoupServer *s, SoupServerMessage *msg, const char *path,
		SoupWebsocketConnection *conn, gpointer data)
{
	struct web_client *c = web_client_new(data, msg, conn, WEB_MAIN);

	if (c == NULL)
		return;
	c->topics = TOPIC_DEFAULT;
	web_events_want(c->w);		/* the lmh topic: the feed */
	send_fohd_state(c->w, c);
}

void web_events_install(struct web *w, SoupServer *s)
{
	soup_server_add_websocket_handler(s, "/api/v1/events", NULL, NULL, events_ws, w, NULL);
}

int web_events_start(struct web *w)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(w->osc_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int rcvbuf = 1 << 20;

	w->osc_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (w->osc_fd < 0)
		return -errno;
	(void)setsockopt(w->osc_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(w->osc_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(w->osc_fd, (struct sockaddr *)&a, &len) < 0) {
		int r = -errno;
		foh_error("cannot bind the analyzer feed's UDP port %u: %s", w->osc_port, strerror(-r));
		return r;
	}
	snprintf(w->osc_dest, sizeof(w->osc_dest), "127.0.0.1:%u", ntohs(a.sin_port));
	w->osc_watch = g_unix_fd_add(w->osc_fd, G_IO_IN, on_osc, w);
	w->tick_id = g_timeout_add(TICK_MS, on_tick, w);
	return 0;
}

void web_events_stop(struct web *w)
{
	w->osc_registered = false;	/* clients leaving ask for nothing more */
	if (w->osc_shrink_id)
		g_source_remove(w->osc_shrink_id);
	w->osc_shrink_id = 0;
	while (w->clients && w->clients->len > 0)
		web_client_drop(w->clients->pdata[0], SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "foh-web stops");
	if (w->bus && w->fohd_up && w->osc_fd >= 0) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		(void)sd_bus_call_method(w->bus, FOH_BUS_NAME, FOH_ROOT "/analyzer",
				FOH_IFACE("Analyzer"), "RemoveDestination", &e, NULL, "s", w->osc_dest);
		sd_bus_error_free(&e);
	}
	if (w->tick_id)
		g_source_remove(w->tick_id);
	if (w->osc_watch)
		g_source_remove(w->osc_watch);
	w->tick_id = w->osc_watch = 0;
	if (w->osc_fd >= 0)
		close(w->osc_fd);
	w->osc_fd = -1;
	if (w->last_fft)
		g_bytes_unref(w->last_fft);
	w->last_fft = NULL;
}
