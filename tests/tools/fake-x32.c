/* fake-x32: a fake Behringer X32 for integration tests.
 *
 *   fake-x32 [--port N] [--log FILE] [--control FILE] [--post] [--verbose]
 *
 * Listens on UDP 127.0.0.1:N (default 10023; 0 picks a free port) and
 * prints "fake-x32: listening on 127.0.0.1:<port>" on stdout once ready.
 * The socket is our own, bound to loopback: liblo 0.31's lo_server binds to
 * every interface and cannot be told otherwise. liblo (de)serialises the
 * messages; every datagram passes foh_osc_validate() before liblo sees it.
 *
 * The desk: /xinfo (,ssss ip name model firmware), /info (,ssss version
 * name model firmware), /status (,sss state ip name). Faders (stored as
 * sent, any float, replied as stored), on (int) and names (string) of
 * ch 1-32, bus 1-16, mtx 1-6, main st and main m at the usual addresses
 * (x32/proto.h); an address without arguments is a get and answers with
 * the value; a set is not echoed to its sender but pushed to the other
 * clients that sent /xremote in the last 10 s. /meters ,si "/meters/2" TF
 * streams /meters/2 (49 values, the exact X32 layout) every 50 ms x TF (TF
 * outside 1-99 counts as 1) for 10 s to the requester; a repeat or /renew
 * ,s "/meters/2" extends it; /unsubscribe ends both subscriptions.
 * /node ,s "mtx/01/mix" answers on "node" with "/mtx/01/mix ON -10.0\n";
 * "<out>/config" gives the quoted name. Presets: bus 5 "Stream L/R", mtx 1
 * "Stream Mtx", buses 9-16 and mtx 3-6 at -inf, mtx 6 off.
 *
 * Meters: each bus, matrix and main has a level (dBFS, -inf at start);
 * the meter reports it before the fader, or after the fader (and the on
 * switch) with --post. Linear, clamped to 0..8.
 *
 * Commands, one per line, on stdin and appended to the --control file:
 *   level <id> <dB|-inf>   set the level of an output (bus1, mtx1, main_st)
 *   fader <id> <dB>        move a fader on the desk (pushed to all clients)
 *   on <id> <0|1>          switch an output
 *   name <id> <text>       rename
 *   silent | resume        stop / start answering anything at all
 *   quit
 * --log FILE gets one line per received fader write:
 *   <unix time, us> <address> <value> <sender ip:port> applied|dropped
 * ("dropped" while silent: the desk does not take it). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "osc/validate.h"
#include "x32/proto.h"

#define MAX_CLIENTS	16
#define SUB_S		10.0		/* /xremote and /meters last this long */
#define METER_S		0.05
#define NAME_LEN	32
#define LINE_LEN	512

struct strip {
	float fader;
	int32_t on;
	char name[NAME_LEN];
	double level_db;		/* before the fader */
};

struct client {
	struct sockaddr_in addr;
	double xremote_until;
	double meters_until;
	double meters_next;
	double meters_period;
};

struct line_buf {
	char data[LINE_LEN];
	size_t len;
	bool overlong;		/* skipping to the end of a too long line */
};

struct fake {
	int fd;
	FILE *log;
	bool post, silent, verbose, quit;
	unsigned int dropped;		/* malformed datagrams */
	struct strip ch[32], bus[16], mtx[6], main_st, main_m;
	struct client clients[MAX_CLIENTS];
	bool stdin_open;
	struct line_buf in_line;
	int control_fd;
	off_t control_off;
	struct line_buf control_line;
};

static volatile sig_atomic_t got_signal;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct strip *strip_of(struct fake *f, const struct foh_x32_output *o)
{
	switch (o->kind) {
	case FOH_X32_CH:
		return &f->ch[o->num - 1];
	case FOH_X32_BUS:
		return &f->bus[o->num - 1];
	case FOH_X32_MTX:
		return &f->mtx[o->num - 1];
	case FOH_X32_MAIN_ST:
		return &f->main_st;
	default:
		return &f->main_m;
	}
}

static void preset_strip(struct strip *s, float fader, int on)
{
	s->fader = fader;
	s->on = on;
	s->level_db = -INFINITY;
}

