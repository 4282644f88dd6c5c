/* ws-bench: the fan-out benchmark's client (a test tool, not installed).
 * N WebSocket clients of the feature-server personality
 * (ws://127.0.0.1:8765) on one GLib loop with libsoup, plus a UDP socket
 * that is another of the analyzer's OSC destinations. After 2 s of
 * settling it stamps, for SECONDS, every /audio/fft datagram and every
 * binary frame each client receives (g_get_monotonic_time); a frame's
 * latency is its arrival minus the arrival of the datagram with the same
 * floats. Prints one line of key=value figures.
 *   ws-bench N SECONDS UDP_PORT */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

static GMainLoop *loop;
static GHashTable *osc_at;	/* GBytes (LE floats) → gint64* µs */
static GArray *lat;		/* gint64 µs */
static gboolean measuring;
static guint64 snaps, frames, closed, datagrams;
static int n_clients;

static void on_message(SoupWebsocketConnection *c, gint type, GBytes *msg, gpointer data)
{
	gint64 now = g_get_monotonic_time();
	gsize n;
	const guint8 *p = g_bytes_get_data(msg, &n);

	if (!measuring)
		return;
	if (type == SOUP_WEBSOCKET_DATA_BINARY) {
		g_autoptr(GBytes) key = NULL;
		gint64 *t;
		frames++;
		if (n < 4)
			return;
		key = g_bytes_new(p + 4, n - 4);
		if ((t = g_hash_table_lookup(osc_at, key))) {
			gint64 d = now - *t;
			g_array_append_val(lat, d);
		}
	} else if (n > 20 && memmem(p, MIN(n, (gsize)32), "\"snapshot\"", 10)) {
		snaps++;
	}
}

static void on_closed(SoupWebsocketConnection *c, gpointer data)
{
	closed++;
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	GError *err = NULL;
	SoupWebsocketConnection *c = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);

	if (c == NULL) {
		fprintf(stderr, "ws-bench: connect: %s\n", err->message);
		exit(1);
	}
	soup_websocket_connection_set_max_incoming_payload_size(c, 0);
	g_signal_connect(c, "message", G_CALLBACK(on_message), NULL);
	g_signal_connect(c, "closed", G_CALLBACK(on_closed), NULL);
	if (GPOINTER_TO_INT(data) == 0)
		soup_websocket_connection_send_text(c, "{\"type\":\"set_fft\",\"enabled\":true}");
}

static gboolean on_osc(gint fd, GIOCondition cond, gpointer data)
{
	guint8 buf[16384];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		gint64 now = g_get_monotonic_time();
		size_t tags, end, args, k;
		guint8 *le;

		if (n < 16 || memcmp(buf, "/audio/fft\0", 11) != 0)
			continue;
		datagrams += measuring;
		tags = 12;
		end = tags;
		while (end < (size_t)n && buf[end])
			end++;
		k = end - tags - 1;
		args = (end + 4) & ~(size_t)3;
		if (args + 4 * k > (size_t)n)
			continue;
		le = g_malloc(4 * k);
		for (size_t i = 0; i < 4 * k; i += 4) {
			le[i] = buf[args + i + 3];
			le[i + 1] = buf[args + i + 2];
			le[i + 2] = buf[args + i + 1];
			le[i + 3] = buf[args + i];
		}
		if (g_hash_table_size(osc_at) > 20000)
			g_hash_table_remove_all(osc_at);
		{
			GBytes *key = g_bytes_new_take(le, 4 * k);
			if (g_hash_table_contains(osc_at, key))
				g_bytes_unref(key);
			else
				g_hash_table_insert(osc_at, key, g_memdup2(&now, sizeof(now)));
		}
	}
	return G_SOURCE_CONTINUE;
}

static gboolean start(gpointer data)
{
	measuring = TRUE;
	return G_SOURCE_REMOVE;
}

static gint cmp(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

static gboolean stop(gpointer data)
{
	double seconds = *(double *)data;
	double p50 = NAN, p99 = NAN;

	measuring = FALSE;
	g_array_sort(lat, cmp);
	if (lat->len) {
		p50 = g_array_index(lat, gint64, lat->len / 2) / 1000.0;
		p99 = g_array_index(lat, gint64, MIN(lat->len - 1, lat->len * 99 / 100)) / 1000.0;
	}
	printf("clients=%d osc_fft_hz=%.1f snapshot_hz_per_client=%.1f fft_hz_per_client=%.1f matched=%u "
	       "latency_p50_ms=%.2f latency_p99_ms=%.2f clients_closed=%" G_GUINT64_FORMAT "\n",
	       n_clients, datagrams / seconds, snaps / (double)n_clients / seconds, frames / (double)n_clients / seconds,
	       lat->len, p50, p99, closed);
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	static double seconds;
	struct sockaddr_in a = { .sin_family = AF_INET };
	g_autoptr(SoupSession) session = NULL;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: ws-bench N SECONDS UDP_PORT\n");
		return 2;
	}
	n_clients = atoi(argv[1]);
	seconds = g_ascii_strtod(argv[2], NULL);
	a.sin_port = htons((uint16_t)atoi(argv[3]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("ws-bench: udp");
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	osc_at = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
	lat = g_array_new(FALSE, FALSE, sizeof(gint64));
	session = soup_session_new_with_options("max-conns", 1000, "max-conns-per-host", 1000, NULL);
	soup_session_remove_feature_by_type(session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
	g_unix_fd_add(fd, G_IO_IN, on_osc, NULL);
	for (int i = 0; i < n_clients; i++) {
		SoupMessage *m = soup_message_new("GET", "ws://127.0.0.1:8765");
		soup_session_websocket_connect_async(session, m, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
				on_connected, GINT_TO_POINTER(i));
		g_object_unref(m);
	}
	g_timeout_add(2000, start, NULL);
	g_timeout_add((guint)(2000 + 1000 * seconds), stop, &seconds);
	g_main_loop_run(loop);
	close(fd);
	return 0;
}
