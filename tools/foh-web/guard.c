/* foh-web's guard: what every request and WebSocket handshake passes before
 * a handler sees it (an early handler on every listener), plus the static
 * files and the login page.
 *
 * - the peer must be on loopback or in [web] allow (when allow is set);
 * - Host must name this listener (127.0.0.1, localhost or [::1] with its
 *   port, the bound address, or a [web] hosts entry): defeats DNS rebinding;
 * - Origin, when a browser sends one, must be one of foh-web's own origins
 *   or a [web] origins entry: defeats cross-site requests and WebSocket
 *   hijacking;
 * - a listener off loopback needs the access token (Authorization: Bearer,
 *   or the foh_token cookie the login page sets);
 * - bodies are limited by Content-Length ([web] max-body), chunked bodies
 *   are refused, only GET, HEAD, POST and PATCH are served;
 * - static files come from one directory, component by component with
 *   O_NOFOLLOW: no "..", no dot-files, no symlinks, no encoded slashes.
 * Every refusal is counted (org.foh.Web1 Stats, `fohctl web stats`). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "foh-web/foh-web.h"
#include "util/atomic-file.h"
#include "util/log.h"

#define STATIC_MAX_BYTES (16 * 1024 * 1024)

bool web_is_loopback(const struct sockaddr_in *a)
{
	return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

int web_parse_hostport(const char *s, uint16_t def_port, struct sockaddr_in *out)
{
	g_autofree char *host = g_strdup(s);
	char *colon = strrchr(host, ':'), *end;
	long port = def_port;

	if (colon) {
		*colon = '\0';
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
			return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -EINVAL;
}

int web_parse_net(const char *s, struct web_net4 *out)
{
	g_autofree char *addr = g_strdup(s);
	char *slash = strchr(addr, '/'), *end;
	long bits = 32;
	struct in_addr a;

	if (slash) {
		*slash = '\0';
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > 32)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	out->mask = bits == 0 ? 0 : htonl(0xffffffffu << (32 - bits));
	if ((a.s_addr & ~out->mask) != 0)
		return -EINVAL;
	out->addr = a.s_addr;
	return 0;
}

/* Host values that name listener i. */
static bool host_matches(struct web *w, unsigned int i, const char *host)
{
	const struct web_listener *l = &w->lis[i];
	char buf[96], ip[INET_ADDRSTRLEN];
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]" };

	if (l->server == NULL || host == NULL)
		return false;
	for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
		snprintf(buf, sizeof(buf), "%s:%u", names[k], l->port);
		if (g_ascii_strcasecmp(host, buf) == 0)
			return true;
	}
	inet_ntop(AF_INET, &l->want.sin_addr, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), "%s:%u", ip, l->port);
	if (strcmp(host, buf) == 0)
		return true;
	for (size_t k = 0; w->hosts[k]; k++) {
		snprintf(buf, sizeof(buf), "%s:%u", w->hosts[k], l->port);
		if (g_ascii_strcasecmp(host, w->hosts[k]) == 0 || g_ascii_strcasecmp(host, buf) == 0)
			return true;
	}
	return false;
}

static bool origin_allowed(struct web *w, const char *origin)
{
	for (size_t k = 0; w->origins[k]; k++)
		if (g_ascii_strcasecmp(origin, w->origins[k]) == 0)
			return true;
	if (g_ascii_strncasecmp(origin, "http://", 7) != 0)
		return false;
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++)
		if (host_matches(w, i, origin + 7))
			return true;
	return false;
}

static bool peer_allowed(struct web *w, SoupServerMessage *msg)
{
	GSocketAddress *sa = soup_server_message_get_remote_address(msg);
	struct sockaddr_in in;

	if (sa == NULL || !g_socket_address_to_native(sa, &in, sizeof(in), NULL) ||
	    in.sin_family != AF_INET)
		return false;
	if (web_is_loopback(&in) || w->n_allow == 0)
		return true;
	for (unsigned int i = 0; i < w->n_allow; i++)
		if ((in.sin_addr.s_addr & w->allow[i].mask) == w->allow[i].addr)
			return true;
	return false;
}

/* Constant-time comparison of a presented token with ours. */
static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return d == 0 && la > 0;
}