static void preset(struct fake *f)
{
	for (unsigned int i = 0; i < 32; i++) {
		preset_strip(&f->ch[i], 0.75f, 1);
		snprintf(f->ch[i].name, NAME_LEN, "Ch %02u", i + 1);
	}
	for (unsigned int i = 0; i < 16; i++) {
		preset_strip(&f->bus[i], i < 8 ? 0.75f : 0.0f, 1);
		snprintf(f->bus[i].name, NAME_LEN, i < 4 ? "Mon %u" : "Bus %02u", i + 1);
	}
	for (unsigned int i = 0; i < 6; i++) {
		preset_strip(&f->mtx[i], i < 2 ? 0.75f : 0.0f, i != 5);
		snprintf(f->mtx[i].name, NAME_LEN, "Matrix %u", i + 1);
	}
	preset_strip(&f->main_st, 0.75f, 1);
	preset_strip(&f->main_m, 0.0f, 1);
	snprintf(f->main_st.name, NAME_LEN, "Main LR");
	snprintf(f->main_m.name, NAME_LEN, "Mono");
	snprintf(f->bus[4].name, NAME_LEN, "Stream L/R");
	snprintf(f->mtx[0].name, NAME_LEN, "Stream Mtx");
	snprintf(f->mtx[1].name, NAME_LEN, "Record");
}

/* Sending */

