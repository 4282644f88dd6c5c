/* Profile glides, without PipeWire: the built-in profiles load; the glide
 * moves numbers linearly (Hz on a log scale), turns switches on at once and
 * off at the end; and a channel strip playing a 1 kHz sine through a glide
 * from rock to classical (steps every 100 ms, as fohd takes them at its
 * default 10 Hz meter rate) never steps from one sample to the next by more
 * than the sine's local amplitude allows, A·2π·f/rate (+10 %): no click.
 * The same check on a jump straight to classical is printed beside it. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "channel/channel.h"
#include "content/profiles.h"
#include "../dsp/test-util.h"

#define RATE	48000u
#define QUANTUM	256u

static void params_of(const struct foh_channel_settings *s, struct foh_strip_params *p)
{
	foh_channel_strip_params(s, p);
}

/* Runs the glide (steps of 100 ms over seconds; 0 = one jump) and returns
 * the worst sample step over what the sine allows. */
static double run_glide(const struct foh_profile *from_p, const struct foh_profile *to_p,
		double seconds)
{
	struct foh_strip_fx *fx = NULL;
	struct foh_strip *strip = calloc(1, sizeof(*strip));
	struct foh_channel_settings base, cur;
	struct foh_strip_params p;
	float inl[QUANTUM], inr[QUANTUM], outl[QUANTUM], outr[QUANTUM];
	const float *in[2] = { inl, inr };
	float *out[2] = { outl, outr };
	uint32_t total = 4 * RATE, start = RATE, since = 0;
	float *rec = calloc(total, sizeof(float));
	double worst = 0.0, x = 0.0, amp = pow(10.0, -20.0 / 20.0);

	if (foh_strip_fx_new(RATE, &fx) < 0 || strip == NULL || rec == NULL)
		abort();
	foh_channel_settings_defaults(&base);
	base.limiter_enabled = false;
	foh_profile_glide(from_p, &base, 1.0, &base);
	cur = base;
	foh_strip_init(strip, RATE, 2, fx);
	params_of(&cur, &p);
	foh_strip_set(strip, &p);
	for (uint32_t done = 0; done < total; done += QUANTUM) {
		for (uint32_t i = 0; i < QUANTUM; i++)
			inl[i] = inr[i] = (float)(amp * sin(2.0 * M_PI * 1000.0 * (done + i) / RATE));
		if (done >= start && x < 1.0 && (since += QUANTUM) >= RATE / 10) {
			since = 0;
			x = seconds > 0.0 ? fmin(1.0, x + 0.1 / seconds) : 1.0;
			foh_profile_glide(to_p, &base, x, &cur);
			params_of(&cur, &p);
			foh_strip_set(strip, &p);
		}
		foh_strip_run(strip, in, out, QUANTUM);
		memcpy(rec + done, outl, QUANTUM * sizeof(float));
	}
	/* 10 ms blocks from 0.5 s (past the strip's own start-up) */
	for (uint32_t b = RATE / 2; b + RATE / 100 <= total; b += RATE / 100) {
		float a = 0.0f, d = 0.0f;
		for (uint32_t i = b; i < b + RATE / 100; i++) {
			a = fmaxf(a, fabsf(rec[i]));
			d = fmaxf(d, fabsf(rec[i] - rec[i - 1]));
		}
		if (a > 1e-3f)
			worst = fmax(worst, d / (a * 2.0 * M_PI * 1000.0 / RATE));
	}
	CHECK(x >= 1.0, "the glide ended");
	foh_strip_fx_free(fx);
	free(strip);
	free(rec);
	return worst;
}

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("foh-glide-XXXXXX", NULL);
	struct foh_profile rock, classical, speech;
	struct foh_channel_settings from, mid;
	char *error = NULL;
	double glide, jump;

	/* no profile files: the built-ins */
	g_setenv("XDG_CONFIG_HOME", dir, TRUE);
	CHECK(foh_profile_load("rock", &rock, &error) == 0, "rock: %s", error ? error : "");
	CHECK(foh_profile_load("classical", &classical, &error) == 0, "classical");
	CHECK(foh_profile_load("speech", &speech, &error) == 0, "speech");
	CHECK(foh_profile_load("polka", &speech, &error) == -ENOENT, "no polka");
	g_clear_pointer(&error, g_free);
	CHECK(rock.builtin && rock.values.comp_ratio == 4.0, "rock's comp-ratio 4");

	foh_channel_settings_defaults(&from);
	foh_profile_glide(&rock, &from, 1.0, &from);
	mid = from;
	foh_profile_glide(&classical, &from, 0.5, &mid);
	CHECK_NEAR(mid.comp_ratio, (4.0 + 1.5) / 2, 1e-12, "halfway rock → classical: comp-ratio");
	CHECK_NEAR(mid.reverb_mix, (12.0 + 25.0) / 2, 1e-12, "halfway: reverb-mix");
	CHECK(mid.eq_enabled, "halfway: the EQ classical turns off is still on");
	CHECK_NEAR(mid.eq_band[0].gain, 2.0, 1e-12, "halfway: a key classical does not set stays");
	/* the seed's loudness targets reach the channel's leveler */
	CHECK_NEAR(from.leveler_target, -14.0, 1e-12, "rock: leveler-target -14 LUFS");
	CHECK_NEAR(mid.leveler_target, (-14.0 - 23.0) / 2, 1e-12, "halfway: leveler-target");
	{
		struct foh_strip_params sp;
		params_of(&mid, &sp);
		CHECK_NEAR(sp.leveler.target_lufs, -18.5, 1e-6, "halfway: the strip's leveler target");
	}
	mid = from;
	foh_profile_glide(&speech, &from, 0.5, &mid);
	CHECK_NEAR(mid.eq_highpass, sqrt(30.0 * 80.0), 1e-9, "halfway 30 → 80 Hz: on a log scale");
	foh_profile_glide(&classical, &from, 1.0, &mid);
	CHECK(!mid.eq_enabled && mid.comp_ratio == 1.5, "at the end: classical's values");

	glide = run_glide(&rock, &classical, 2.0);
	jump = run_glide(&rock, &classical, 0.0);
	printf("worst sample step / what the sine allows: glide %.3f, jump %.3f\n", glide, jump);
	CHECK(glide <= 1.1, "no click in the glide (%.3f)", glide);
	rmdir(dir);
	return test_summary("content-glide");
}
