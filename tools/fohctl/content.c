/* fohctl content: content detection of sound files, without fohd —
 *   classify [--timeline] FILE...     class, style and confidence of each file
 *   learn [--class C] [--margin M] [--file F] NAME FILE...   a centroid from
 *                                     examples (M: taken only when clearly nearest)
 *   init --file F FILE...             a new model: the standardisation of
 *                                     the features over FILE... (no centroid)
 *   features FILE...                  the window vectors, one line per 0.5 s
 * The model is read from foh_centroids_path() (centroids.h) unless --file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "content/centroids.h"
#include "content/file.h"
#include "fohctl.h"

/* windows with less signal than this teach nothing */
#define LEARN_MIN_DB	-60.0
#define LEARN_MIN_ACTIVE 0.5f

struct sums {
	double sum[FOH_CF_N], sq[FOH_CF_N];
	uint32_t n;
};

static bool collect(double t, const struct foh_cf_vector *v, void *data)
{
	struct sums *s = data;

	if (v == NULL || v->level_db < LEARN_MIN_DB || v->active < LEARN_MIN_ACTIVE)
		return true;
	for (int i = 0; i < FOH_CF_N; i++) {
		s->sum[i] += v->v[i];
		s->sq[i] += (double)v->v[i] * v->v[i];
	}
	s->n++;
	return true;
}

static int collect_files(char **files, int n, struct sums *s)
{
	for (int i = 0; i < n; i++) {
		g_autofree char *error = NULL;
		uint32_t before = s->n;
		if (foh_content_file_run(files[i], 0.0, 0.0, collect, s, &error) < 0) {
			fprintf(stderr, "fohctl content: %s\n", error);
			return -EINVAL;
		}
		if (s->n == before)
			fprintf(stderr, "fohctl content: %s: no window above %.0f dBFS, nothing "
					"learned from it\n", files[i], LEARN_MIN_DB);
	}
	if (s->n == 0) {
		fprintf(stderr, "fohctl content: no usable signal in the files given\n");
		return -ENODATA;
	}
	return 0;
}

/* --file FILE, or else the current model (centroids.h): a user's file of an
 * older feature set falls back to the shipped one, with a note. */
static int load_model(const char *file, struct foh_content_model *m, char **used)
{
	g_autofree char *error = NULL, *note = NULL;
	int res = file ? foh_centroids_load(file, m, &error) :
			foh_centroids_load_current(m, used, &note, &error);

	if (res < 0) {
		fprintf(stderr, "fohctl content: %s\n", error);
		return -EINVAL;
	}
	if (file)
		*used = g_strdup(file);
	if (note)
		fprintf(stderr, "fohctl content: %s\n", note);
	return 0;
}

struct run {
	const struct foh_content_model *m;
	struct foh_content_state st;
	bool timeline, json;
	uint32_t ticks[FOH_CONTENT_UNKNOWN + 1];
	double conf_sum[FOH_CONTENT_UNKNOWN + 1];
	struct sums music;
};

static bool classify_tick(double t, const struct foh_cf_vector *v, void *data)
{
	struct run *r = data;

	(void)foh_content_update(&r->st, r->m, v);
	if (v == NULL)
		return true;
	r->ticks[r->st.cls]++;
	r->conf_sum[r->st.cls] += r->st.confidence;
	if (r->st.cls == FOH_CONTENT_MUSIC)
		(void)collect(t, v, &r->music);
	if (r->timeline)
		printf("%8.1f  %-8s %-12s %.2f\n", t, foh_content_class_name(r->st.cls),
				foh_content_style_name(&r->st, r->m), r->st.confidence);
	return true;
}

