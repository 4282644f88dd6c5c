/* The X32 client; see x32/client.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <lo/lo.h>
#include <lo/lo_lowlevel.h>

#include "osc/validate.h"
#include "util/log.h"
#include "x32/client.h"
#include "x32/settings.h"

#define N_SLOTS		56	/* ch 32, bus 16, mtx 6, main st, main m */
#define LOST_AFTER_NS	(5 * NSEC)
#define PROBE_EVERY_NS	(2 * NSEC)
#define RENEW_EVERY_NS	(9 * NSEC)
#define METER_STALE_NS	(1 * NSEC)
#define NSEC		1000000000ull

struct slot {
	char name[32];
	double fader_db;
	bool on, have_fader, have_on, have_name;
	float level;
	uint64_t level_ns;
};

struct foh_x32 {
	sd_event *event;
	sd_event_source *io, *tick;
	const struct foh_x32_events *events;
	void *data;
	int fd;			/* -1 while no desk is set */
	struct sockaddr_in desk, local;
	bool configured;
	enum foh_x32_state state;
	uint64_t connect_ns, last_heard, last_probe, last_renew;
	char model[32], firmware[32];
	struct slot slots[N_SLOTS];
	struct foh_x32_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static int slot_index(const struct foh_x32_output *o)
{
	switch (o->kind) {
	case FOH_X32_CH:
		return o->num >= 1 && o->num <= 32 ? (int)o->num - 1 : -1;
	case FOH_X32_BUS:
		return o->num >= 1 && o->num <= 16 ? 31 + (int)o->num : -1;
	case FOH_X32_MTX:
		return o->num >= 1 && o->num <= 6 ? 47 + (int)o->num : -1;
	case FOH_X32_MAIN_ST:
		return 54;
	case FOH_X32_MAIN_M:
		return 55;
	}
	return -1;
}

static int open_socket(struct foh_x32 *x);

static void set_state(struct foh_x32 *x, enum foh_x32_state s)
{
	if (x->state == s)
		return;
	foh_info("X32: %s", foh_x32_state_name(s));
	x->state = s;
	if (x->events->state)
		x->events->state(x->data, s);
}

/* Serialises and sends one message; failures only count (UDP). */
static void send_msg(struct foh_x32 *x, const char *path, lo_message m)
{
	char buf[256];
	size_t len = sizeof(buf);

	if (m == NULL)
		return;
	if (x->fd >= 0 && lo_message_length(m, path) <= sizeof(buf) &&
	    lo_message_serialise(m, path, buf, &len) != NULL)
		(void)sendto(x->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&x->desk,
				sizeof(x->desk));
	lo_message_free(m);
}

static void send_simple(struct foh_x32 *x, const char *path)
{
	send_msg(x, path, lo_message_new());
}

static void subscribe(struct foh_x32 *x)
{
	lo_message m = lo_message_new();

	send_simple(x, "/xremote");
	if (m != NULL) {
		lo_message_add_string(m, "/meters/2");
		lo_message_add_int32(m, 1);	/* time factor 1: every 50 ms */
	}
	send_msg(x, "/meters", m);
	x->last_renew = now_ns();
}

/* Asks for every name, fader and on switch: after a (re)connection the
 * desk may have changed while we could not hear it. */
static void resync(struct foh_x32 *x)
{
	static const enum foh_x32_param params[] = { FOH_X32_NAME, FOH_X32_FADER, FOH_X32_ON };
	struct foh_x32_output o;
	char addr[64];

	for (int i = 0; i < N_SLOTS - 1; i++) {
		o.kind = i < 32 ? FOH_X32_CH : i < 48 ? FOH_X32_BUS : i < 54 ? FOH_X32_MTX :
			FOH_X32_MAIN_ST;
		o.num = i < 32 ? (unsigned)i + 1 : i < 48 ? (unsigned)i - 31 :
			i < 54 ? (unsigned)i - 47 : 0;
		for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++)
			if (foh_x32_output_address(&o, params[p], addr, sizeof(addr)) >= 0)
				send_simple(x, addr);
	}
	subscribe(x);
}