static void send_msg(struct fake *f, const struct sockaddr_in *to,
		const char *path, lo_message m)
{
	uint8_t buf[2048];
	size_t len = lo_message_length(m, path);

	if (len == 0 || len > sizeof(buf))
		return;
	if (lo_message_serialise(m, path, buf, &len) == NULL)
		return;
	(void)sendto(f->fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static lo_message value_msg(const struct strip *s, enum foh_x32_param p)
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return NULL;
	if (p == FOH_X32_FADER)
		lo_message_add_float(m, s->fader);
	else if (p == FOH_X32_ON)
		lo_message_add_int32(m, s->on);
	else
		lo_message_add_string(m, s->name);
	return m;
}

static bool same_client(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* A change pushed to every /xremote client but the one that made it. */
static void push(struct fake *f, const struct sockaddr_in *from,
		const char *path, lo_message m)
{
	double now = now_s();

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &f->clients[i];
		if (c->xremote_until <= now || (from && same_client(&c->addr, from)))
			continue;
		send_msg(f, &c->addr, path, m);
	}
}

static struct client *client_for(struct fake *f, const struct sockaddr_in *from)
{
	struct client *oldest = &f->clients[0];

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &f->clients[i];
		if (same_client(&c->addr, from))
			return c;
		if (fmax(c->xremote_until, c->meters_until) <
				fmax(oldest->xremote_until, oldest->meters_until))
			oldest = c;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->addr = *from;
	return oldest;
}

/* Meters */

static float meter_value(const struct fake *f, const struct strip *s)
{
	double db = s->level_db, lin;

	if (f->post)
		db = s->on ? db + foh_x32_fader_to_db(fmin(fmax(s->fader, 0.0), 1.0)) : -INFINITY;
	lin = isnan(db) ? 0.0 : pow(10.0, db / 20.0);
	return (float)fmin(fmax(lin, 0.0), (double)FOH_X32_METER_MAX);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* /meters/2 exactly as the desk sends it. */
static size_t meters2_packet(const struct fake *f, uint8_t *p)
{
	float v[FOH_X32_METERS2_COUNT];
	uint32_t blob = 4 + 4 * FOH_X32_METERS2_COUNT;

	for (int i = 0; i < 16; i++)
		v[i] = meter_value(f, &f->bus[i]);
	for (int i = 0; i < 6; i++)
		v[16 + i] = meter_value(f, &f->mtx[i]);
	v[22] = v[23] = meter_value(f, &f->main_st);
	v[24] = meter_value(f, &f->main_m);
	for (int i = 25; i < FOH_X32_METERS2_COUNT; i++)
		v[i] = 1.0f;		/* dynamics gain: no reduction */
	memcpy(p, "/meters/2\0\0\0,b\0\0", 16);
	p[16] = (uint8_t)(blob >> 24);
	p[17] = (uint8_t)(blob >> 16);
	p[18] = (uint8_t)(blob >> 8);
	p[19] = (uint8_t)blob;
	put_le32(p + 20, FOH_X32_METERS2_COUNT);
	for (int i = 0; i < FOH_X32_METERS2_COUNT; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		put_le32(p + 24 + 4 * i, u);
	}
	return 24 + 4 * FOH_X32_METERS2_COUNT;
}

/* Sends due meter packets; returns ms until the next one (or 50). */
static int send_meters(struct fake *f)
{
	uint8_t pkt[24 + 4 * FOH_X32_METERS2_COUNT];
	double now = now_s(), next = now + METER_S;
	size_t len = meters2_packet(f, pkt);

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &f->clients[i];
		if (c->meters_until <= now)
			continue;
		if (c->meters_next <= now) {
			if (!f->silent)
				(void)sendto(f->fd, pkt, len, 0,
						(const struct sockaddr *)&c->addr, sizeof(c->addr));
			c->meters_next += c->meters_period;
			if (c->meters_next <= now)
				c->meters_next = now + c->meters_period;
		}
		next = fmin(next, c->meters_next);
	}
	return (int)ceil(fmax(next - now, 0.0) * 1000.0);
}

/* Received messages */

struct msg {
	const char *path;
	const char *types;
	lo_arg **argv;
	int argc;
	const struct sockaddr_in *from;
};

static void reply_ssss(struct fake *f, const struct msg *m, const char *a,
		const char *b, const char *c, const char *d)
{
	lo_message r = lo_message_new();

	if (r == NULL)
		return;
	lo_message_add_string(r, a);
	lo_message_add_string(r, b);
	lo_message_add_string(r, c);
	if (d)
		lo_message_add_string(r, d);
	send_msg(f, m->from, m->path, r);
	lo_message_free(r);
}

static void log_fader(struct fake *f, const struct msg *m, float value)
{
	struct timespec ts;
	char ip[INET_ADDRSTRLEN] = "?";

	if (f->log == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	inet_ntop(AF_INET, &m->from->sin_addr, ip, sizeof(ip));
	fprintf(f->log, "%lld.%06ld %s %.6f %s:%u %s\n", (long long)ts.tv_sec,
			ts.tv_nsec / 1000, m->path, (double)value, ip,
			ntohs(m->from->sin_port), f->silent ? "dropped" : "applied");
	fflush(f->log);
}

/* liblo's lo_arg pointers point into the packet, 4-byte aligned only: read
 * through memcpy rather than through the (8-byte aligned) union. */
static float arg_f(const lo_arg *a)
{
	float v;

	memcpy(&v, a, sizeof(v));
	return v;
}

static int32_t arg_i(const lo_arg *a)
{
	int32_t v;

	memcpy(&v, a, sizeof(v));
	return v;
}

static const char *arg_s(const lo_arg *a)
{
	return (const char *)a;
}

/* A set of one value; false when the type does not fit. */
static bool apply_set(struct strip *s, enum foh_x32_param p, const struct msg *m)
{
	char t = m->types[0];

	if (p == FOH_X32_FADER && t == 'f')
		s->fader = arg_f(m->argv[0]);
	else if (p == FOH_X32_ON && t == 'i')
		s->on = arg_i(m->argv[0]);
	else if (p == FOH_X32_NAME && t == 's')
		snprintf(s->name, sizeof(s->name), "%s", arg_s(m->argv[0]));
	else
		return false;
	return true;
}

static void handle_strip(struct fake *f, const struct msg *m,
		const struct foh_x32_output *o, enum foh_x32_param p)
{
	struct strip *s = strip_of(f, o);
	lo_message r;

	if (p == FOH_X32_FADER && m->argc >= 1 && m->types[0] == 'f')
		log_fader(f, m, arg_f(m->argv[0]));
	if (f->silent)
		return;
	if (m->argc >= 1 && !apply_set(s, p, m)) {
		if (f->verbose)
			fprintf(stderr, "fake-x32: %s ,%s: wrong type\n", m->path, m->types);
		return;
	}
	if ((r = value_msg(s, p)) == NULL)
		return;
	if (m->argc == 0)
		send_msg(f, m->from, m->path, r);
	else
		push(f, m->from, m->path, r);
	lo_message_free(r);
}

static void handle_meters(struct fake *f, const struct msg *m, bool renew)
{
	struct client *c;
	int tf = 1;

	if (m->argc < 1 || m->types[0] != 's' || strcmp(arg_s(m->argv[0]), "/meters/2") != 0) {
		if (f->verbose)
			fprintf(stderr, "fake-x32: %s: only /meters/2 is served\n", m->path);
		return;
	}
	c = client_for(f, m->from);
	if (renew && c->meters_until <= now_s())
		return;
	for (int i = 1; i < m->argc; i++)
		if (m->types[i] == 'i') {
			tf = arg_i(m->argv[i]);
			break;
		}
	if (!renew) {
		c->meters_period = METER_S * (tf >= 1 && tf <= 99 ? tf : 1);
		c->meters_next = now_s();
	}
	c->meters_until = now_s() + SUB_S;
}

static void fmt_level(char *buf, size_t size, float fader)
{
	double db = foh_x32_fader_to_db(fmin(fmax(fader, 0.0), 1.0));

	if (isinf(db))
		snprintf(buf, size, "-oo");
	else
		snprintf(buf, size, "%+.1f", db);
}

/* /node ,s "mtx/01/mix" or "bus/05/config". */
static void handle_node(struct fake *f, const struct msg *m)
{
	struct foh_x32_output o;
	enum foh_x32_param p;
	char addr[96], line[160], lvl[16];
	const char *arg;
	lo_message r;
	int n;

	if (m->argc < 1 || m->types[0] != 's')
		return;
	arg = arg_s(m->argv[0]);
	n = snprintf(addr, sizeof(addr), "/%s/fader", arg);
	if (n < 0 || (size_t)n >= sizeof(addr))
		return;
	if (foh_x32_address_parse(addr, &o, &p) < 0 || p != FOH_X32_FADER) {
		snprintf(addr, sizeof(addr), "/%s/name", arg);
		if (foh_x32_address_parse(addr, &o, &p) < 0 || p != FOH_X32_NAME)
			return;
	}
	const struct strip *s = strip_of(f, &o);
	fmt_level(lvl, sizeof(lvl), s->fader);
	if (p == FOH_X32_FADER)
		snprintf(line, sizeof(line), "/%s %s %s\n", arg, s->on ? "ON" : "OFF", lvl);
	else
		snprintf(line, sizeof(line), "/%s \"%s\" 1 WH\n", arg, s->name);
	if ((r = lo_message_new()) == NULL)
		return;
	lo_message_add_string(r, line);
	send_msg(f, m->from, "node", r);
	lo_message_free(r);
}

static void unsubscribe(struct client *c)
{
	c->xremote_until = c->meters_until = 0.0;
}

static void handle_message(struct fake *f, const struct msg *m)
{
	struct foh_x32_output o;
	enum foh_x32_param p;

	if (f->verbose)
		fprintf(stderr, "fake-x32: %s ,%s\n", m->path, m->types);
	if (foh_x32_address_parse(m->path, &o, &p) == 0) {
		handle_strip(f, m, &o, p);
		return;
	}
	if (f->silent)
		return;
	if (strcmp(m->path, "/xinfo") == 0)
		reply_ssss(f, m, "127.0.0.1", "fake-x32", "X32", "4.06");
	else if (strcmp(m->path, "/info") == 0)
		reply_ssss(f, m, "V2.07", "fake-x32", "X32", "4.06");
	else if (strcmp(m->path, "/status") == 0)
		reply_ssss(f, m, "active", "127.0.0.1", "fake-x32", NULL);
	else if (strcmp(m->path, "/xremote") == 0)
		client_for(f, m->from)->xremote_until = now_s() + SUB_S;
	else if (strcmp(m->path, "/meters") == 0 || strcmp(m->path, "/renew") == 0)
		handle_meters(f, m, m->path[1] == 'r');
	else if (strcmp(m->path, "/unsubscribe") == 0)
		unsubscribe(client_for(f, m->from));
	else if (strcmp(m->path, "/node") == 0)
		handle_node(f, m);
}

/* data was validated: addresses, type tags and bundle elements are sound. */
static void dispatch(struct fake *f, uint8_t *data, size_t len,
		const struct sockaddr_in *from)
{
	lo_message lm;
	int res = 0;

	if (len >= 16 && memcmp(data, "#bundle", 8) == 0) {
		for (size_t pos = 16; pos + 4 <= len;) {
			size_t n = (size_t)data[pos] << 24 | (size_t)data[pos + 1] << 16 |
				(size_t)data[pos + 2] << 8 | data[pos + 3];
			dispatch(f, data + pos + 4, n, from);
			pos += 4 + n;
		}
		return;
	}
	if ((lm = lo_message_deserialise(data, len, &res)) == NULL) {
		if (f->verbose)
			fprintf(stderr, "fake-x32: liblo refused a datagram (%d)\n", res);
		return;
	}
	struct msg m = { (const char *)data, lo_message_get_types(lm),
		lo_message_get_argv(lm), lo_message_get_argc(lm), from };
	handle_message(f, &m);
	lo_message_free(lm);
}

static void receive(struct fake *f)
{
	static uint8_t buf[65536];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	struct foh_osc_error err;
	ssize_t n;

	n = recvfrom(f->fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT,
			(struct sockaddr *)&from, &flen);
	if (n < 0 || (size_t)n > sizeof(buf) || from.sin_family != AF_INET)
		return;
	if (foh_osc_validate(buf, (size_t)n, &err) < 0) {
		/* the first few, then every 1000th: fuzzing tests send thousands */
		if (f->verbose || f->dropped < 10 || f->dropped % 1000 == 0)
			fprintf(stderr, "fake-x32: dropped a %zd-byte datagram (%s at %zu), "
					"%u so far\n", n, foh_osc_reason_str(err.reason),
					err.offset, f->dropped + 1);
		f->dropped++;
		return;
	}
	dispatch(f, buf, (size_t)n, &from);
}

/* Commands */

static int cmd_output(const char *id, struct foh_x32_output *o)
{
	if (id == NULL || foh_x32_output_parse(id, o) < 0) {
		fprintf(stderr, "fake-x32: unknown output '%s'\n", id ? id : "");
		return -EINVAL;
	}
	return 0;
}

static int parse_db(const char *s, double *db)
{
	char *end;

	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "-inf") == 0 || strcmp(s, "-oo") == 0) {
		*db = -INFINITY;
		return 0;
	}
	*db = strtod(s, &end);
	return *end == '\0' && isfinite(*db) ? 0 : -EINVAL;
}