static void print_result(struct run *r, const char *path, bool json)
{
	enum foh_content_class best = FOH_CONTENT_UNKNOWN;
	const char *style = "";
	double conf = 0.0;
	uint32_t total = 0;

	for (int c = 0; c < FOH_CONTENT_UNKNOWN; c++) {
		total += r->ticks[c];
		if (r->ticks[c] > (best == FOH_CONTENT_UNKNOWN ? 0 : r->ticks[best]))
			best = (enum foh_content_class)c;
	}
	if (best != FOH_CONTENT_UNKNOWN)
		conf = r->conf_sum[best] / r->ticks[best];
	if (best == FOH_CONTENT_MUSIC && r->music.n > 0) {
		/* the style of the whole: the nearest music centroid of the mean */
		struct foh_content_guess g;
		double mean[FOH_CF_N];
		for (int i = 0; i < FOH_CF_N; i++)
			mean[i] = r->music.sum[i] / r->music.n;
		foh_content_guess(r->m, mean, &g);
		if (g.style >= 0) {
			style = r->m->c[g.style].name;
			conf = g.style_confidence;
		}
	}
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, path);
		json_builder_set_member_name(b, "class");
		json_builder_add_string_value(b, foh_content_class_name(best));
		json_builder_set_member_name(b, "style");
		json_builder_add_string_value(b, style);
		json_builder_set_member_name(b, "confidence");
		json_add_double(b, conf);
		json_builder_set_member_name(b, "share");
		json_add_double(b, total ? (double)r->ticks[best == FOH_CONTENT_UNKNOWN ? 0 : best] / total : 0.0);
		json_builder_end_object(b);
		print_json_line(b);
		return;
	}
	printf("%s: class=%s style=%s confidence=%.2f\n", path, foh_content_class_name(best),
			style[0] ? style : "-", conf);
}

static int content_classify(struct ctx *c, int argc, char **argv, const char *file,
		bool timeline)
{
	g_autofree char *path = NULL;
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	int status = 0;

	if (load_model(file, m, &path) < 0)
		return 1;
	for (int i = 0; i < argc; i++) {
		g_autofree char *error = NULL;
		g_autofree struct run *r = g_new0(struct run, 1);
		r->m = m;
		r->timeline = timeline;
		foh_content_state_init(&r->st, FOH_CONTENT_SILENCE_DB);
		if (foh_content_file_run(argv[i], 0.0, 0.0, classify_tick, r, &error) < 0) {
			fprintf(stderr, "fohctl content classify: %s\n", error);
			status = 1;
			continue;
		}
		print_result(r, argv[i], c->json);
	}
	return status;
}

static int content_learn(const char *name, const char *cls_name, const char *margin_arg,
		const char *file, int argc, char **argv)
{
	g_autofree char *in = NULL;
	g_autofree char *out = file ? g_strdup(file) : foh_centroids_user_path();
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	g_autofree char *why = NULL, *error = NULL;
	struct sums s = { 0 };
	double v[FOH_CF_N], margin = 0.0;
	int cls = foh_content_class_from_name(cls_name);

	if (foh_content_check_name(name, &why) < 0) {
		fprintf(stderr, "fohctl content learn: \"%s\": %s\n", name, why);
		return EXIT_USAGE;
	}
	if (cls != FOH_CONTENT_SPEECH && cls != FOH_CONTENT_MUSIC) {
		fprintf(stderr, "fohctl content learn: --class is speech or music, not \"%s\"\n",
				cls_name);
		return EXIT_USAGE;
	}
	if (margin_arg) {
		char *end;

		margin = g_ascii_strtod(margin_arg, &end);
		if (margin_arg[0] == '\0' || *end != '\0' || !isfinite(margin) || margin < 0.0 ||
		    margin >= 1.0 || (cls != FOH_CONTENT_MUSIC && margin > 0.0)) {
			fprintf(stderr, "fohctl content learn: --margin is a number in [0, 1) for a "
					"music style, not \"%s\"\n", margin_arg);
			return EXIT_USAGE;
		}
	}
	if (load_model(file, m, &in) < 0 || collect_files(argv, argc, &s) < 0)
		return 1;
	for (int i = 0; i < FOH_CF_N; i++)
		v[i] = s.sum[i] / s.n;
	if (foh_content_model_set(m, name, (enum foh_content_class)cls, v, s.n) < 0) {
		fprintf(stderr, "fohctl content learn: %s holds %d centroids already\n", in,
				FOH_CONTENT_CENTROIDS_MAX);
		return 1;
	}
	if (margin_arg)		/* else a style learned again keeps its margin */
		m->c[foh_content_model_find(m, name)].margin = margin;
	if (foh_centroids_save(out, m, &error) < 0) {
		fprintf(stderr, "fohctl content learn: %s\n", error);
		return 1;
	}
	printf("learned %s (%s) from %u windows (%.1f s) into %s\n", name, cls_name, s.n,
			s.n * FOH_CONTENT_TICK_S, out);
	return 0;
}

