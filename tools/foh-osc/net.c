/* foh-osc's network side: UDP sockets on sd-event, the source allow-list,
 * foh_osc_validate() on every datagram before liblo sees a byte of it, the
 * bundle walk, and sending feedback from the socket a surface talks to.
 *
 * liblo 0.31 cannot make a server without binding a socket of its own, so
 * foh-osc owns its sockets and uses liblo only to (de)serialise messages.
 * Bundles are walked here after validation; their elements are dispatched
 * at once and timetags are ignored, so there is no timetag queue to fill
 * (the effect of lo_server_enable_queue(s, 0, 1)). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foh-osc.h"
#include "util/log.h"
#include "osc/validate.h"

#define BATCH		64	/* datagrams per wake-up: a flood cannot starve the loop */
#define MAX_DATAGRAM	65536

/* Splits "host<sep>number" (the number optional): host into buf, the
 * number (0..max) into *num when present. */
static int split_number(const char *s, char sep, unsigned long max, char *buf, size_t size,
		unsigned long *num)
{
	const char *at = strrchr(s, sep);
	size_t n = at ? (size_t)(at - s) : strlen(s);
	char *end;

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (at == NULL)
		return 0;
	errno = 0;
	*num = strtoul(at + 1, &end, 10);
	if (at[1] == '\0' || *end != '\0' || errno != 0 || *num > max)
		return -EINVAL;
	return 0;
}

int osc_parse_hostport(const char *s, uint16_t default_port, struct sockaddr_in *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned long port = default_port;
	char host[64];

	if (split_number(s, ':', 65535, host, sizeof(host), &port) < 0 ||
	    inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -EINVAL;
	a.sin_port = htons((uint16_t)port);
	*out = a;
	return 0;
}

int osc_parse_net(const char *s, struct osc_net4 *out)
{
	unsigned long bits = 32;
	struct in_addr a;
	uint32_t mask;
	char host[32];

	if (split_number(s, '/', 32, host, sizeof(host), &bits) < 0 ||
	    inet_pton(AF_INET, host, &a) != 1)
		return -EINVAL;
	mask = bits == 0 ? 0 : htonl(~0u << (32 - bits));
	if ((a.s_addr & ~mask) != 0)
		return -EINVAL;	/* host bits set: probably not what was meant */
	*out = (struct osc_net4) { a.s_addr, mask };
	return 0;
}

bool osc_source_allowed(const struct foh_osc *o, const struct sockaddr_in *from)
{
	/* loopback is always allowed: whoever runs there can use D-Bus anyway */
	if ((ntohl(from->sin_addr.s_addr) >> 24) == 127)
		return true;
	for (unsigned int i = 0; i < o->n_allow; i++)
		if ((from->sin_addr.s_addr & o->allow[i].mask) == o->allow[i].addr)
			return true;
	return false;
}

static void dispatch_message(struct foh_osc *o, const uint8_t *p, size_t len)
{
	lo_message m;
	int res = 0;

	o->stats.messages++;
	/* the validator accepts 'r', which liblo refuses: it fails here */
	m = lo_message_deserialise((void *)p, len, &res);
	if (m == NULL) {
		osc_refused(o, &o->stats.refused_invalid, "(message)", "liblo cannot read it");
		return;
	}
	osc_map_message(o, (const char *)p, lo_message_get_types(m), lo_message_get_argv(m),
			lo_message_get_argc(m));
	lo_message_free(m);
}

void osc_dispatch_packet(struct foh_osc *o, const uint8_t *p, size_t len)
{
	size_t pos = 16;	/* "#bundle\0" + timetag */

	if (len < 8 || memcmp(p, "#bundle", 8) != 0) {
		dispatch_message(o, p, len);
		return;
	}
	/* foh_osc_validate checked every element size and the nesting depth */
	while (pos + 4 <= len) {
		uint32_t size;
		memcpy(&size, p + pos, 4);
		size = ntohl(size);
		osc_dispatch_packet(o, p + pos + 4, size);
		pos += 4 + size;
	}
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *data)
{
	struct osc_sock *s = data;
	struct foh_osc *o = s->o;
	static uint8_t buf[MAX_DATAGRAM];

	for (int i = 0; i < BATCH; i++) {
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				(struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		o->stats.received++;
		if (fromlen != sizeof(from) || from.sin_family != AF_INET ||
		    !osc_source_allowed(o, &from)) {
			osc_refused(o, &o->stats.refused_source, inet_ntoa(from.sin_addr),
					"source not allowed");
			continue;
		}
		/* MSG_TRUNC: n is the real length; a larger datagram was cut */
		if ((size_t)n > sizeof(buf) || foh_osc_validate(buf, (size_t)n, NULL) < 0) {
			osc_refused(o, &o->stats.refused_invalid, inet_ntoa(from.sin_addr),
					"invalid datagram");
			continue;
		}
		o->from = &from;
		o->from_fd = fd;
		o->from_len = (size_t)n;
		osc_dispatch_packet(o, buf, (size_t)n);
		o->from = NULL;
	}
	return 0;
}

int osc_sock_open(struct foh_osc *o, struct osc_sock *s, const struct sockaddr_in *addr)
{
	socklen_t len = sizeof(s->bound);
	int r, one = 1;

	s->o = o;
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	(void)setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&s->bound, &len) < 0) {
		r = -errno;
		goto error;
	}
	if ((r = sd_event_add_io(o->event, &s->io, s->fd, EPOLLIN, on_readable, s)) < 0)
		goto error;
	return 0;
error:
	osc_sock_close(s);
	return r;
}

void osc_sock_close(struct osc_sock *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
}

int osc_send(struct foh_osc *o, int fd, const struct sockaddr_in *to,
		const char *path, lo_message m)
{
	uint8_t buf[1024];
	size_t len = sizeof(buf);

	if (lo_message_length(m, path) > sizeof(buf))
		return -EMSGSIZE;
	if (lo_message_serialise(m, path, buf, &len) == NULL)
		return -EINVAL;
	if (sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to)) < 0)
		return -errno;
	return (int)len;
}
