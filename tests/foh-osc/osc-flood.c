/* osc-flood: sends OSC messages to foh-osc at a fixed rate, for the flood
 * test and the throughput benchmark.
 *
 *   osc-flood PORT SECONDS RATE KEYS
 * sends /foh/ch/K/gain ,f (K = 1..KEYS in turn) with values stepping
 * through -20.0 .. -0.1 dB, RATE messages per second (0 = as fast as the
 * socket takes them), paced in 1 ms slices, to 127.0.0.1:PORT. Prints
 * "sent N", "rate R" (achieved) and "last K V" for every key: the last
 * value sent to channel K. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "/foh/ch/K/gain" padded, ",f" padded, the float: 24 or 28 bytes. */
static size_t build(uint8_t *buf, unsigned int k, float v)
{
	size_t n = (size_t)snprintf((char *)buf, 32, "/foh/ch/%u/gain", k);
	uint32_t bits;

	memset(buf + n, 0, 4);
	n = (n + 4) & ~(size_t)3;
	memcpy(buf + n, ",f\0\0", 4);
	n += 4;
	memcpy(&bits, &v, 4);
	bits = htonl(bits);
	memcpy(buf + n, &bits, 4);
	return n + 4;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	double seconds, rate, t0, t;
	unsigned int keys;
	float last[MAX_KEYS] = { 0 };
	uint64_t sent = 0, step = 0;
	uint8_t buf[64];
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: osc-flood PORT SECONDS RATE KEYS\n");
		return 2;
	}
	to.sin_port = htons((uint16_t)atoi(argv[1]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	seconds = atof(argv[2]);
	rate = atof(argv[3]);
	keys = (unsigned int)atoi(argv[4]);
	if (keys < 1 || keys > MAX_KEYS || seconds <= 0 || rate < 0) {
		fprintf(stderr, "osc-flood: bad arguments\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return 1;
	t0 = now_s();
	while ((t = now_s() - t0) < seconds) {
		/* how many should have left by now */
		uint64_t due = rate > 0 ? (uint64_t)(t * rate) + 1 : sent + 64;
		while (sent < due) {
			unsigned int k = (unsigned int)(sent % keys);
			float v = -20.0f + 0.1f * (float)(step++ % 200);
			size_t n = build(buf, k + 1, v);
			if (sendto(fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					break;
				perror("sendto");
				return 1;
			}
			last[k] = v;
			sent++;
		}
		if (rate > 0) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	t = now_s() - t0;
	printf("sent %llu\nrate %.0f\n", (unsigned long long)sent, (double)sent / t);
	for (unsigned int k = 0; k < keys; k++)
		printf("last %u %.1f\n", k + 1, (double)last[k]);
	close(fd);
	return 0;
}