static bool token_presented(struct web *w, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *auth = soup_message_headers_get_one(h, "Authorization");
	const char *cookie = soup_message_headers_get_one(h, "Cookie");

	if (auth && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0 && token_equal(auth + 7, w->token))
		return true;
	if (cookie) {
		g_auto(GStrv) parts = g_strsplit(cookie, ";", -1);
		for (size_t i = 0; parts[i]; i++) {
			char *p = g_strstrip(parts[i]);
			if (g_str_has_prefix(p, "foh_token=") && token_equal(p + 10, w->token))
				return true;
		}
	}
	return false;
}

void web_add_security_headers(struct web *w, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	g_autoptr(GString) csp = g_string_new("default-src 'none'; script-src 'self'; "
			"style-src 'self'; img-src 'self' data:; connect-src 'self'");

	/* the UI may open the personalities' WebSockets too */
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++)
		if (w->lis[i].server)
			g_string_append_printf(csp, " ws://127.0.0.1:%u ws://localhost:%u",
					w->lis[i].port, w->lis[i].port);
	g_string_append(csp, "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	soup_message_headers_replace(h, "Content-Security-Policy", csp->str);
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Cross-Origin-Resource-Policy", "same-origin");
	soup_message_headers_replace(h, "Cache-Control", "no-store");
}

struct guard {
	struct web *w;
	unsigned int kind;
};

static void refuse(SoupServerMessage *msg, uint64_t *counter, guint status, const char *name,
		const char *why)
{
	(*counter)++;
	foh_debug("refused %s %s: %s", soup_server_message_get_method(msg),
			g_uri_get_path(soup_server_message_get_uri(msg)), why);
	web_reply_error(msg, status, name, "%s", why);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
			"Connection", "close");
}

/* On every message's got-headers: before any handler, before the body is
 * read, before a WebSocket handshake is answered. (An early handler would
 * not do: libsoup calls only the most specific path's.) */
static void on_got_headers(SoupServerMessage *msg, gpointer data)
{
	struct guard *g = data;
	struct web *w = g->w;
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *method = soup_server_message_get_method(msg);
	const char *host = soup_message_headers_get_one(h, "Host");
	const char *origin = soup_message_headers_get_one(h, "Origin");
	goffset len = soup_message_headers_get_content_length(h);

	w->stats.requests++;
	web_add_security_headers(w, msg);
	if (!peer_allowed(w, msg))
		return refuse(msg, &w->stats.refused_network, 403, "org.foh.Web1.Error.Forbidden",
				"this address is not in foh-web's allow-list");
	if (!host_matches(w, g->kind, host))
		return refuse(msg, &w->stats.refused_host, 421, "org.foh.Web1.Error.WrongHost",
				"the Host header does not name this server (DNS rebinding?)");
	if (origin && !origin_allowed(w, origin))
		return refuse(msg, &w->stats.refused_origin, 403, "org.foh.Web1.Error.WrongOrigin",
				"requests from this Origin are not allowed (cross-site?)");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0 && strcmp(method, "PATCH") != 0)
		return refuse(msg, &w->stats.refused_method, 405, "org.foh.Web1.Error.Method",
				"only GET, HEAD, POST and PATCH are served");
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CHUNKED)
		return refuse(msg, &w->stats.refused_body_size, 411, "org.foh.Web1.Error.TooLarge",
				"a body needs a Content-Length");
	if (len > (goffset)w->max_body)
		return refuse(msg, &w->stats.refused_body_size, 413, "org.foh.Web1.Error.TooLarge",
				"the body is larger than foh-web's max-body");
	if (w->token && !web_is_loopback(&w->lis[g->kind].want) &&
	    strcmp(path, "/login") != 0 && !token_presented(w, msg)) {
		refuse(msg, &w->stats.refused_token, 401, "org.foh.Web1.Error.NeedToken",
				"this server needs the access token (fohctl web token): "
				"Authorization: Bearer TOKEN, or log in at /login");
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				"WWW-Authenticate", "Bearer");
		return;
	}
}

static void free_guard(gpointer data, GClosure *closure)
{
	g_free(data);
}

/* Connections. libsoup accepts any number, and each holds an fd and
 * buffers: a peer opening thousands would run foh-web out of fds for its
 * own listeners, PipeWire and D-Bus. Every connection is known by its
 * socket from its first request (libsoup starts one as it accepts); past
 * WEB_MAX_CONNECTIONS a new one is closed at once and counted. A closed
 * socket (the peer left, a WebSocket ended) is forgotten when the table is
 * looked at. */
