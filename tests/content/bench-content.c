/* The content detector measured: bench-content MODEL LIST.tsv runs every
 * passage of LIST (class, style, source, path, silent ticks:
 * tools/dev/foh-content-data) through the detector as fohd runs it (a
 * decision every 0.5 s with its hysteresis) and prints, over the decisions
 * after the first 2 s of each passage, the confusion matrix, per-class
 * precision and recall, flicker (class changes per minute inside a passage
 * that the truth does not make), style accuracy per source and per style
 * with the style confusion matrix (music decisions only), and the speech
 * recall of the dynamics-processed voices (sources "...+limited",
 * tools/dev/foh-content-data) against the others; then the detector's CPU
 * on a synthetic signal at 48 kHz.
 *
 * Two truths are scored: labels=tick (the passage's class, but silence for
 * the ticks the fifth column lists: the last 1.5 s under -70 dBFS, as
 * measured by foh-content-data with numpy) and labels=passage (the
 * passage's class for every tick, as before that column existed). Figures
 * go out as BENCH lines. Without LIST it measures the CPU only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "content/centroids.h"
#include "content/file.h"

#define SETTLE_TICKS 4		/* the first 2 s of a passage are not scored */
#define RANGES_MAX 64
#define STYLES_MAX (FOH_CONTENT_CENTROIDS_MAX + 1)	/* + a style the model lacks */

struct passage {
	const struct foh_content_model *m;
	struct foh_content_state st;
	int truth;
	const char *style;
	uint32_t ticks, changes, style_ok, style_n, since_truth_change;
	enum foh_content_class last;
	int last_truth;
	uint32_t silent[RANGES_MAX][2], n_silent;
	uint32_t confusion[3][4];		/* labels=tick */
	uint32_t confusion_passage[3][4];	/* labels=passage */
	int style_truth;			/* centroid index, m->n if none */
	uint32_t (*style_conf)[STYLES_MAX];	/* the run's, [truth][decided] */
};

static int truth_at(const struct passage *p, uint32_t tick)
{
	for (uint32_t i = 0; i < p->n_silent; i++)
		if (tick >= p->silent[i][0] && tick <= p->silent[i][1])
			return FOH_CONTENT_SILENCE;
	return p->truth;
}

static void parse_silent(struct passage *p, const char *col)
{
	g_auto(GStrv) r = g_strsplit(col, ",", -1);

	for (guint i = 0; r[i] && p->n_silent < RANGES_MAX; i++) {
		unsigned a, b;
		if (sscanf(r[i], "%u-%u", &a, &b) == 2 && a <= b) {
			p->silent[p->n_silent][0] = a;
			p->silent[p->n_silent][1] = b;
			p->n_silent++;
		}
	}
}