/* A move on the desk itself: pushed to every /xremote client. */
static void desk_set(struct fake *f, const struct foh_x32_output *o,
		enum foh_x32_param p)
{
	char path[64];
	lo_message m;

	if (foh_x32_output_address(o, p, path, sizeof(path)) < 0 ||
			(m = value_msg(strip_of(f, o), p)) == NULL)
		return;
	if (!f->silent)
		push(f, NULL, path, m);
	lo_message_free(m);
}

static void command_strip(struct fake *f, char *verb, char *rest)
{
	char *id = strtok_r(rest, " \t", &rest), *arg = rest;
	struct foh_x32_output o;
	struct strip *s;
	double db;

	while (arg && (*arg == ' ' || *arg == '\t'))
		arg++;
	if (cmd_output(id, &o) < 0)
		return;
	s = strip_of(f, &o);
	if (strcmp(verb, "name") == 0) {
		snprintf(s->name, sizeof(s->name), "%s", arg ? arg : "");
		desk_set(f, &o, FOH_X32_NAME);
		return;
	}
	if (strcmp(verb, "on") == 0 && arg && (!strcmp(arg, "0") || !strcmp(arg, "1"))) {
		s->on = arg[0] == '1';
		desk_set(f, &o, FOH_X32_ON);
		return;
	}
	if (parse_db(arg, &db) < 0) {
		fprintf(stderr, "fake-x32: bad value in '%s'\n", verb);
		return;
	}
	if (strcmp(verb, "level") == 0) {
		s->level_db = db;
	} else if (strcmp(verb, "fader") == 0) {
		s->fader = foh_x32_step_to_fader(foh_x32_db_to_step(db));
		desk_set(f, &o, FOH_X32_FADER);
	}
}