static gboolean is_closed(gpointer key, gpointer value, gpointer data)
{
	return g_socket_is_closed(key);
}

unsigned int web_connections(struct web *w)
{
	if (w->conns == NULL)
		return 0;
	(void)g_hash_table_foreach_remove(w->conns, is_closed, NULL);
	return g_hash_table_size(w->conns);
}

static bool admit(struct web *w, SoupServerMessage *msg)
{
	GSocket *sock = soup_server_message_get_socket(msg);

	if (sock == NULL || w->conns == NULL || g_hash_table_contains(w->conns, sock))
		return true;
	if (web_connections(w) >= WEB_MAX_CONNECTIONS) {
		w->stats.refused_connections++;
		if (w->stats.refused_connections == 1 || w->stats.refused_connections % 1000 == 0)
			foh_warn("%u connections open: closing new ones (%" G_GUINT64_FORMAT
					" so far)", WEB_MAX_CONNECTIONS, w->stats.refused_connections);
		(void)g_socket_shutdown(sock, TRUE, TRUE, NULL);
		return false;
	}
	g_hash_table_add(w->conns, g_object_ref(sock));
	return true;
}

static void on_request_started(SoupServer *s, SoupServerMessage *msg, gpointer data)
{
	struct guard *g = data;

	if (!admit(g->w, msg))
		return;
	g_signal_connect(msg, "got-headers", G_CALLBACK(on_got_headers), data);
}

void web_guard_install(struct web *w, unsigned int kind)
{
	struct guard *g = g_new0(struct guard, 1);

	g->w = w;
	g->kind = kind;
	g_signal_connect_data(w->lis[kind].server, "request-started", G_CALLBACK(on_request_started),
			g, free_guard, 0);
}

/* Request bodies */

JsonNode *web_body_json(struct web *w, SoupServerMessage *msg)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) err = NULL;
	gsize n;
	const char *data = g_bytes_get_data(bytes, &n);

	if (n > w->max_body) {
		w->stats.refused_body_size++;
		web_reply_error(msg, 413, "org.foh.Web1.Error.TooLarge", "the body is too large");
		return NULL;
	}
	if (n == 0)
		return json_node_init_object(json_node_alloc(), json_object_new());
	if (!json_parser_load_from_data(p, data, (gssize)n, &err)) {
		w->stats.refused_message++;
		web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"the body is not JSON: %s", err->message);
		return NULL;
	}
	return json_parser_steal_root(p);
}

/* Static files */

static int open_beneath(const char *root, const char *rel)
{
	g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (dir < 0)
		return -errno;
	for (size_t i = 0; parts[i]; i++) {
		bool last = parts[i + 1] == NULL;
		if (parts[i][0] == '\0' || parts[i][0] == '.') {
			close(dir);
			return -EACCES;
		}
		fd = openat(dir, parts[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
				(last ? 0 : O_DIRECTORY));
		close(dir);
		if (fd < 0)
			return -errno;
		dir = fd;
	}
	return fd;
}

void web_static_handler(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	const char *raw = g_uri_get_path(soup_server_message_get_uri(msg));
	g_autofree char *rel = NULL;
	g_autofree char *type = NULL;
	char *content;
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(soup_server_message_get_method(msg), "GET") != 0 &&
	    strcmp(soup_server_message_get_method(msg), "HEAD") != 0)
		return web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "static files are GET only");
	/* decoded once; an encoded "/" or NUL is refused, then every component
	 * is checked on its own */
	rel = g_uri_unescape_string(raw[0] == '/' ? raw + 1 : raw, "/");
	if (rel == NULL || strstr(raw, "..") || strchr(raw, '\\')) {
		w->stats.refused_path++;
		return web_reply_error(msg, 403, "org.foh.Web1.Error.BadPath",
				"that path is not allowed");
	}
	if (rel[0] == '\0' || g_str_has_suffix(rel, "/")) {
		char *full = g_strconcat(rel, "index.html", NULL);
		g_free(rel);
		rel = full;
	}
	if (w->static_dir == NULL)
		return web_reply_error(msg, 404, "org.foh.Foh1.Error.NotFound", "no static directory");
	fd = open_beneath(w->static_dir, rel);
	if (fd == -EACCES || fd == -ELOOP || fd == -ENOTDIR) {
		w->stats.refused_path++;
		return web_reply_error(msg, 403, "org.foh.Web1.Error.BadPath",
				"that path is not allowed");
	}
	if (fd < 0)
		return web_reply_error(msg, 404, "org.foh.Foh1.Error.NotFound", "no such file");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_BYTES) {
		close(fd);
		return web_reply_error(msg, 404, "org.foh.Foh1.Error.NotFound", "no such file");
	}
	content = g_malloc((gsize)st.st_size + 1);
	n = read(fd, content, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		g_free(content);
		return web_reply_error(msg, 500, "org.foh.Web1.Error.Failed", "cannot read the file");
	}
	if (g_str_has_suffix(rel, ".js") || g_str_has_suffix(rel, ".mjs"))
		type = g_strdup("text/javascript");
	else if (g_str_has_suffix(rel, ".html"))
		type = g_strdup("text/html; charset=utf-8");
	else if (g_str_has_suffix(rel, ".css"))
		type = g_strdup("text/css");
	else if (g_str_has_suffix(rel, ".json"))
		type = g_strdup("application/json");
	else if (g_str_has_suffix(rel, ".svg"))
		type = g_strdup("image/svg+xml");
	else
		type = g_strdup("application/octet-stream");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, content, (gsize)n);
}

