/* osc-ping: measures how fast bus names answer org.freedesktop.DBus.Peer.Ping
 * while something else loads them.
 *
 *   osc-ping SECONDS INTERVAL_MS NAME...
 * pings every NAME in turn every INTERVAL_MS for SECONDS (each ping waits
 * up to 5 s for its answer) and prints per name "NAME pings N failed F
 * max_ms X p99_ms Y". Exits 1 if a name never answered. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#define MAX_NAMES 4
#define MAX_PINGS 100000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static double ms[MAX_NAMES][MAX_PINGS];
	unsigned int n[MAX_NAMES] = { 0 }, failed[MAX_NAMES] = { 0 };
	int names = argc - 3, status = 0;
	double seconds, interval, t0, next;
	sd_bus *bus = NULL;

	if (argc < 4 || names > MAX_NAMES) {
		fprintf(stderr, "usage: osc-ping SECONDS INTERVAL_MS NAME...\n");
		return 2;
	}
	seconds = atof(argv[1]);
	interval = atof(argv[2]);
	if (sd_bus_open_user(&bus) < 0) {
		fprintf(stderr, "osc-ping: no user bus\n");
		return 1;
	}
	(void)sd_bus_set_method_call_timeout(bus, 5000000);
	t0 = next = now_ms();
	while (now_ms() - t0 < seconds * 1e3) {
		for (int i = 0; i < names; i++) {
			sd_bus_error e = SD_BUS_ERROR_NULL;
			double start = now_ms();
			int r = sd_bus_call_method(bus, argv[3 + i], "/", "org.freedesktop.DBus.Peer",
					"Ping", &e, NULL, "");
			if (r < 0)
				failed[i]++;
			else if (n[i] < MAX_PINGS)
				ms[i][n[i]++] = now_ms() - start;
			sd_bus_error_free(&e);
		}
		next += interval;
		while (now_ms() < next) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < names; i++) {
		double max = 0, p99 = 0;
		if (n[i] > 0) {
			qsort(ms[i], n[i], sizeof(double), cmp);
			max = ms[i][n[i] - 1];
			p99 = ms[i][(size_t)((n[i] - 1) * 0.99)];
		} else {
			status = 1;
		}
		printf("%s pings %u failed %u max_ms %.2f p99_ms %.2f\n", argv[3 + i], n[i],
				failed[i], max, p99);
	}
	sd_bus_flush_close_unref(bus);
	return status;
}
