/* foh-sections: the track-section exporter. Reads a folder of struct JSON
 * (one per track, see struct.h), optionally a Rekordbox collection
 * XML (AverageBpm and Tonality override the JSON's bpm and key), keeps the
 * tracks near a target BPM and in the wanted keys, cuts each from the end of
 * its intro to the end of its n-th segment after it, time-aligns the cut to
 * the target BPM and writes both WAVs plus a CSV of every cue.
 * Standalone: it does not talk to fohd. Exit codes: 0 every selected track
 * exported, 1 a track was skipped or the run failed, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "foh-config.h"
#include "foh-sections/audio.h"
#include "foh-sections/cues.h"
#include "foh-sections/rekordbox.h"
#include "foh-sections/struct.h"
#include "util/atomic-file.h"
#include "util/cleanup.h"

#define EXIT_SKIPPED 1
#define EXIT_USAGE 2

#define DEFAULT_STRUCT_DIR "struct"
#define DEFAULT_CSV "sections.csv"
#define DEFAULT_PARTS "parts"
#define DEFAULT_DELTA 2.0
#define DEFAULT_SECTION 6

static const char *const csv_columns[] = {
	"path", "bpm", "key", "target_bpm", "speed", "ini_cue", "begin_cue", "end_cue",
	"begin_cue_adj", "end_cue_adj", "duration_orig", "duration_sectioned",
	"part_file_orig", "part_file",
};

struct opts {
	const char *struct_dir;
	char *audio_dir;
	const char *csv_out;
	const char *parts_dir;
	const char *rekordbox;
	double target;
	double delta;
	char **keys;		/* NULL: no key filter */
	enum sect_method method;
	unsigned int section;
	bool quiet;
};

/* A track that passed the filters, waiting to be exported. */
struct candidate {
	char *json;		/* struct file name, for messages */
	struct sect_track track;
	double bpm;		/* after the Rekordbox override */
	const char *key;	/* likewise; points into track or the XML table */
	char *audio;		/* the JSON path rebased onto the audio dir */
	char *stem;		/* audio file name without extension */
};

struct run {
	const struct opts *o;
	struct sect_rekordbox *rb;
	GPtrArray *selected;	/* struct candidate * */
	GPtrArray *skipped;	/* "file: reason" */
	GHashTable *stems;	/* output stems already written */
	GString *csv;
	size_t n_tracks;
	size_t exported;
	bool progress;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: foh-sections [OPTIONS] --bpm BPM [STRUCT_DIR]\n\n"
		"Exports tempo-aligned track sections: each selected track is cut from the\n"
		"end of its last intro segment to the end of the N-th segment after it and\n"
		"stretched to BPM. STRUCT_DIR holds one struct JSON per track (default\n"
		"./" DEFAULT_STRUCT_DIR ").\n\n"
		"Options:\n"
		"  -b, --bpm BPM           target BPM (required)\n"
		"  -d, --delta D           keep tracks within BPM +- D (default %.0f)\n"
		"  -k, --key KEYS          keep only these keys, comma-separated (\"Gm,Cm\");\n"
		"                          tracks without a key are then left out\n"
		"  -x, --rekordbox-xml F   Rekordbox collection: AverageBpm and Tonality\n"
		"                          override the JSON's bpm and key (by file name)\n"
		"  -o, --csv-out F         CSV to write (default " DEFAULT_CSV ")\n"
		"  -p, --parts-dir D       where the WAVs go (default " DEFAULT_PARTS ")\n"
		"  -a, --audio-dir D       audio files, found by the file name of each JSON\n"
		"                          path (default: STRUCT_DIR's parent)\n"
		"  -m, --method M          rubberband (pitch kept, default) or rate\n"
		"                          (resampled: pitch follows the tempo)\n"
		"  -n, --section N         the N-th segment after the intro (default %d)\n"
		"  -q, --quiet             no progress bar and no summary line\n"
		"  -h, --help              this help\n"
		"      --version           the version\n\n"
		"Writes NAME_sectioned.wav (stretched) and NAME_unstretched.wav per track.\n"
		"Exit status: 0 every selected track exported, 1 a track was skipped or\n"
		"the run failed, 2 usage.\n", DEFAULT_DELTA, DEFAULT_SECTION);
}

static bool parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v = g_ascii_strtod(s, &end);

	if (end == s || *end != '\0' || !isfinite(v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* "Gm, Cm" -> {"Gm", "Cm"}; NULL when no key is left. */
static char **parse_keys(const char *s)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	GPtrArray *keys = g_ptr_array_new();

	for (char **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p != '\0')
			g_ptr_array_add(keys, g_strdup(*p));
	}
	if (keys->len == 0) {
		g_ptr_array_free(keys, TRUE);
		return NULL;
	}
	g_ptr_array_add(keys, NULL);
	return (char **)g_ptr_array_free(keys, FALSE);
}

