/* dbus-set-bench: round-trip times of D-Bus property sets on fohd while its
 * channels emit Levels. Sets Gain on channels 1..N in turn, COUNT times, with
 * sd-bus (one synchronous Properties.Set each, timed from before the call to
 * its reply), while also subscribed to the Levels signals the way a meter
 * view is, and prints
 *   BENCH dbus_set count=C channels=N p50_ms=… p99_ms=… max_ms=… levels_per_s=…
 * Waits (10 s at most) for the first Levels signal before measuring. Exits 1
 * if none comes, a set is refused or the last values did not stick.
 * Usage: dbus-set-bench CHANNELS COUNT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#define BUS_NAME "org.foh.Foh1"
#define CHANNEL_IFACE "org.foh.Foh1.Channel"

static unsigned long levels;

static int on_levels(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	levels++;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile by nearest rank. */
static double percentile(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	return sorted[rank > 0 ? rank - 1 : 0];
}

static void drain(sd_bus *bus)
{
	while (sd_bus_process(bus, NULL) > 0)
		;
}

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	double *rtt = NULL, t_start, t_end;
	unsigned channels, count;
	char path[64];
	int r, status = EXIT_FAILURE;

	if (argc != 3 || (channels = (unsigned)atoi(argv[1])) == 0 ||
	    (count = (unsigned)atoi(argv[2])) == 0) {
		fprintf(stderr, "usage: dbus-set-bench CHANNELS COUNT\n");
		return 2;
	}
	if ((rtt = calloc(count, sizeof(*rtt))) == NULL)
		return EXIT_FAILURE;
	if ((r = sd_bus_open_user(&bus)) < 0 ||
	    (r = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, CHANNEL_IFACE, "Levels",
				on_levels, NULL)) < 0) {
		fprintf(stderr, "dbus-set-bench: cannot connect: %s\n", strerror(-r));
		goto out;
	}
	/* measure only once Levels flow */
	for (double deadline = now_ms() + 10000; levels == 0; ) {
		if (now_ms() > deadline) {
			fprintf(stderr, "dbus-set-bench: no Levels signal within 10 s\n");
			goto out;
		}
		if (sd_bus_process(bus, NULL) == 0)
			(void)sd_bus_wait(bus, 100000);
	}
	drain(bus);
	levels = 0;
	t_start = now_ms();
	for (unsigned i = 0; i < count; i++) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		double gain = -(double)(i % 24) / 2.0, t0;

		snprintf(path, sizeof(path), "/org/foh/Foh1/channel/%u", i % channels + 1);
		t0 = now_ms();
		r = sd_bus_set_property(bus, BUS_NAME, path, CHANNEL_IFACE, "Gain", &e, "d", gain);
		rtt[i] = now_ms() - t0;
		if (r < 0) {
			fprintf(stderr, "dbus-set-bench: set %s Gain=%g refused: %s\n", path, gain,
					e.message ? e.message : strerror(-r));
			sd_bus_error_free(&e);
			goto out;
		}
		drain(bus);	/* the Levels that arrived meanwhile, as a client would */
	}
	t_end = now_ms();
	/* The last value set on every channel is the one fohd reports. */
	for (unsigned i = count > channels ? count - channels : 0; i < count; i++) {
		double want = -(double)(i % 24) / 2.0, got;
		snprintf(path, sizeof(path), "/org/foh/Foh1/channel/%u", i % channels + 1);
		if ((r = sd_bus_get_property_trivial(bus, BUS_NAME, path, CHANNEL_IFACE, "Gain",
						NULL, 'd', &got)) < 0 || got != want) {
			fprintf(stderr, "dbus-set-bench: %s Gain is %g, want %g\n", path, got, want);
			goto out;
		}
	}
	qsort(rtt, count, sizeof(*rtt), cmp_double);
	printf("BENCH dbus_set count=%u channels=%u p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
			"levels_per_s=%.0f\n", count, channels, percentile(rtt, count, 50),
			percentile(rtt, count, 99), rtt[count - 1],
			(double)levels * 1000.0 / (t_end - t_start));
	status = EXIT_SUCCESS;
out:
	sd_bus_flush_close_unref(bus);
	free(rtt);
	return status;
}
