/* foh-osc: the OSC bridge between control surfaces and fohd. Shared state
 * of its parts: main.c (main, options, config, the org.foh.Osc1 object),
 * net.c (sockets, allow-list, validation, bundle walk, sending),
 * map.c (the /foh/... address table and the coalescing D-Bus
 * caller), deck.c (the Crowdstream deck addresses) and
 * feedback.c (subscriptions, levels and property feedback). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <lo/lo.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define FOH_BUS_NAME		"org.foh.Foh1"
#define FOH_ROOT		"/org/foh/Foh1"
#define OSC_BUS_NAME		"org.foh.Osc1"
#define OSC_PATH		"/org/foh/Osc1"
#define OSC_IFACE		"org.foh.Osc1"

#define OSC_DEFAULT_PORT	9001
#define OSC_DEFAULT_MOVEMENT	57122
#define OSC_MAX_ALLOW		32
#define OSC_MAX_SUBS		16
#define OSC_MAX_PENDING		16	/* subscribes waiting for their token back */
#define OSC_PENDING_USEC	(5ULL * 1000000ULL)
#define OSC_CHALLENGE_GAP_USEC	1000000ULL	/* at most one challenge a second per address */
#define OSC_SUB_BYTES_PER_SEC	65536	/* feedback budget of one surface (64 channels: ~33 kB/s) */
#define OSC_MAX_CHANNELS	64	/* fohd's FOH_CHANNELS_MAX */
#define OSC_LEASE_USEC		(30ULL * 1000000ULL)
#define OSC_FEEDBACK_USEC	100000ULL	/* 10 Hz */
#define OSC_MAX_SLOTS		4096	/* distinct coalescing keys */
#define OSC_MAX_ACTIONS		256	/* uncoalesced calls in flight */
#define OSC_CALL_TIMEOUT_USEC	(5ULL * 1000000ULL)

/* Counters served by Stats(); every datagram lands in exactly one of
 * dispatched-or-coalesced-or-refused per message it carries. */
#define OSC_STATS(X) \
	X(received) X(messages) X(dispatched) X(coalesced) X(completed) \
	X(refused_invalid) X(refused_unknown_address) X(refused_type) \
	X(refused_range) X(refused_source) X(refused_not_connected) \
	X(refused_busy) X(refused_path) X(decks_unavailable) X(dbus_errors) \
	X(subscribes) X(feedback_sent) X(handled_locally) X(save_failures) \
	X(challenges) X(refused_token) X(feedback_dropped)

struct osc_stats {
#define X(n) uint64_t n;
	OSC_STATS(X)
#undef X
};

struct osc_net4 {
	uint32_t addr;		/* network byte order */
	uint32_t mask;
};

struct osc_sock {
	int fd;
	struct sockaddr_in bound;
	sd_event_source *io;
	struct foh_osc *o;
};

/* A surface holding a lease, or one whose /foh/subscribe was answered with
 * a challenge and that has not sent the token back yet (pending). */
struct osc_sub {
	struct sockaddr_in addr;
	int fd;			/* the socket it subscribed on: replies leave from there */
	uint64_t expires;	/* CLOCK_MONOTONIC µs: end of the lease, or of the wait */
	uint32_t token;		/* what it must send back, to subscribe and to renew */
	uint64_t challenged;	/* when the last challenge went to it */
	double budget;		/* feedback bytes it may be sent now */
	uint64_t budget_at;	/* when budget was last refilled */
};

struct osc_levels {
	double v[6];
	uint64_t when;		/* 0 = never heard */
};

struct foh_osc {
	sd_event *event;
	sd_bus *bus;
	sd_bus_slot *vtable_slot;
	struct osc_sock sock[2];	/* control, movement */
	unsigned int n_sock;
	struct osc_net4 allow[OSC_MAX_ALLOW];
	unsigned int n_allow;
	struct osc_stats stats;

	GHashTable *slots;		/* key → struct osc_slot (map.c) */
	unsigned int actions_in_flight;
	uint64_t deck_log_at;		/* rate limit of "decks not available" */
	GHashTable *refusals;		/* "address\treason" → last log time (map.c) */
	unsigned int n_later;		/* Crowdstream calls waiting for their time */
	uint64_t time_zero;		/* Crowdstream's /reset (µs, CLOCK_MONOTONIC) */
	char *foh_config;		/* fohd's foh.conf: [decks] music-dirs */

	/* the datagram being dispatched: where feedback to it goes, and its
	 * size (no reply to it may be larger) */
	const struct sockaddr_in *from;
	int from_fd;
	size_t from_len;

