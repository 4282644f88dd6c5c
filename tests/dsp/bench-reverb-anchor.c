/* foh's reverb beside a reverb a user would load into PipeWire's
 * filter-chain from Debian's packages: a LADSPA plugin (default the SWH
 * plate, /usr/lib/ladspa/plate_1423.so, and gverb_1216.so from
 * swh-plugins), run on the same 4 s of stereo noise at the same quanta,
 * controls at the middle of their ranges. The plugin is loaded with
 * dlopen; the few LADSPA declarations needed are written out below (the
 * ABI is stable since LADSPA 1.1). A missing plugin is reported and
 * skipped.
 * Prints: BENCH fx_reverb ns_per_frame=<x> quantum=<n>
 *         BENCH anchor_<label> ns_per_frame=<x> quantum=<n> ratio=<foh/anchor> */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "foh-dsp.h"

#define RATE	48000u
#define LEN	(4 * RATE)
#define PASSES	5

/* LADSPA 1.1, the parts used here */
#define PORT_INPUT	0x1
#define PORT_OUTPUT	0x2
#define PORT_CONTROL	0x4
#define PORT_AUDIO	0x8
#define HINT_BOUNDED_BELOW	0x1
#define HINT_BOUNDED_ABOVE	0x2

struct ladspa_hint {
	int desc;
	float lower, upper;
};

struct ladspa_descriptor {
	unsigned long id;
	const char *label;
	int properties;
	const char *name, *maker, *copyright;
	unsigned long port_count;
	const int *port_desc;
	const char *const *port_names;
	const struct ladspa_hint *hints;
	void *impl;
	void *(*instantiate)(const struct ladspa_descriptor *d, unsigned long rate);
	void (*connect_port)(void *h, unsigned long port, float *data);
	void (*activate)(void *h);
	void (*run)(void *h, unsigned long n);
	void (*run_adding)(void *h, unsigned long n);
	void (*set_run_adding_gain)(void *h, float gain);
	void (*deactivate)(void *h);
	void (*cleanup)(void *h);
};

static float in_l[LEN], in_r[LEN], out_l[LEN], out_r[LEN];
static float controls[64];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double bench_foh(uint32_t q)
{
	struct foh_reverb v;
	struct foh_reverb_params p = { 6.0f, 20.0f, 0.5f, 1.0f, 0.5f };
	double best = 1e30;

	if (foh_reverb_init(&v, RATE) < 0)
		return 0;
	foh_reverb_set(&v, &p);
	for (int k = 0; k < PASSES; k++) {
		double t0 = now_ns();
		for (uint32_t t = 0; t + q <= LEN; t += q)
			foh_reverb_run(&v, in_l + t, in_r + t, out_l + t, out_r + t, q);
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
	}
	foh_reverb_free(&v);
	return best / (double)(LEN / q * q);
}

/* ns per stereo frame of the plugin, or 0 when it cannot run. */
static double bench_ladspa(const struct ladspa_descriptor *d, uint32_t q)
{
	void *h = d->instantiate(d, RATE);
	unsigned ins = 0, outs = 0;
	double best = 1e30;

	if (h == NULL || d->port_count > 64)
		return 0;
	for (unsigned long i = 0; i < d->port_count; i++) {
		int pd = d->port_desc[i];
		const struct ladspa_hint *hint = &d->hints[i];
		if (pd & PORT_CONTROL) {
			float lo = hint->desc & HINT_BOUNDED_BELOW ? hint->lower : 0.0f;
			float hi = hint->desc & HINT_BOUNDED_ABOVE ? hint->upper : lo;
			controls[i] = 0.5f * (lo + hi);
			d->connect_port(h, i, &controls[i]);
		} else if (pd & PORT_INPUT) {
			d->connect_port(h, i, ins++ == 0 ? in_l : in_r);
		} else {
			d->connect_port(h, i, outs++ == 0 ? out_l : out_r);
		}
	}
	if (d->activate)
		d->activate(h);
	for (int k = 0; k < PASSES; k++) {
		double t0 = now_ns();
		/* ports point at the start: reconnect per quantum like a host */
		for (uint32_t t = 0; t + q <= LEN; t += q) {
			unsigned ii = 0, oo = 0;
			for (unsigned long i = 0; i < d->port_count; i++) {
				int pd = d->port_desc[i];
				if (!(pd & PORT_AUDIO))
					continue;
				if (pd & PORT_INPUT)
					d->connect_port(h, i, (ii++ == 0 ? in_l : in_r) + t);
				else
					d->connect_port(h, i, (oo++ == 0 ? out_l : out_r) + t);
			}
			d->run(h, q);
		}
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
	}
	if (d->deactivate)
		d->deactivate(h);
	d->cleanup(h);
	return best / (double)(LEN / q * q);
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {
		"/usr/lib/ladspa/plate_1423.so", "/usr/lib/ladspa/gverb_1216.so",
	};
	static const uint32_t quanta[] = { 64, 256, 1024 };
	const char *const *libs = argc > 1 ? (const char *const *)argv + 1 : defaults;
	int nlibs = argc > 1 ? argc - 1 : 2;
	uint64_t x = 88172645463325252ull;
	double foh[3];

	for (uint32_t i = 0; i < LEN; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		in_l[i] = (float)((double)(x >> 11) / 9007199254740992.0 - 0.5) * 0.5f;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		in_r[i] = (float)((double)(x >> 11) / 9007199254740992.0 - 0.5) * 0.5f;
	}
	for (int q = 0; q < 3; q++) {
		foh[q] = bench_foh(quanta[q]);
		printf("BENCH fx_reverb ns_per_frame=%.2f quantum=%u\n", foh[q], quanta[q]);
	}
	for (int l = 0; l < nlibs; l++) {
		void *so = dlopen(libs[l], RTLD_NOW | RTLD_LOCAL);
		const struct ladspa_descriptor *(*get)(unsigned long);
		const struct ladspa_descriptor *d;

		if (so == NULL) {
			printf("SKIP %s: %s\n", libs[l], dlerror());
			continue;
		}
		get = (const struct ladspa_descriptor *(*)(unsigned long))dlsym(so, "ladspa_descriptor");
		if (get == NULL || (d = get(0)) == NULL) {
			printf("SKIP %s: no LADSPA descriptor\n", libs[l]);
			dlclose(so);
			continue;
		}
		for (int q = 0; q < 3; q++) {
			double ns = bench_ladspa(d, quanta[q]);
			printf("BENCH anchor_%s ns_per_frame=%.2f quantum=%u ratio=%.2f (%s)\n",
					d->label, ns, quanta[q], ns > 0 ? foh[q] / ns : 0.0, d->name);
		}
		dlclose(so);
	}
	return 0;
}