static void command(struct fake *f, char *line)
{
	char *rest, *verb = strtok_r(line, " \t\r", &rest);

	if (verb == NULL || verb[0] == '#')
		return;
	if (strcmp(verb, "silent") == 0)
		f->silent = true;
	else if (strcmp(verb, "resume") == 0)
		f->silent = false;
	else if (strcmp(verb, "quit") == 0)
		f->quit = true;
	else if (!strcmp(verb, "level") || !strcmp(verb, "fader") ||
			!strcmp(verb, "on") || !strcmp(verb, "name"))
		command_strip(f, verb, rest);
	else
		fprintf(stderr, "fake-x32: unknown command '%s'\n", verb);
	if (f->verbose)
		fprintf(stderr, "fake-x32: command %s done\n", verb);
}

/* Appends bytes and runs every complete line; overlong lines are dropped. */
static void feed_lines(struct fake *f, struct line_buf *b, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			b->data[b->len] = '\0';
			if (!b->overlong)
				command(f, b->data);
			b->len = 0;
			b->overlong = false;
		} else if (b->len == LINE_LEN - 1) {
			if (!b->overlong)
				fprintf(stderr, "fake-x32: command line too long, ignored\n");
			b->overlong = true;
		} else {
			b->data[b->len++] = data[i] == '\r' ? ' ' : data[i];
		}
	}
}