	struct osc_sub subs[OSC_MAX_SUBS];
	unsigned int n_subs;
	struct osc_sub pending[OSC_MAX_PENDING];
	unsigned int n_pending;
	uint64_t lease_usec;
	struct osc_levels levels[OSC_MAX_CHANNELS];
	sd_event_source *feedback_timer;
	sd_bus_slot *match_levels, *match_props, *match_save_failed, *match_content;
};

uint64_t osc_now(void);

/* net.c */
int osc_parse_hostport(const char *s, uint16_t default_port, struct sockaddr_in *out);
int osc_parse_net(const char *s, struct osc_net4 *out);
bool osc_source_allowed(const struct foh_osc *o, const struct sockaddr_in *from);
int osc_sock_open(struct foh_osc *o, struct osc_sock *s, const struct sockaddr_in *addr);
void osc_sock_close(struct osc_sock *s);
/* One validated datagram: walks bundles (timetags are ignored: there is
 * no queue), deserialises each message and hands it to osc_map_message. */
void osc_dispatch_packet(struct foh_osc *o, const uint8_t *p, size_t len);
/* Sends m to to from fd: the bytes sent, or a negative errno. */
int osc_send(struct foh_osc *o, int fd, const struct sockaddr_in *to,
		const char *path, lo_message m);

/* map.c */
enum osc_class {
	OSC_CLASS_FOH,		/* a /foh/... address: unknown object = unknown address */
	OSC_CLASS_DECK,		/* a deck or the mixer: unknown object = decks unavailable */
};

#define OSC_CALL_MAX_ARGS	5
#define OSC_CALL_MAX_STRS	4

struct osc_arg {
	char type;		/* 'd', 'b', 's', or 'A' (as) */
	double d;
	int b;
	char *s;		/* 's' */
	char *strs[OSC_CALL_MAX_STRS];	/* 'A' */
	unsigned int n_strs;
};

/* One D-Bus call: a property Set (member is the property, one argument)
 * or a method call. Strings are owned (osc_call_clear frees them). */
struct osc_call {
	enum osc_class cls;
	char path[64];
	const char *iface;
	const char *member;
	bool set_property;
	unsigned int n_args;
	struct osc_arg arg[OSC_CALL_MAX_ARGS];
};

void osc_call_init(struct osc_call *c, enum osc_class cls, const char *path,
		const char *iface, const char *member, bool set_property);
int osc_call_add_d(struct osc_call *c, double d);
int osc_call_add_b(struct osc_call *c, bool b);
int osc_call_add_s(struct osc_call *c, const char *s);
int osc_call_add_strv(struct osc_call *c, char *const *strs, unsigned int n);
void osc_call_clear(struct osc_call *c);
/* Sends c. With a key, the call coalesces: while one call of that key is
 * in flight, a newer one replaces the pending one (latest wins). Takes
 * ownership of c's strings in every case. */
void osc_submit(struct foh_osc *o, struct osc_call *c, const char *key);

/* lo argument readers: a number (i h f d), a truth (T F i h f d), a string
 * (s S). false when the type does not fit. Values are copied with memcpy:
 * liblo's argv may be unaligned. */
bool osc_arg_number(char type, lo_arg *a, double *out);
bool osc_arg_truth(char type, lo_arg *a, bool *out);
const char *osc_arg_string(char type, lo_arg *a);

/* Counts a refused message in *counter and logs it, at most once per
 * address and reason every 10 s (with how many were not logged). */
void osc_refused(struct foh_osc *o, uint64_t *counter, const char *address,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void osc_map_message(struct foh_osc *o, const char *path, const char *types,
		lo_arg **argv, int argc);
void osc_map_free(struct foh_osc *o);
/* For feedback: the /foh/... address of a changed fohd property, or -ENOENT. */
int osc_map_feedback_address(const char *obj_path, const char *iface,
		const char *prop, char *addr, size_t size, char *type);

/* deck.c: true when path is a Crowdstream address (handled). */
bool osc_deck_message(struct foh_osc *o, const char *path, const char *types,
		lo_arg **argv, int argc);
void osc_deck_unavailable(struct foh_osc *o);

/* feedback.c */
int osc_feedback_start(struct foh_osc *o);
void osc_feedback_stop(struct foh_osc *o);
/* /foh/subscribe (and /foh/subscribe/confirm): no argument asks for a
 * challenge, the token (,i) subscribes or renews. */
void osc_subscribe(struct foh_osc *o, const char *types, lo_arg **argv, int argc);
void osc_unsubscribe(struct foh_osc *o);
