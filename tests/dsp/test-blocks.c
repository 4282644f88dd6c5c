/* The block contract, for every block:
 * - run sizes do not matter: the same 3 s of stereo noise bursts processed
 *   in one size (1, 7, 64, 1000, 8192 frames) or random sizes gives
 *   bit-identical output (no parameter change in between);
 * - in place (in == out) gives the same output as separate buffers;
 * - stereo with identical channels equals mono;
 * - reset returns to the initial state (same output again);
 * - after loud input then 20 s of silence no output sample and no state is
 *   subnormal (denormal-safe without relying on FTZ/DAZ). */
#include <float.h>
#include <string.h>

#include "foh-dsp.h"
#include "test-util.h"

#define RATE	48000u
#define LEN	(3 * RATE)

enum { GATE, COMP, EQ, LIMITER, LIMITER_TP, BIQUAD, NBLOCKS };
static const char *const names[] = { "gate", "comp", "eq", "limiter",
	"limiter-tp", "biquad" };

union block {
	struct foh_gate gate;
	struct foh_comp comp;
	struct foh_eq eq;
	struct foh_limiter lim;
	struct foh_biquad bq;
};

static union block blk;
static float in_l[LEN], in_r[LEN], orig_r[LEN];
static float ref_l[LEN], ref_r[LEN], out_l[LEN], out_r[LEN];

static void setup(int b)
{
	struct foh_eq_params ep;
	struct foh_comp_params cp;
	struct foh_limiter_params lp = { -3.0f, 20.0f, b == LIMITER_TP };
	struct foh_gate_params gp;

	switch (b) {
	case GATE:
		foh_gate_init(&blk.gate, RATE);
		foh_gate_default_params(&gp);
		foh_gate_set(&blk.gate, &gp);
		break;
	case COMP:
		foh_comp_init(&blk.comp, RATE);
		foh_comp_default_params(&cp);
		cp.threshold_db = -30.0f;
		foh_comp_set(&blk.comp, &cp);
		break;
	case EQ:
		foh_eq_init(&blk.eq, RATE);
		foh_eq_default_params(&ep);
		ep.hpf_on = true;
		for (int i = 0; i < FOH_EQ_BANDS; i++) {
			ep.band[i].on = true;
			ep.band[i].filter.gain_db = i % 2 ? -4.0f : 5.0f;
		}
		foh_eq_set(&blk.eq, &ep);
		break;
	case BIQUAD:
		foh_biquad_init(&blk.bq, RATE);
		foh_biquad_set(&blk.bq, &(struct foh_biquad_params){
				FOH_BIQUAD_PEAK, 300.0f, 2.0f, 8.0f });
		break;
	default:
		foh_limiter_init(&blk.lim, RATE);
		foh_limiter_set(&blk.lim, &lp);
		break;
	}
}

static void run(int b, const float *il, const float *ir, float *ol, float *or,
		uint32_t n)
{
	switch (b) {
	case GATE: foh_gate_run(&blk.gate, il, ir, ol, or, n); break;
	case COMP: foh_comp_run(&blk.comp, il, ir, ol, or, n); break;
	case EQ: foh_eq_run(&blk.eq, il, ir, ol, or, n); break;
	case BIQUAD: foh_biquad_run(&blk.bq, il, ir, ol, or, n); break;
	default: foh_limiter_run(&blk.lim, il, ir, ol, or, n); break;
	}
}

static void reset(int b)
{
	switch (b) {
	case GATE: foh_gate_reset(&blk.gate); break;
	case COMP: foh_comp_reset(&blk.comp); break;
	case EQ: foh_eq_reset(&blk.eq); break;
	case BIQUAD: foh_biquad_reset(&blk.bq); break;
	default: foh_limiter_reset(&blk.lim); break;
	}
}

/* Halfway through, every parameter that ramps changes. */
static void change(int b)
{
	struct foh_eq_params ep;
	struct foh_comp_params cp;
	struct foh_limiter_params lp = { -6.0f, 80.0f, b == LIMITER_TP };
	struct foh_gate_params gp;

	switch (b) {
	case GATE:
		foh_gate_default_params(&gp);
		gp.range_db = 30.0f;
		foh_gate_set(&blk.gate, &gp);
		break;
	case COMP:
		foh_comp_default_params(&cp);
		cp.threshold_db = -40.0f;
		cp.ratio = 8.0f;
		cp.makeup_db = 6.0f;
		foh_comp_set(&blk.comp, &cp);
		break;
	case EQ:
		foh_eq_default_params(&ep);
		ep.band[2].on = true;
		ep.band[2].filter.gain_db = 9.0f;
		foh_eq_set(&blk.eq, &ep);
		break;
	case BIQUAD:
		foh_biquad_set(&blk.bq, &(struct foh_biquad_params){
				FOH_BIQUAD_HIGHSHELF, 4000.0f, 0.7f, -6.0f });
		break;
	default:
		foh_limiter_set(&blk.lim, &lp);
		break;
	}
}

/* size 0 = random sizes */
static bool with_change = true;