static bool tick(double t, const struct foh_cf_vector *v, void *data)
{
	struct passage *p = data;
	int truth;

	(void)foh_content_update(&p->st, p->m, v);
	truth = truth_at(p, ++p->ticks);
	if (truth != p->last_truth)
		p->since_truth_change = 0;
	else
		p->since_truth_change++;
	p->last_truth = truth;
	if (p->ticks <= SETTLE_TICKS)
		return true;
	/* a change within 2 s of one in the truth follows it: no flicker */
	if (p->ticks > SETTLE_TICKS + 1 && p->st.cls != p->last &&
	    p->since_truth_change >= SETTLE_TICKS)
		p->changes++;
	p->last = p->st.cls;
	p->confusion[truth][p->st.cls]++;
	p->confusion_passage[p->truth][p->st.cls]++;
	if (truth == FOH_CONTENT_MUSIC && p->style[0] && p->st.cls == FOH_CONTENT_MUSIC) {
		p->style_n++;
		p->style_ok += strcmp(foh_content_style_name(&p->st, p->m), p->style) == 0;
		if (p->st.style >= 0 && (uint32_t)p->st.style < p->m->n)
			p->style_conf[p->style_truth][p->st.style]++;
	}
	return true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The work of one channel's detector on 60 s of 48 kHz signal, fed in
 * 256-frame quanta, a vector and a decision every 0.5 s. */
static void bench_cpu(const struct foh_content_model *m)
{
	const uint32_t rate = 48000, quantum = 256, total = 60 * rate;
	struct foh_cfeat *f;
	struct foh_content_state st;
	float buf[256];
	uint32_t since = 0, seed = 1;
	uint64_t t0, ns;

	if (foh_cfeat_new(rate, &f) < 0)
		return;
	foh_content_state_init(&st, FOH_CONTENT_SILENCE_DB);
	t0 = now_ns();
	for (uint32_t done = 0; done < total; done += quantum) {
		for (uint32_t i = 0; i < quantum; i++) {
			seed = seed * 1664525u + 1013904223u;
			buf[i] = 0.1f * sinf(2.0f * (float)M_PI * 220.0f * (float)(done + i) / rate) +
				0.05f * ((float)(seed >> 8) / 16777216.0f - 0.5f);
		}
		foh_cfeat_push(f, buf, quantum);
		since += quantum;
		if (since >= rate / 2) {
			struct foh_cf_vector v;
			since -= rate / 2;
			(void)foh_content_update(&st, m, foh_cfeat_vector(f, &v) ? &v : NULL);
		}
	}
	ns = now_ns() - t0;
	printf("BENCH content_cpu rate=%u ns_per_frame=%.1f core_percent=%.3f\n", rate,
			(double)ns / total, (double)ns / 60e9 * 100.0);
	foh_cfeat_free(f);
}

static const char *cls_name(int c)
{
	return foh_content_class_name((enum foh_content_class)c);
}

/* The confusion matrix and the figures for one truth (labels=tick|passage). */
static void report(const char *labels, uint32_t conf[3][4])
{
	printf("confusion, labels=%s (rows truth, columns decided): silence speech music unknown\n",
			labels);
	for (int a = 0; a < 3; a++)
		printf("  %-8s %6u %6u %6u %6u\n", cls_name(a), conf[a][0], conf[a][1], conf[a][2],
				conf[a][3]);
	for (int c = 0; c < 3; c++) {
		uint32_t tp = conf[c][c], row = 0, colsum = 0;
		for (int b = 0; b < 4; b++)
			row += conf[c][b];
		for (int a = 0; a < 3; a++)
			colsum += conf[a][c];
		printf("BENCH content_class labels=%s class=%s precision=%.4f recall=%.4f decisions=%u\n",
				labels, cls_name(c), colsum ? (double)tp / colsum : 0.0,
				row ? (double)tp / row : 0.0, row);
	}
	{
		uint32_t sm_ok = conf[1][1] + conf[2][2], sm_n = 0;
		for (int b = 0; b < 4; b++)
			sm_n += conf[1][b] + conf[2][b];
		printf("BENCH content_speech_music labels=%s accuracy=%.4f decisions=%u\n", labels,
				sm_n ? (double)sm_ok / sm_n : 0.0, sm_n);
	}
}

static int style_index(const struct foh_content_model *m, const char *name)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (m->c[i].cls == FOH_CONTENT_MUSIC && strcmp(m->c[i].name, name) == 0)
			return (int)i;
	return (int)m->n;
}

/* Rows: the true style (a style the model lacks as "(other)"); columns:
 * the music centroids decided; then accuracy per style. */
static void report_styles(const struct foh_content_model *m, uint32_t conf[STYLES_MAX][STYLES_MAX])
{
	printf("style confusion (rows truth, columns decided; music decisions):");
	for (uint32_t j = 0; j < m->n; j++)
		if (m->c[j].cls == FOH_CONTENT_MUSIC)
			printf(" %s", m->c[j].name);
	printf("\n");
	for (uint32_t i = 0; i <= m->n; i++) {
		uint32_t row = 0;
		if (i < m->n && m->c[i].cls != FOH_CONTENT_MUSIC)
			continue;
		for (uint32_t j = 0; j < m->n; j++)
			row += conf[i][j];
		if (row == 0)
			continue;
		printf("  %-12s", i < m->n ? m->c[i].name : "(other)");
		for (uint32_t j = 0; j < m->n; j++)
			if (m->c[j].cls == FOH_CONTENT_MUSIC)
				printf(" %6u", conf[i][j]);
		printf("\n");
		if (i < m->n)
			printf("BENCH content_style_per style=%s accuracy=%.4f decisions=%u\n",
					m->c[i].name, (double)conf[i][i] / row, row);
	}
}