static void take_meters(struct foh_x32 *x, const void *buf, size_t len)
{
	float values[FOH_X32_METERS2_COUNT];
	enum foh_x32_meter_reason why;
	uint64_t t = now_ns();

	if (foh_x32_meters_parse(buf, len, 2, values, FOH_X32_METERS2_COUNT, &why) < 0) {
		x->stats.malformed++;
		foh_debug("X32: meter packet dropped: %s", foh_x32_meter_reason_str(why));
		return;
	}
	for (int i = 32; i < 55; i++) {
		struct foh_x32_output o;
		float level;
		o.kind = i < 48 ? FOH_X32_BUS : i < 54 ? FOH_X32_MTX : FOH_X32_MAIN_ST;
		o.num = i < 48 ? (unsigned)i - 31 : i < 54 ? (unsigned)i - 47 : 0;
		if (foh_x32_meters2_level(values, FOH_X32_METERS2_COUNT, &o, &level) == 0) {
			x->slots[i].level = level;
			x->slots[i].level_ns = t;
		}
	}
	x->stats.meters++;
	if (x->events->meters)
		x->events->meters(x->data);
}

/* liblo's argument pointers point into the message at 4-byte alignment,
 * while union lo_arg wants 8: read the bytes, never through the union. */
static float arg_float(const lo_arg *a)
{
	float v;

	memcpy(&v, a, sizeof(v));
	return v;
}

static int32_t arg_int(const lo_arg *a)
{
	int32_t v;

	memcpy(&v, a, sizeof(v));
	return v;
}

static void take_value(struct foh_x32 *x, const char *path, const char *types, lo_arg **argv)
{
	struct foh_x32_output o;
	enum foh_x32_param p;
	struct slot *s;
	char id[16];
	int i;

	if (foh_x32_address_parse(path, &o, &p) < 0 || (i = slot_index(&o)) < 0 || types[0] == '\0')
		return;
	s = &x->slots[i];
	if (p == FOH_X32_FADER && types[0] == 'f' && isfinite(arg_float(argv[0]))) {
		double f = fminf(fmaxf(arg_float(argv[0]), 0.0f), 1.0f);
		s->fader_db = foh_x32_fader_to_db(f);
		s->have_fader = true;
		if (x->events->fader && foh_x32_output_id(&o, id, sizeof(id)) >= 0)
			x->events->fader(x->data, id, s->fader_db, true);
	} else if (p == FOH_X32_ON && types[0] == 'i') {
		s->on = arg_int(argv[0]) != 0;
		s->have_on = true;
	} else if (p == FOH_X32_NAME && types[0] == 's') {
		snprintf(s->name, sizeof(s->name), "%s", (const char *)argv[0]);
		s->have_name = true;
	}
}

static void take_info(struct foh_x32 *x, const char *types, lo_arg **argv)
{
	if (strcmp(types, "ssss") == 0) {
		snprintf(x->model, sizeof(x->model), "%s", (const char *)argv[2]);
		snprintf(x->firmware, sizeof(x->firmware), "%s", (const char *)argv[3]);
	}
	if (x->state != FOH_X32_CONNECTED) {
		set_state(x, FOH_X32_CONNECTED);
		resync(x);
	}
}