static void read_stdin(struct fake *f)
{
	char buf[1024];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n > 0)
		feed_lines(f, &f->in_line, buf, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		f->stdin_open = false;
}

static void read_control(struct fake *f)
{
	char buf[1024];
	struct stat st;
	ssize_t n;

	if (f->control_fd < 0 || fstat(f->control_fd, &st) < 0)
		return;
	if (st.st_size < f->control_off) {
		f->control_off = 0;	/* truncated: start over */
		f->control_line.len = 0;
	}
	while ((n = pread(f->control_fd, buf, sizeof(buf), f->control_off)) > 0) {
		f->control_off += n;
		feed_lines(f, &f->control_line, buf, (size_t)n);
	}
}

/* Setup and main loop */

static int open_socket(const char *port, int *out_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char *end;
	long p = strtol(port, &end, 10);
	int fd;

	if (*end != '\0' || p < 0 || p > 65535)
		return -EINVAL;
	a.sin_port = htons((uint16_t)p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
			getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	*out_port = ntohs(a.sin_port);
	return fd;
}

static void fake_free(struct fake *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->control_fd >= 0)
		close(f->control_fd);
	if (f->log)
		fclose(f->log);
	free(f);
}

static void on_signal(int sig)
{
	got_signal = sig;
}

static void run(struct fake *f)
{
	while (!f->quit && !got_signal) {
		struct pollfd p[2] = { { f->fd, POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
		int timeout = send_meters(f);

		if (poll(p, f->stdin_open ? 2 : 1, timeout < 50 ? timeout : 50) < 0 &&
				errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			receive(f);
		if (f->stdin_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_stdin(f);
		read_control(f);
	}
}

static void usage(FILE *out)
{
	fprintf(out, "usage: fake-x32 [--port N] [--log FILE] [--control FILE] "
			"[--post] [--verbose]\n");
}

static int parse_args(struct fake *f, int argc, char **argv, const char **port)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "post", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:l:c:Pvh", opts, NULL)) != -1) {
		if (c == 'p') {
			*port = optarg;
		} else if (c == 'l') {
			if ((f->log = fopen(optarg, "a")) == NULL)
				return -errno;
		} else if (c == 'c') {
			f->control_fd = open(optarg, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
			if (f->control_fd < 0)
				return -errno;
		} else if (c == 'P') {
			f->post = true;
		} else if (c == 'v') {
			f->verbose = true;
		} else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 1 : -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct fake *f = calloc(1, sizeof(*f));
	const char *port = "10023";
	int res, bound = 0;

	if (f == NULL)
		return 1;
	f->fd = f->control_fd = -1;
	f->stdin_open = true;
	if ((res = parse_args(f, argc, argv, &port)) != 0)
		goto out;
	if ((f->fd = open_socket(port, &bound)) < 0) {
		res = f->fd;
		fprintf(stderr, "fake-x32: cannot listen on 127.0.0.1:%s: %s\n", port,
				strerror(-res));
		goto out;
	}
	preset(f);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("fake-x32: listening on 127.0.0.1:%d\n", bound);
	fflush(stdout);
	run(f);
	res = 0;
out:
	if (res < 0 && res != -EINVAL)
		fprintf(stderr, "fake-x32: %s\n", strerror(-res));
	fake_free(f);
	return res < 0 ? 1 : 0;
}