static int run_list(const struct foh_content_model *m, const char *list)
{
	static uint32_t style_conf[STYLES_MAX][STYLES_MAX];
	uint32_t lim_ok = 0, lim_n = 0, plain_ok = 0, plain_n = 0;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	uint32_t conf[3][4] = { { 0 } }, confp[3][4] = { { 0 } }, changes = 0, ticks_stable = 0;
	GHashTable *style_ok = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *style_n = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	uint32_t all_ok = 0, all_n = 0;

	if (!g_file_get_contents(list, &text, NULL, NULL)) {
		fprintf(stderr, "bench-content: cannot read %s\n", list);
		return 1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) col = g_strsplit(lines[i], "\t", 5);
		g_autofree char *error = NULL;
		g_autofree struct passage *p = g_new0(struct passage, 1);
		uint32_t ok = 0;
		if (g_strv_length(col) != 5)
			continue;
		p->m = m;
		p->truth = foh_content_class_from_name(col[0]);
		p->last_truth = p->truth;
		p->style = col[1];
		p->style_truth = style_index(m, col[1]);
		p->style_conf = style_conf;
		parse_silent(p, col[4]);
		foh_content_state_init(&p->st, FOH_CONTENT_SILENCE_DB);
		if (p->truth < 0 || foh_content_file_run(col[3], 0.0, 0.0, tick, p, &error) < 0) {
			fprintf(stderr, "bench-content: %s\n", error ? error : col[0]);
			continue;
		}
		for (int a = 0; a < 3; a++)
			for (int b = 0; b < 4; b++) {
				conf[a][b] += p->confusion[a][b];
				confp[a][b] += p->confusion_passage[a][b];
				ok += a == b ? p->confusion[a][b] : 0;
			}
		changes += p->changes;
		if (p->truth == FOH_CONTENT_SPEECH) {
			uint32_t n = 0;
			for (int b = 0; b < 4; b++)
				n += p->confusion[FOH_CONTENT_SPEECH][b];
			if (strstr(col[2], "+limited")) {
				lim_ok += p->confusion[FOH_CONTENT_SPEECH][FOH_CONTENT_SPEECH];
				lim_n += n;
			} else {
				plain_ok += p->confusion[FOH_CONTENT_SPEECH][FOH_CONTENT_SPEECH];
				plain_n += n;
			}
			printf("speech %-49s correct %u/%u\n", col[2],
					p->confusion[FOH_CONTENT_SPEECH][FOH_CONTENT_SPEECH], n);
		}
		ticks_stable += p->ticks > SETTLE_TICKS ? p->ticks - SETTLE_TICKS : 0;
		if (p->style_n > 0) {
			g_hash_table_replace(style_ok, g_strdup(col[2]), GUINT_TO_POINTER(p->style_ok));
			g_hash_table_replace(style_n, g_strdup(col[2]), GUINT_TO_POINTER(p->style_n));
			all_ok += p->style_ok;
			all_n += p->style_n;
			printf("style %-50s %-10s %5.1f %% of %u decisions\n", col[2], col[1],
					100.0 * p->style_ok / p->style_n, p->style_n);
		}
		if (p->changes > 0 || ok * 10 <
				9 * (p->ticks > SETTLE_TICKS ? p->ticks - SETTLE_TICKS : 1))
			printf("passage %-48s %-8s correct %u/%u changes %u\n", col[2], col[0],
					ok, p->ticks - SETTLE_TICKS, p->changes);
	}
	report("passage", confp);
	report("tick", conf);
	printf("BENCH content_flicker changes=%u minutes=%.1f per_minute=%.3f\n", changes,
			ticks_stable * FOH_CONTENT_TICK_S / 60.0,
			ticks_stable ? changes / (ticks_stable * FOH_CONTENT_TICK_S / 60.0) : 0.0);
	printf("BENCH content_style accuracy=%.4f decisions=%u\n",
			all_n ? (double)all_ok / all_n : 0.0, all_n);
	report_styles(m, style_conf);
	printf("BENCH content_speech_dynamics voices=plain recall=%.4f decisions=%u\n",
			plain_n ? (double)plain_ok / plain_n : 0.0, plain_n);
	printf("BENCH content_speech_dynamics voices=limited recall=%.4f decisions=%u\n",
			lim_n ? (double)lim_ok / lim_n : 0.0, lim_n);
	g_hash_table_unref(style_ok);
	g_hash_table_unref(style_n);
	return 0;
}
int main(int argc, char **argv)
{
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	g_autofree char *error = NULL;

	if (argc < 2 || foh_centroids_load(argv[1], m, &error) < 0) {
		fprintf(stderr, "usage: bench-content MODEL [LIST.tsv]%s%s\n", error ? ": " : "",
				error ? error : "");
		return 1;
	}
	bench_cpu(m);
	if (argc < 3)
		return 0;
	return run_list(m, argv[2]);
}