static void dispatch(struct foh_x32 *x, void *buf, size_t len)
{
	const char *path = lo_get_path(buf, (ssize_t)len);
	lo_message m;
	int res = 0;

	x->last_heard = now_ns();
	if (path == NULL)
		return;
	if (strcmp(path, "/meters/2") == 0) {
		take_meters(x, buf, len);
		return;
	}
	if ((m = lo_message_deserialise(buf, len, &res)) == NULL) {
		x->stats.malformed++;
		return;
	}
	if (strcmp(path, "/xinfo") == 0 || strcmp(path, "/info") == 0)
		take_info(x, lo_message_get_types(m), lo_message_get_argv(m));
	else if (strcmp(path, "/status") == 0 && x->state != FOH_X32_CONNECTED)
		take_info(x, "", NULL);
	else
		take_value(x, path, lo_message_get_types(m), lo_message_get_argv(m));
	lo_message_free(m);
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_x32 *x = data;
	struct sockaddr_in from;
	socklen_t fromlen;
	char buf[4096];
	struct foh_osc_error err;

	/* a bounded batch per wake-up: a flood cannot starve the loop */
	for (int i = 0; i < 64; i++) {
		ssize_t n;
		fromlen = sizeof(from);
		/* MSG_TRUNC: n is the real length; a larger datagram was cut */
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				(struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		if (!x->configured || fromlen != sizeof(from) ||
		    from.sin_addr.s_addr != x->desk.sin_addr.s_addr ||
		    from.sin_port != x->desk.sin_port) {
			x->stats.foreign++;
			continue;
		}
		if ((size_t)n > sizeof(buf) || foh_osc_validate(buf, (size_t)n, &err) < 0) {
			x->stats.malformed++;
			continue;
		}
		dispatch(x, buf, (size_t)n);
	}
	return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_x32 *x = data;
	uint64_t t = now_ns();

	if (x->configured) {
		if (x->state == FOH_X32_CONNECTED && t - x->last_heard > LOST_AFTER_NS)
			set_state(x, FOH_X32_LOST);
		if (x->state == FOH_X32_CONNECTING && t - x->connect_ns > LOST_AFTER_NS)
			set_state(x, FOH_X32_LOST);
		if (t - x->last_probe >= PROBE_EVERY_NS) {
			/* while the desk is not heard, follow the route: the
			 * interface may have come up or changed address */
			if (x->state != FOH_X32_CONNECTED)
				(void)open_socket(x);
			send_simple(x, "/xinfo");
			x->last_probe = t;
		}
		if (x->state == FOH_X32_CONNECTED && t - x->last_renew >= RENEW_EVERY_NS)
			subscribe(x);
	}
	(void)sd_event_source_set_time(s, usec + 250000);
	/* no desk configured: nothing to watch, no wakeups (connect re-arms) */
	return sd_event_source_set_enabled(s, x->configured ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* The local address the kernel routes the desk from: a UDP socket
 * connect()ed to the desk learns it without sending anything. */
static int route_source(const struct sockaddr_in *desk, struct sockaddr_in *local)
{
	socklen_t len = sizeof(*local);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)desk, sizeof(*desk)) < 0 ||
	    getsockname(fd, (struct sockaddr *)local, &len) < 0)
		r = -errno;
	close(fd);
	local->sin_port = 0;
	return r;
}

