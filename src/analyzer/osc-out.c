/* OSC feature stream sender; see analyzer/osc-out.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>
#include <lo/lo_lowlevel.h>

#include "analyzer/osc-out.h"

#define RETRY_NS	1000000000ull	/* a destination without a route: try again after */
#define MAX_PACKET	8192		/* /audio/fft with 1024 bins is 4 kB + header */

/* One socket per destination, bound to the local address the kernel routes
 * that destination from (127.0.0.1 for a receiver on this machine), any
 * free port; never 0.0.0.0. Not connect()ed: an ICMP "port unreachable"
 * from a receiver that is not running yet must not turn later sends into
 * errors. */
struct dest {
	struct sockaddr_storage to;
	socklen_t tolen;
	int fd;
	uint64_t retry_ns;
	unsigned options;	/* FOH_OSC_DEST_* */
};

struct foh_osc_out {
	struct dest d[FOH_ANALYZER_MAX_DESTINATIONS];
	unsigned n;
	unsigned any_options;	/* the union of every destination's options */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Opens d's socket: learns the route's source address by connect()ing a
 * throw-away socket (sends nothing), binds the real one there. */
static int dest_open(struct dest *d)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	int probe, one = 1, small = 1, r = 0;

	probe = socket(d->to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	(void)setsockopt(probe, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (connect(probe, (const struct sockaddr *)&d->to, d->tolen) < 0 ||
	    getsockname(probe, (struct sockaddr *)&local, &len) < 0)
		r = -errno;
	close(probe);
	if (r < 0)
		return r;
	if (local.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&local)->sin6_port = 0;
	else
		((struct sockaddr_in *)&local)->sin_port = 0;
	d->fd = socket(d->to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		return -errno;
	/* a broadcast destination in foh.conf means it; nothing is ever read,
	 * so what others send here is held in the smallest receive buffer */
	(void)setsockopt(d->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	(void)setsockopt(d->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(d->fd, (const struct sockaddr *)&local, len) < 0) {
		r = -errno;
		close(d->fd);
		d->fd = -1;
	}
	return r;
}

int foh_osc_out_new(const char *destinations, struct foh_osc_out **out)
{
	char copy[FOH_ANALYZER_DESTINATIONS_LEN], host[64], port[8], *save = NULL;
	struct foh_osc_out *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return -ENOMEM;
	snprintf(copy, sizeof(copy), "%s", destinations);
	for (char *tok = strtok_r(copy, ",", &save); tok && o->n < FOH_ANALYZER_MAX_DESTINATIONS;
			tok = strtok_r(NULL, ",", &save)) {
		struct dest *d = &o->d[o->n];
		struct sockaddr_in *v4 = (struct sockaddr_in *)&d->to;
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&d->to;

		while (*tok == ' ')
			tok++;
		d->fd = -1;
		if (foh_osc_destination_split(tok, host, port, &d->options) < 0) {
			foh_osc_out_free(o);
			return -EINVAL;
		}
		if (!(d->options & FOH_OSC_DEST_IDLE))
			o->any_options |= d->options;
		if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons((uint16_t)atoi(port));
			d->tolen = sizeof(*v4);
		} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons((uint16_t)atoi(port));
			d->tolen = sizeof(*v6);
		} else {
			foh_osc_out_free(o);
			return -EINVAL;
		}
		if (dest_open(d) < 0)
			d->retry_ns = now_ns() + RETRY_NS;
		o->n++;
	}
	*out = o;
	return 0;
}

void foh_osc_out_free(struct foh_osc_out *o)
{
	if (o == NULL)
		return;
	for (unsigned i = 0; i < o->n; i++)
		if (o->d[i].fd >= 0)
			close(o->d[i].fd);
	free(o);
}

unsigned foh_osc_out_count(const struct foh_osc_out *o)
{
	return o ? o->n : 0;
}

bool foh_osc_out_wants(const struct foh_osc_out *o, unsigned options)
{
	return o != NULL && (o->any_options & options) != 0;
}

/* To every destination, or (only != 0) to those with one of these options. */
static unsigned send_to(struct foh_osc_out *o, const char *path, lo_message m, unsigned only)
{
	static _Thread_local char buf[MAX_PACKET];
	size_t len = sizeof(buf);
	unsigned failed = 0;

	if (lo_message_length(m, path) > sizeof(buf) ||
	    lo_message_serialise(m, path, buf, &len) == NULL) {
		lo_message_free(m);
		return o->n;
	}
	lo_message_free(m);
	for (unsigned i = 0; i < o->n; i++) {
		struct dest *d = &o->d[i];

		if ((only != 0 && (d->options & only) == 0) || (d->options & FOH_OSC_DEST_IDLE))
			continue;

		if (d->fd < 0 && (now_ns() < d->retry_ns || dest_open(d) < 0)) {
			if (d->fd < 0 && now_ns() >= d->retry_ns)
				d->retry_ns = now_ns() + RETRY_NS;
			failed++;
			continue;
		}
		if (sendto(d->fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&d->to,
				d->tolen) < 0)
			failed++;
	}
	return failed;
}

static unsigned send_all(struct foh_osc_out *o, const char *path, lo_message m)
{
	return send_to(o, path, m, 0);
}

unsigned foh_osc_send_meta(struct foh_osc_out *o, int32_t rate, int32_t block, int32_t bins,
		const float edges[6])
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_int32(m, rate);
	lo_message_add_int32(m, block);
	lo_message_add_int32(m, bins);
	for (int i = 0; i < 6; i++)
		lo_message_add_float(m, edges[i]);
	return send_all(o, "/audio/meta", m);
}

unsigned foh_osc_send_lmh(struct foh_osc_out *o, const float lmh[3])
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	for (int i = 0; i < 3; i++)
		lo_message_add_float(m, lmh[i]);
	return send_all(o, "/audio/lmh", m);
}

unsigned foh_osc_send_lmh_raw(struct foh_osc_out *o, const float raw[3])
{
	lo_message m;

	if (!foh_osc_out_wants(o, FOH_OSC_DEST_LMH_RAW))
		return 0;
	if ((m = lo_message_new()) == NULL)
		return o->n;
	for (int i = 0; i < 3; i++)
		lo_message_add_float(m, raw[i]);
	return send_to(o, "/audio/lmh_raw", m, FOH_OSC_DEST_LMH_RAW);
}

unsigned foh_osc_send_fft(struct foh_osc_out *o, const float *bins, uint32_t n, bool everyone)
{
	lo_message m;

	if (!everyone && !foh_osc_out_wants(o, FOH_OSC_DEST_FFT))
		return 0;
	if ((m = lo_message_new()) == NULL)
		return o->n;
	for (uint32_t i = 0; i < n; i++)
		lo_message_add_float(m, bins[i]);
	return send_to(o, "/audio/fft", m, everyone ? 0 : FOH_OSC_DEST_FFT);
}

unsigned foh_osc_send_onset(struct foh_osc_out *o, enum foh_band band)
{
	static const char *const paths[FOH_BAND_COUNT] = {
		"/audio/onset/low", "/audio/onset/mid", "/audio/onset/high",
	};
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_int32(m, 1);
	return send_all(o, paths[band], m);
}

unsigned foh_osc_send_bpm(struct foh_osc_out *o, float bpm)
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_float(m, bpm);
	return send_all(o, "/audio/bpm", m);
}