static void process(int b, uint32_t size, bool in_place, bool mono)
{
	uint64_t rng = 99;

	if (in_place) {
		memcpy(out_l, in_l, sizeof(in_l));
		memcpy(out_r, mono ? in_l : in_r, sizeof(in_r));
	}
	for (uint32_t t = 0; t < LEN; ) {
		uint32_t n = size ? size : 1 + (uint32_t)(test_rand(&rng) * 8191);
		n = n > LEN - t ? LEN - t : n;
		if (t < LEN / 2 && t + n > LEN / 2)
			n = LEN / 2 - t;
		if (t == LEN / 2 && with_change)
			change(b);
		const float *il = in_place ? out_l + t : in_l + t;
		const float *ir = in_place ? out_r + t : in_r + t;
		run(b, il, mono ? NULL : ir, out_l + t, mono ? NULL : out_r + t, n);
		t += n;
	}
}

static bool same(const float *a, const float *b)
{
	return memcmp(a, b, sizeof(float) * LEN) == 0;
}

static bool normal_d(double v)
{
	return fpclassify(v) != FP_SUBNORMAL;
}

/* The recursive state of each block after a long silence. */
static bool state_is_normal(int b)
{
	bool ok = true;

	switch (b) {
	case GATE:
		return normal_d(blk.gate.gain);
	case COMP:
		return normal_d(blk.comp.ms) && normal_d(blk.comp.red);
	case EQ:
		for (int i = 0; i < FOH_EQ_SECTIONS; i++)
			for (int c = 0; c < 2; c++)
				ok = ok && normal_d(blk.eq.sec[i].z[c][0]) &&
					normal_d(blk.eq.sec[i].z[c][1]);
		return ok;
	case BIQUAD:
		return normal_d(blk.bq.z[0][0]) && normal_d(blk.bq.z[0][1]) &&
			normal_d(blk.bq.z[1][0]) && normal_d(blk.bq.z[1][1]);
	default:
		for (int k = 0; k < FOH_LIMITER_LP_SECTIONS; k++)
			for (int c = 0; c < 2; c++)
				ok = ok && normal_d(blk.lim.lp.z1[k][c]) &&
					normal_d(blk.lim.lp.z2[k][c]);
		return ok && normal_d(blk.lim.env) && normal_d(blk.lim.box_sum);
	}
}

static void test_silence(int b)
{
	uint32_t subnormal = 0;

	setup(b);
	process(b, 4096, false, false);
	memset(out_l, 0, sizeof(out_l));
	memset(out_r, 0, sizeof(out_r));
	for (int k = 0; k < 7; k++) {
		run(b, out_l, out_r, out_l, out_r, LEN);
		for (uint32_t i = 0; i < LEN; i++)
			subnormal += fpclassify(out_l[i]) == FP_SUBNORMAL ||
				fpclassify(out_r[i]) == FP_SUBNORMAL;
	}
	CHECK(subnormal == 0, "%s: %u subnormal output samples in silence",
			names[b], subnormal);
	CHECK(state_is_normal(b), "%s: subnormal state after 20 s of silence",
			names[b]);
}

int main(void)
{
	static const uint32_t sizes[] = { 1, 7, 64, 1000, 8192, 0 };
	uint64_t rng = 7;

	for (uint32_t i = 0; i < LEN; i++) {
		double env = (i / 4800) % 3 == 0 ? 0.9 : 0.02;
		in_l[i] = (float)(env * test_noise(&rng));
		in_r[i] = (float)(env * test_noise(&rng));
	}
	memcpy(orig_r, in_r, sizeof(orig_r));
	for (int b = 0; b < NBLOCKS; b++) {
		setup(b);
		process(b, 256, false, false);
		memcpy(ref_l, out_l, sizeof(ref_l));
		memcpy(ref_r, out_r, sizeof(ref_r));
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			setup(b);
			process(b, sizes[s], false, false);
			CHECK(same(out_l, ref_l) && same(out_r, ref_r),
					"%s: run size %u changes the output", names[b],
					sizes[s]);
		}
		setup(b);
		process(b, 0, true, false);
		CHECK(same(out_l, ref_l) && same(out_r, ref_r),
				"%s: in place differs", names[b]);
		/* reset: same as fresh, whatever came before */
		with_change = false;
		setup(b);
		process(b, 256, false, false);
		memcpy(ref_l, out_l, sizeof(ref_l));
		memcpy(ref_r, out_r, sizeof(ref_r));
		process(b, 700, false, true);
		reset(b);
		process(b, 512, false, false);
		CHECK(same(out_l, ref_l) && same(out_r, ref_r),
				"%s: reset does not restore the initial state", names[b]);
		with_change = true;
		/* mono == stereo with both channels equal */
		setup(b);
		process(b, 300, false, true);
		memcpy(ref_l, out_l, sizeof(ref_l));
		memcpy(in_r, in_l, sizeof(in_r));
		setup(b);
		process(b, 300, false, false);
		CHECK(same(out_l, ref_l) && same(out_r, ref_l),
				"%s: stereo with equal channels differs from mono",
				names[b]);
		memcpy(in_r, orig_r, sizeof(in_r));
		test_silence(b);
		printf("%s: run sizes, in place, reset, mono/stereo, silence checked\n",
				names[b]);
	}
	return test_summary("test-blocks");
}