static void close_socket(struct foh_x32 *x)
{
	x->io = sd_event_source_disable_unref(x->io);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

/* (Re)opens the socket bound to the address of the interface that reaches
 * the desk (127.0.0.1 for a desk on this machine), any free port. It is
 * not connect()ed, so datagrams from others still arrive to be counted as
 * ForeignPackets. Kept when the route's source address did not change. */
static int open_socket(struct foh_x32 *x)
{
	struct sockaddr_in local;
	int r;

	if ((r = route_source(&x->desk, &local)) < 0) {
		close_socket(x);
		return r;
	}
	if (x->fd >= 0 && local.sin_addr.s_addr == x->local.sin_addr.s_addr)
		return 0;
	close_socket(x);
	x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0 || bind(x->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    (r = sd_event_add_io(x->event, &x->io, x->fd, EPOLLIN, on_readable, x)) < 0) {
		r = r < 0 ? r : -errno;
		close_socket(x);
		return r;
	}
	x->local = local;
	foh_debug("X32: socket bound to %s", inet_ntoa(local.sin_addr));
	return 0;
}

int foh_x32_new(sd_event *event, const struct foh_x32_events *events, void *data,
		struct foh_x32 **out)
{
	struct foh_x32 *x = calloc(1, sizeof(*x));
	int r;

	if (x == NULL)
		return -ENOMEM;
	x->event = sd_event_ref(event);
	x->events = events;
	x->data = data;
	x->fd = -1;
	if ((r = sd_event_add_time_relative(event, &x->tick, CLOCK_MONOTONIC, 250000, 10000,
				on_tick, x)) < 0)
		goto error;
	*out = x;
	return 0;
error:
	foh_x32_free(x);
	return r;
}

void foh_x32_free(struct foh_x32 *x)
{
	if (x == NULL)
		return;
	close_socket(x);
	sd_event_source_disable_unref(x->tick);
	sd_event_unref(x->event);
	free(x);
}

int foh_x32_connect(struct foh_x32 *x, const char *address)
{
	char ip[64];
	uint16_t port;

	if (address[0] == '\0') {
		foh_x32_disconnect(x);
		return 0;
	}
	if (foh_x32_parse_address(address, ip, &port) < 0)
		return -EINVAL;
	memset(x->slots, 0, sizeof(x->slots));
	x->desk.sin_family = AF_INET;
	x->desk.sin_port = htons(port);
	(void)inet_pton(AF_INET, ip, &x->desk.sin_addr);
	x->configured = true;
	x->connect_ns = x->last_probe = now_ns();
	(void)sd_event_source_set_time_relative(x->tick, 250000);
	(void)sd_event_source_set_enabled(x->tick, SD_EVENT_ON);
	x->last_heard = 0;
	set_state(x, FOH_X32_CONNECTING);
	if (open_socket(x) < 0)	/* no route yet: the probes retry */
		foh_warn("X32: no route to %s yet", address);
	send_simple(x, "/xinfo");
	return 0;
}

void foh_x32_disconnect(struct foh_x32 *x)
{
	if (x->configured && x->state == FOH_X32_CONNECTED)
		send_simple(x, "/unsubscribe");
	x->configured = false;
	close_socket(x);
	set_state(x, FOH_X32_DISCONNECTED);
}

enum foh_x32_state foh_x32_state(const struct foh_x32 *x)
{
	return x->state;
}

const char *foh_x32_state_name(enum foh_x32_state s)
{
	static const char *const names[] = { "disconnected", "connecting", "connected", "lost" };

	return names[s];
}

const char *foh_x32_model(const struct foh_x32 *x)
{
	return x->model;
}

const char *foh_x32_firmware(const struct foh_x32 *x)
{
	return x->firmware;
}

void foh_x32_stats(const struct foh_x32 *x, struct foh_x32_stats *out)
{
	*out = x->stats;
}

size_t foh_x32_n_outputs(void)
{
	return 16 + 6 + 1;
}

int foh_x32_output_at(size_t i, struct foh_x32_output *o)
{
	if (i >= foh_x32_n_outputs())
		return -ENOENT;
	if (i == 0) {
		o->kind = FOH_X32_MAIN_ST;
		o->num = 0;
	} else if (i <= 16) {
		o->kind = FOH_X32_BUS;
		o->num = (unsigned)i;
	} else {
		o->kind = FOH_X32_MTX;
		o->num = (unsigned)i - 16;
	}
	return 0;
}

const char *foh_x32_name(const struct foh_x32 *x, const struct foh_x32_output *o)
{
	int i = slot_index(o);

	return i >= 0 ? x->slots[i].name : "";
}

int foh_x32_fader_db(const struct foh_x32 *x, const struct foh_x32_output *o, double *db)
{
	int i = slot_index(o);

	if (i < 0 || !x->slots[i].have_fader)
		return -ENODATA;
	*db = x->slots[i].fader_db;
	return 0;
}

int foh_x32_on(const struct foh_x32 *x, const struct foh_x32_output *o, bool *on)
{
	int i = slot_index(o);

	if (i < 0 || !x->slots[i].have_on)
		return -ENODATA;
	*on = x->slots[i].on;
	return 0;
}

int foh_x32_level_db(const struct foh_x32 *x, const struct foh_x32_output *o, double *db)
{
	int i = slot_index(o);

	if (i < 0 || x->slots[i].level_ns == 0 || now_ns() - x->slots[i].level_ns > METER_STALE_NS)
		return -ENODATA;
	*db = foh_x32_meter_to_db(x->slots[i].level);
	return 0;
}

int foh_x32_set_fader(struct foh_x32 *x, const struct foh_x32_output *o, double db,
		double *applied)
{
	char addr[64], id[16];
	int i = slot_index(o), step;
	lo_message m;

	if (i < 0 || isnan(db))
		return -EINVAL;
	if (x->state != FOH_X32_CONNECTED)
		return -ENOTCONN;
	if ((step = foh_x32_db_to_step(fmin(db, 10.0))) < 0)
		return -EINVAL;
	if (foh_x32_output_address(o, FOH_X32_FADER, addr, sizeof(addr)) < 0 ||
	    (m = lo_message_new()) == NULL)
		return -EINVAL;
	lo_message_add_float(m, foh_x32_step_to_fader(step));
	send_msg(x, addr, m);
	x->stats.fader_writes++;
	/* the desk does not echo our own writes: reflect them here */
	x->slots[i].fader_db = foh_x32_step_to_db(step);
	x->slots[i].have_fader = true;
	*applied = x->slots[i].fader_db;
	if (x->events->fader && foh_x32_output_id(o, id, sizeof(id)) >= 0)
		x->events->fader(x->data, id, *applied, false);
	return 0;
}

static void add_slot_json(JsonBuilder *b, const struct slot *s, int number)
{
	json_builder_begin_object(b);
	if (number > 0) {
		json_builder_set_member_name(b, "number");
		json_builder_add_int_value(b, number);
	}
	json_builder_set_member_name(b, "name");
	if (s->have_name)
		json_builder_add_string_value(b, s->name);
	else
		json_builder_add_null_value(b);
	/* JSON has no -inf: a fader all the way down is null, like an unknown one */
	json_builder_set_member_name(b, "fader_db");
	if (s->have_fader && isfinite(s->fader_db))
		json_builder_add_double_value(b, s->fader_db);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "on");
	if (s->have_on)
		json_builder_add_boolean_value(b, s->on);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static void add_group_json(JsonBuilder *b, const struct foh_x32 *x, const char *key,
		int first, int count)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (int i = 0; i < count; i++)
		add_slot_json(b, &x->slots[first + i], i + 1);
	json_builder_end_array(b);
}

