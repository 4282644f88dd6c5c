/* fohctl deck L load PATH [--struct FILE.json] [--rekordbox FILE.xml]:
 * loads a track on a deck and sets the deck's TrackBpm from the track's
 * struct JSON (its "bpm") and/or a Rekordbox collection (the AverageBpm of
 * the TRACK whose Location has PATH's file name; it wins over the JSON, as
 * in foh-sections). The files are read here, in the client, with the same
 * parsers foh-sections uses, so a 200 MB collection never stalls fohd's
 * main loop. Everything else about a deck goes to the generic object form. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"
#include "foh-sections/rekordbox.h"
#include "foh-sections/struct.h"

/* The BPM the metadata gives PATH; 0 with none asked for, -1 on an error
 * (said on stderr). */
static double track_bpm(const char *path, const char *struct_file, const char *rekordbox)
{
	const char *name = sect_file_name(path);
	double bpm = 0.0;

	if (struct_file != NULL) {
		struct sect_track t = { 0 };
		g_autofree char *reason = NULL;
		if (sect_track_load(struct_file, &t, &reason) < 0) {
			fprintf(stderr, "fohctl: %s: %s\n", struct_file, reason);
			return -1.0;
		}
		const char *described = t.path ? sect_file_name(t.path) : NULL;
		if (described == NULL || name == NULL || strcmp(described, name) != 0) {
			fprintf(stderr, "fohctl: %s describes %s, not %s\n", struct_file,
					t.path ? t.path : "no file", path);
			sect_track_clear(&t);
			return -1.0;
		}
		bpm = isnan(t.bpm) ? 0.0 : t.bpm;
		sect_track_clear(&t);
	}
	if (rekordbox != NULL) {
		struct sect_rekordbox *rb = NULL;
		g_autofree char *error = NULL;
		size_t bad = 0;
		if (sect_rekordbox_load(rekordbox, &rb, &bad, &error) < 0) {
			fprintf(stderr, "fohctl: %s: %s\n", rekordbox, error);
			return -1.0;
		}
		const struct sect_rb_track *t = name ? sect_rekordbox_lookup(rb, name) : NULL;
		if (t != NULL && !isnan(t->bpm))
			bpm = t->bpm;
		sect_rekordbox_free(rb);
	}
	if ((struct_file != NULL || rekordbox != NULL) && !(bpm > 0.0)) {
		fprintf(stderr, "fohctl: no BPM for %s in %s%s%s\n", path,
				struct_file ? struct_file : "", struct_file && rekordbox ? " or " : "",
				rekordbox ? rekordbox : "");
		return -1.0;
	}
	return bpm;
}

static int deck_load(struct ctx *c, const char *letter, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "struct", required_argument, NULL, 's' },
		{ "rekordbox", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *struct_file = NULL, *rekordbox = NULL;
	g_autofree char *object = g_strdup_printf("deck/%s", letter);
	char bpm_text[32];
	double bpm;
	int opt, r;

	optind = 0;	/* 0, not 1: glibc then forgets the "+" of main's parse and permutes */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 's')
			struct_file = optarg;
		else if (opt == 'r')
			rekordbox = optarg;
		else
			return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: fohctl deck L load PATH [--struct FILE.json] "
				"[--rekordbox FILE.xml]\n");
		return EXIT_USAGE;
	}
	/* read the metadata first: a bad file changes nothing on the deck */
	if ((bpm = track_bpm(argv[optind], struct_file, rekordbox)) < 0.0)
		return EXIT_FAILURE;
	char *load[] = { "call", object, "Load", argv[optind], NULL };
	if ((r = cmd_call(c, 4, load)) != EXIT_SUCCESS)
		return r;
	if (struct_file == NULL && rekordbox == NULL)
		return EXIT_SUCCESS;
	snprintf(bpm_text, sizeof(bpm_text), "%.17g", bpm);
	char *set[] = { "set", object, "TrackBpm", bpm_text, NULL };
	return cmd_set(c, 4, set);
}

int cmd_deck(struct ctx *c, int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[2], "load") == 0 && strlen(argv[1]) == 1 &&
	    strchr("abcd", argv[1][0]) != NULL)
		return deck_load(c, argv[1], argc - 2, argv + 2);
	return cmd_object(c, argc, argv);
}