static int content_init(const char *file, int argc, char **argv)
{
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	g_autofree char *error = NULL;
	struct sums s = { 0 };

	if (file == NULL) {
		fprintf(stderr, "fohctl content init: --file FILE is needed\n");
		return EXIT_USAGE;
	}
	if (collect_files(argv, argc, &s) < 0)
		return 1;
	for (int i = 0; i < FOH_CF_N; i++) {
		double mean = s.sum[i] / s.n, var = s.sq[i] / s.n - mean * mean;
		m->mean[i] = mean;
		/* a feature that never varied must not divide by zero */
		m->std[i] = var > 1e-12 ? sqrt(var) : 1.0;
	}
	if (foh_centroids_save(file, m, &error) < 0) {
		fprintf(stderr, "fohctl content init: %s\n", error);
		return 1;
	}
	printf("standardised %d features over %u windows into %s\n", FOH_CF_N, s.n, file);
	return 0;
}

static bool print_vector(double t, const struct foh_cf_vector *v, void *data)
{
	if (v == NULL)
		return true;
	printf("%s\t%.1f\t%.1f\t%.2f", (const char *)data, t, v->level_db, v->active);
	for (int i = 0; i < FOH_CF_N; i++)
		printf("\t%.5g", v->v[i]);
	printf("\n");
	return true;
}

static int content_features(int argc, char **argv)
{
	printf("file\tt\tlevel-db\tactive");
	for (int i = 0; i < FOH_CF_N; i++)
		printf("\t%s", foh_cf_name((enum foh_cf)i));
	printf("\n");
	for (int i = 0; i < argc; i++) {
		g_autofree char *error = NULL;
		if (foh_content_file_run(argv[i], 0.0, 0.0, print_vector, argv[i], &error) < 0) {
			fprintf(stderr, "fohctl content features: %s\n", error);
			return 1;
		}
	}
	return 0;
}

int cmd_content(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "class", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "margin", required_argument, NULL, 'm' },
		{ "timeline", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb, *cls = "music", *file = NULL, *margin = NULL;
	bool timeline = false;
	int opt;

	if (argc < 2) {
		fprintf(stderr, "fohctl content: classify, learn, init or features (see --help)\n");
		return EXIT_USAGE;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cls = optarg; break;
		case 'f': file = optarg; break;
		case 'm': margin = optarg; break;
		case 't': timeline = true; break;
		default: return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(verb, "classify") == 0 && argc >= 1)
		return content_classify(c, argc, argv, file, timeline);
	if (strcmp(verb, "learn") == 0 && argc >= 2)
		return content_learn(argv[0], cls, margin, file, argc - 1, argv + 1);
	if (strcmp(verb, "init") == 0 && argc >= 1)
		return content_init(file, argc, argv);
	if (strcmp(verb, "features") == 0 && argc >= 1)
		return content_features(argc, argv);
	fprintf(stderr, "fohctl content: unknown verb or missing files: '%s' (see --help)\n",
			verb);
	return EXIT_USAGE;
}