char *foh_x32_backup_json(const struct foh_x32 *x)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_string_value(b, "foh-x32-backup-1");
	json_builder_set_member_name(b, "model");
	json_builder_add_string_value(b, x->model);
	json_builder_set_member_name(b, "firmware");
	json_builder_add_string_value(b, x->firmware);
	add_group_json(b, x, "channels", 0, 32);
	add_group_json(b, x, "buses", 32, 16);
	add_group_json(b, x, "matrices", 48, 6);
	json_builder_set_member_name(b, "main");
	add_slot_json(b, &x->slots[54], 0);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

size_t foh_x32_routing(const struct foh_x32 *x, struct foh_x32_suggestion *out, size_t max)
{
	size_t n = 0;

	/* two passes: outputs named for the stream first, then the rest, each
	 * in the order Main ST, buses, matrices */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < foh_x32_n_outputs() && n < max; i++) {
			struct foh_x32_output o;
			const struct slot *s;
			bool named;
			(void)foh_x32_output_at(i, &o);
			s = &x->slots[slot_index(&o)];
			if (!s->have_fader || !(s->fader_db > -80.0))
				continue;
			named = s->have_name && strcasestr(s->name, "stream") != NULL;
			if (named != (pass == 0))
				continue;
			(void)foh_x32_output_id(&o, out[n].id, sizeof(out[n].id));
			if (named)
				snprintf(out[n].reason, sizeof(out[n].reason),
						"named \"%s\"; fader at %.1f dB", s->name, s->fader_db);
			else
				snprintf(out[n].reason, sizeof(out[n].reason),
						"%s%s%sfader at %.1f dB", s->have_name ? "\"" : "",
						s->have_name ? s->name : "", s->have_name ? "\"; " : "",
						s->fader_db);
			n++;
		}
	}
	return n;
}