static int bad_option(const char *name, const char *value, const char *want)
{
	fprintf(stderr, "foh-sections: --%s '%s': %s\n", name, value, want);
	return -EINVAL;
}

/* Returns 1 to run, 0 after --help/--version, -EINVAL on a usage error. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "bpm", required_argument, NULL, 'b' },
		{ "delta", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "rekordbox-xml", required_argument, NULL, 'x' },
		{ "csv-out", required_argument, NULL, 'o' },
		{ "parts-dir", required_argument, NULL, 'p' },
		{ "audio-dir", required_argument, NULL, 'a' },
		{ "method", required_argument, NULL, 'm' },
		{ "section", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "b:d:k:x:o:p:a:m:n:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!parse_double(optarg, 1, 999, &o->target))
				return bad_option("bpm", optarg, "a BPM from 1 to 999");
			break;
		case 'd':
			if (!parse_double(optarg, 0, 999, &o->delta))
				return bad_option("delta", optarg, "a number >= 0");
			break;
		case 'k':
			g_strfreev(o->keys);
			if ((o->keys = parse_keys(optarg)) == NULL)
				return bad_option("key", optarg, "a comma-separated list of keys");
			break;
		case 'x': o->rekordbox = optarg; break;
		case 'o': o->csv_out = optarg; break;
		case 'p': o->parts_dir = optarg; break;
		case 'a':
			g_free(o->audio_dir);
			o->audio_dir = g_strdup(optarg);
			break;
		case 'm':
			if (strcmp(optarg, "rubberband") == 0)
				o->method = SECT_METHOD_RUBBERBAND;
			else if (strcmp(optarg, "rate") == 0)
				o->method = SECT_METHOD_RATE;
			else
				return bad_option("method", optarg, "rubberband or rate");
			break;
		case 'n':
			if (!parse_double(optarg, 1, 1000, &v) || v != floor(v))
				return bad_option("section", optarg, "a whole number from 1 to 1000");
			o->section = (unsigned int)v;
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("foh-sections %s\n", FOH_VERSION); return 0;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc)
		o->struct_dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "foh-sections: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->target == 0) {
		fprintf(stderr, "foh-sections: --bpm is required (see --help)\n");
		return -EINVAL;
	}
	if (o->audio_dir == NULL)
		o->audio_dir = g_path_get_dirname(o->struct_dir);
	return 1;
}

static void progress_clear(struct run *r)
{
	if (r->progress)
		fputs("\r\033[K", stderr);
}

static void progress_draw(struct run *r, size_t done, const char *name)
{
	enum { WIDTH = 30 };
	size_t total = r->selected->len, fill = total ? done * WIDTH / total : WIDTH;
	char bar[WIDTH + 1];

	if (!r->progress)
		return;
	memset(bar, '#', fill);
	memset(bar + fill, '.', WIDTH - fill);
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r\033[K[%s] %zu/%zu %.40s", bar, done, total, name ? name : "");
	fflush(stderr);
}

static void skip(struct run *r, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void skip(struct run *r, const char *file, const char *fmt, ...)
{
	g_autofree char *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	progress_clear(r);
	fprintf(stderr, "skipped %s: %s\n", file, reason);
	g_ptr_array_add(r->skipped, g_strdup_printf("%s: %s", file, reason));
}

static void candidate_free(gpointer p)
{
	struct candidate *c = p;

	sect_track_clear(&c->track);
	g_free(c->json);
	g_free(c->audio);
	g_free(c->stem);
	g_free(c);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The struct files of dir, sorted by name, so runs are reproducible. */
static GPtrArray *list_structs(const char *dir, char **error)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
	GPtrArray *files;
	const char *name;

	if (d == NULL) {
		*error = g_strdup(err->message);
		return NULL;
	}
	files = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".json"))
			g_ptr_array_add(files, g_strdup(name));
	g_ptr_array_sort(files, cmp_names);
	return files;
}

static char *file_stem(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name ? g_strndup(name, (gsize)(dot - name)) : g_strdup(name);
}

/* Applies the Rekordbox override and the filters. Returns true when c is
 * selected; false when filtered out or skipped (then with a reason). */
