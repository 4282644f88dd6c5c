/* The movement → BPM controller on a fake clock: movement steps
 * 0.01 → 0.2 → 0.03 give the table's targets (105, 118 + 12·0.1/0.5 =
 * 120.4, 110), and after each step the current BPM is within 1 BPM of the
 * target between 25 and 35 s later (30 ± 5 s glide) — not before 25 s.
 * Also the table's edges (118 from 0.10 on, 130 from 0.6 on). Expected
 * values come from the table in REFERENCE.md, not from the code. */
#include <math.h>
#include <stdio.h>

#include "decks/bpm-glide.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Seconds (fake clock, 0.1 s steps) from t0 until |current - target| <= 1. */
static double time_to_reach(struct foh_bpm_glide *g, double *t, double target)
{
	double t0 = *t;

	for (; *t - t0 < 120.0; *t += 0.1)
		if (fabs(foh_bpm_glide_update(g, *t) - target) <= 1.0)
			return *t - t0;
	return INFINITY;
}

int main(void)
{
	const struct { double m, bpm; } steps[] = {
		{ 0.01, 105.0 }, { 0.2, 118.0 + 12.0 * (0.2 - 0.10) / 0.5 }, { 0.03, 110.0 },
	};
	const struct { double m, bpm; } table[] = {
		{ 0.0, 105 }, { 0.019, 105 }, { 0.02, 110 }, { 0.049, 110 }, { 0.05, 115 },
		{ 0.099, 115 }, { 0.10, 118 }, { 0.15, 118 + 12 * 0.05 / 0.5 },
		{ 0.35, 118 + 12 * 0.25 / 0.5 }, { 0.6, 130 }, { 0.65, 130 }, { 0.9, 130 },
		{ 1.2, 130 },
	};
	struct foh_bpm_glide g;
	double t = 1000.0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		CHECK(fabs(foh_bpm_for_movement(table[i].m) - table[i].bpm) < 1e-9,
				"movement %g → %g, want %g", table[i].m,
				foh_bpm_for_movement(table[i].m), table[i].bpm);

	foh_bpm_glide_init(&g, 30.0);
	CHECK(foh_bpm_glide_update(&g, t) == 120.0, "the glide starts at 120 BPM");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		double target = foh_bpm_for_movement(steps[i].m), took;
		CHECK(fabs(target - steps[i].bpm) < 1e-9, "movement %g → target %g, want %g",
				steps[i].m, target, steps[i].bpm);
		foh_bpm_glide_set_target(&g, target, t);
		CHECK(g.target == target, "target set");
		took = time_to_reach(&g, &t, steps[i].bpm);
		printf("movement %.2f: target %.1f BPM reached (±1) in %.1f s\n", steps[i].m,
				steps[i].bpm, took);
		CHECK(took >= 25.0 && took <= 35.0, "step %zu took %.1f s, want 30 ± 5", i, took);
		/* and it settles on the target */
		t += 10.0;
		CHECK(foh_bpm_glide_update(&g, t) == steps[i].bpm, "settles on %g", steps[i].bpm);
	}
	printf("bpm-glide: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
