/* Self-check: it passes with the real settings and it can fail.
 * - foh_dsp_self_check() passes and reports one line per check;
 * - its compressor prediction is independently recomputed here from the
 *   G-M-R formula (-15.01 dBFS RMS in, -20 dB threshold, 2:1, 6 dB knee:
 *   above the knee, so out = -20 + 4.99 / 2);
 * - processing at 4:1 while expecting 1:1 fails, as does expecting peak
 *   detection from an RMS compressor, and a limiter expected at -6 dBFS
 *   while set to -3 dBFS. */
#include <string.h>

#include "selfcheck.h"
#include "test-util.h"

int main(void)
{
	char report[512], line[256];
	struct foh_comp_params run, expect;
	struct foh_limiter_params lp;

	CHECK(foh_dsp_self_check(report, sizeof(report)), "self-check passes");
	printf("%s", report);
	CHECK(strstr(report, "compressor") && strstr(report, "limiter"),
			"one line per check");

	/* the prediction in the report, computed again from the formula */
	double in_rms = amp_to_db(db_to_amp(-12.0) / sqrt(2.0));
	double want = -20.0 + (in_rms + 20.0) / 2.0;
	char expect_txt[32];
	snprintf(expect_txt, sizeof(expect_txt), "expected %.2f", want);
	CHECK(strstr(report, expect_txt) != NULL, "report predicts %.2f", want);

	foh_comp_default_params(&run);
	expect = run;
	run.ratio = 4.0f;
	expect.ratio = 1.0f;
	CHECK(!foh_selfcheck_comp(&run, &expect, line, sizeof(line)),
			"4:1 processing vs 1:1 expectation must fail");
	printf("broken: %s\n", line);

	foh_comp_default_params(&run);
	expect = run;
	expect.detect = FOH_COMP_PEAK;
	CHECK(!foh_selfcheck_comp(&run, &expect, line, sizeof(line)),
			"RMS processing vs peak expectation must fail");
	printf("broken: %s\n", line);

	foh_limiter_default_params(&lp);
	lp.ceiling_db = -3.0f;
	CHECK(!foh_selfcheck_limiter(&lp, -6.0f, line, sizeof(line)),
			"-3 dBFS limiter vs -6 dBFS expectation must fail");
	printf("broken: %s\n", line);
	return test_summary("test-selfcheck");
}