static bool resolve(struct run *r, struct candidate *c)
{
	const struct opts *o = r->o;
	const char *name = sect_file_name(c->track.path);
	const struct sect_rb_track *rbt;

	if (name == NULL) {
		skip(r, c->json, "\"path\" has no file name");
		return false;
	}
	c->bpm = c->track.bpm;
	c->key = c->track.key;
	if (r->rb && (rbt = sect_rekordbox_lookup(r->rb, name)) != NULL) {
		if (!isnan(rbt->bpm))
			c->bpm = rbt->bpm;
		if (rbt->tonality)
			c->key = rbt->tonality;
	}
	if (isnan(c->bpm) || c->bpm <= 0) {
		skip(r, c->json, isnan(c->bpm) ? "no bpm (in the JSON or the Rekordbox XML)" :
				"bpm is not above 0");
		return false;
	}
	if (!sect_bpm_in_range(c->bpm, o->target, o->delta))
		return false;
	if (o->keys && !sect_key_matches(c->key, (const char *const *)o->keys,
				g_strv_length(o->keys)))
		return false;
	c->audio = g_build_filename(o->audio_dir, name, NULL);
	c->stem = file_stem(name);
	return true;
}

static void load_all(struct run *r, GPtrArray *files)
{
	for (guint i = 0; i < files->len; i++) {
		const char *name = files->pdata[i];
		g_autofree char *path = g_build_filename(r->o->struct_dir, name, NULL);
		g_autofree char *reason = NULL;
		struct candidate *c = g_new0(struct candidate, 1);

		c->json = g_strdup(name);
		if (sect_track_load(path, &c->track, &reason) < 0) {
			skip(r, name, "%s", reason);
			candidate_free(c);
			continue;
		}
		if (resolve(r, c))
			g_ptr_array_add(r->selected, c);
		else
			candidate_free(c);
	}
	r->n_tracks = files->len;
}

static void csv_field(GString *s, const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n") != NULL) {
		g_string_append_c(s, '"');
		for (; *v; v++) {
			if (*v == '"')
				g_string_append_c(s, '"');
			g_string_append_c(s, *v);
		}
		g_string_append_c(s, '"');
	} else {
		g_string_append(s, v);
	}
	g_string_append_c(s, last ? '\n' : ',');
}

/* Reals are written with six decimals and a '.' whatever the locale. */
static void csv_number(GString *s, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	csv_field(s, g_ascii_formatd(buf, sizeof(buf), "%.6f", v), false);
}

static void csv_row(struct run *r, const struct candidate *c, const struct sect_cues *q,
		double dur_orig, double dur_sect, const char *orig, const char *sect)
{
	GString *s = r->csv;

	csv_field(s, c->audio, false);
	csv_number(s, c->bpm);
	csv_field(s, c->key ? c->key : "", false);
	csv_number(s, r->o->target);
	csv_number(s, q->speed);
	csv_number(s, q->ini);
	csv_number(s, q->begin);
	csv_number(s, q->end);
	csv_number(s, q->begin_adj);
	csv_number(s, q->end_adj);
	csv_number(s, dur_orig);
	csv_number(s, dur_sect);
	csv_field(s, orig, false);
	csv_field(s, sect, true);
}

static void export_one(struct run *r, struct candidate *c)
{
	const struct opts *o = r->o;
	g_autofree char *reason = NULL, *orig = NULL, *sect = NULL, *base = NULL, *dir = NULL;
	struct sect_audio cut = { 0 }, stretched = { 0 };
	struct sect_cues q;
	int res;

	res = sect_compute(c->track.segments, c->track.n_segments, o->section,
			c->bpm, o->target, &q);
	if (res < 0) {
		skip(r, c->json, "fewer than %u segments start after the intro (ini_cue %.3f s)",
				o->section, sect_ini_cue(c->track.segments, c->track.n_segments));
		return;
	}
	if (!g_file_test(c->audio, G_FILE_TEST_IS_REGULAR)) {
		skip(r, c->json, "audio file %s not found", c->audio);
		return;
	}
	if (!g_hash_table_add(r->stems, g_strdup(c->stem))) {
		skip(r, c->json, "another track already exported %s", c->stem);
		return;
	}
	/* absolute in the CSV: fohd's Deck.Load takes absolute paths only */
	dir = g_canonicalize_filename(o->parts_dir, NULL);
	base = g_build_filename(dir, c->stem, NULL);
	orig = g_strconcat(base, "_unstretched.wav", NULL);
	sect = g_strconcat(base, "_sectioned.wav", NULL);
	if (sect_audio_read(c->audio, q.ini, q.end, &cut, &reason) < 0 ||
	    sect_audio_write(orig, &cut, &reason) < 0 ||
	    sect_audio_stretch(&cut, q.speed, o->method, &stretched, &reason) < 0 ||
	    sect_audio_write(sect, &stretched, &reason) < 0) {
		skip(r, c->json, "%s", reason);
		/* nothing of it was kept: a later track may use the name */
		g_hash_table_remove(r->stems, c->stem);
	} else {
		csv_row(r, c, &q, sect_audio_seconds(&cut), sect_audio_seconds(&stretched),
				orig, sect);
		r->exported++;
	}
	sect_audio_clear(&cut);
	sect_audio_clear(&stretched);
}