/* Token */

int web_token_load(struct web *w)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	unsigned char raw[32];
	char hex[65];
	struct stat st;
	int r;

	/* a foh-web killed while it wrote the token left a copy of a token
	 * nobody uses (see foh_atomic_clean) */
	if ((r = foh_atomic_clean(w->token_file)) < 0)
		foh_warn("cannot remove stale temporary files beside %s: %s", w->token_file,
				strerror(-r));
	if (g_file_get_contents(w->token_file, &text, NULL, &err)) {
		if (stat(w->token_file, &st) == 0 && (st.st_mode & 077) != 0) {
			foh_error("%s is readable by others (mode %o): chmod 600 it", w->token_file,
					st.st_mode & 0777);
			return -EPERM;
		}
		g_strstrip(text);
		if (strlen(text) < 16) {
			foh_error("%s: the token is shorter than 16 characters", w->token_file);
			return -EINVAL;
		}
		w->token = g_steal_pointer(&text);
		return 0;
	}
	if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		foh_error("%s: %s", w->token_file, err->message);
		return -EIO;
	}
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return -errno;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	if ((r = foh_mkdir_parents(w->token_file)) < 0 ||
	    (r = foh_atomic_write(w->token_file, hex, 64, 0600)) < 0) {
		foh_error("cannot write the access token to %s: %s", w->token_file, strerror(-r));
		return r;
	}
	foh_info("generated an access token in %s (fohctl web token shows it)", w->token_file);
	w->token = g_strndup(hex, 64);
	return 0;
}

/* Login: a form (no script) that sets the token cookie. */

static const char login_page[] =
	"<!doctype html><html><head><meta charset=\"utf-8\"><title>foh — log in</title></head>"
	"<body><form method=\"post\" action=\"/login\"><p>Access token "
	"(<code>fohctl web token</code>):</p><p><input name=\"token\" type=\"password\" "
	"autocomplete=\"off\" size=\"70\"></p><p><button>Log in</button></p></form></body></html>";

static void login_handler(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	SoupMessageBody *body;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GHashTable) form = NULL;
	g_autofree char *text = NULL, *cookie = NULL;
	const char *given;

	if (strcmp(soup_server_message_get_method(msg), "POST") != 0) {
		soup_server_message_set_status(msg, 200, NULL);
		soup_server_message_set_response(msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
				login_page, strlen(login_page));
		return;
	}
	body = soup_server_message_get_request_body(msg);
	bytes = soup_message_body_flatten(body);
	text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
	form = soup_form_decode(text);
	given = form ? g_hash_table_lookup(form, "token") : NULL;
	if (w->token == NULL || given == NULL || !token_equal(given, w->token)) {
		w->stats.login_failures++;
		return web_reply_error(msg, 401, "org.foh.Web1.Error.NeedToken", "wrong token");
	}
	cookie = g_strdup_printf("foh_token=%s; HttpOnly; SameSite=Strict; Path=/", w->token);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Set-Cookie",
			cookie);
	soup_server_message_set_redirect(msg, 303, "/");
}

void web_login_install(struct web *w, SoupServer *s);
void web_login_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/login", login_handler, w, NULL);
}