static int write_csv(struct run *r)
{
	int res;

	if ((res = foh_mkdir_parents(r->o->csv_out)) < 0 ||
	    (res = foh_atomic_write(r->o->csv_out, r->csv->str, r->csv->len, 0644)) < 0)
		fprintf(stderr, "foh-sections: cannot write %s: %s\n", r->o->csv_out, strerror(-res));
	return res;
}

static void report(struct run *r)
{
	const struct opts *o = r->o;
	g_autofree char *keys = o->keys ? g_strjoinv(",", o->keys) : NULL;

	if (!o->quiet)
		printf("%u of %zu tracks selected (%.2f +- %.2f BPM%s%s), %zu exported to %s, CSV %s\n",
				r->selected->len, r->n_tracks, o->target, o->delta,
				keys ? ", keys " : "", keys ? keys : "",
				r->exported, o->parts_dir, o->csv_out);
	if (r->skipped->len == 0)
		return;
	fprintf(stderr, "%u skipped:\n", r->skipped->len);
	for (guint i = 0; i < r->skipped->len; i++)
		fprintf(stderr, "  %s\n", (const char *)r->skipped->pdata[i]);
}

static int run(struct run *r)
{
	const struct opts *o = r->o;
	g_autoptr(GPtrArray) files = NULL;
	g_autofree char *error = NULL;
	size_t n_bad = 0;

	if (o->rekordbox && sect_rekordbox_load(o->rekordbox, &r->rb, &n_bad, &error) < 0) {
		fprintf(stderr, "foh-sections: Rekordbox XML %s\n", error);
		return EXIT_FAILURE;
	}
	if (n_bad > 0)
		fprintf(stderr, "foh-sections: %zu Rekordbox tracks have an unusable AverageBpm\n", n_bad);
	if ((files = list_structs(o->struct_dir, &error)) == NULL) {
		fprintf(stderr, "foh-sections: %s\n", error);
		return EXIT_FAILURE;
	}
	if (g_mkdir_with_parents(o->parts_dir, 0755) < 0) {
		fprintf(stderr, "foh-sections: cannot create %s: %s\n", o->parts_dir, strerror(errno));
		return EXIT_FAILURE;
	}
	load_all(r, files);
	for (size_t i = 0; i < FOH_ELEMENTSOF(csv_columns); i++)
		csv_field(r->csv, csv_columns[i], i + 1 == FOH_ELEMENTSOF(csv_columns));
	for (guint i = 0; i < r->selected->len; i++) {
		struct candidate *c = r->selected->pdata[i];

		progress_draw(r, i, c->stem);
		export_one(r, c);
	}
	progress_draw(r, r->selected->len, NULL);
	progress_clear(r);
	if (write_csv(r) < 0)
		return EXIT_FAILURE;
	report(r);
	return r->skipped->len ? EXIT_SKIPPED : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.struct_dir = DEFAULT_STRUCT_DIR,
		.csv_out = DEFAULT_CSV,
		.parts_dir = DEFAULT_PARTS,
		.delta = DEFAULT_DELTA,
		.method = SECT_METHOD_RUBBERBAND,
		.section = DEFAULT_SECTION,
	};
	struct run r = { .o = &o };
	int res;

	if ((res = parse_args(argc, argv, &o)) <= 0) {
		g_strfreev(o.keys);
		g_free(o.audio_dir);
		return res == 0 ? EXIT_SUCCESS : EXIT_USAGE;
	}
	r.selected = g_ptr_array_new_with_free_func(candidate_free);
	r.skipped = g_ptr_array_new_with_free_func(g_free);
	r.stems = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r.csv = g_string_new(NULL);
	r.progress = !o.quiet && isatty(STDERR_FILENO);

	res = run(&r);

	g_string_free(r.csv, TRUE);
	g_hash_table_destroy(r.stems);
	g_ptr_array_free(r.skipped, TRUE);
	g_ptr_array_free(r.selected, TRUE);
	sect_rekordbox_free(r.rb);
	g_strfreev(o.keys);
	g_free(o.audio_dir);
	return res;
}
