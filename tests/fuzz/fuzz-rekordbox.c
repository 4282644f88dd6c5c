/* libFuzzer target: the Rekordbox collection reader of foh-sections
 * (tools/foh-sections/rekordbox.c, libxml2's streaming reader), handed the
 * bytes as a memfd path, and its file:// URL decoder on the same bytes.
 * Checks: a refusal names the problem; in an accepted collection every
 * BPM is NAN or finite and > 0, and no tonality is empty; a decoded
 * location holds no NUL and a file name has no separator. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "foh-sections/rekordbox.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

static void check_location(const uint8_t *data, size_t size)
{
	g_autofree char *s = g_strndup((const char *)data, size);
	g_autofree char *path = sect_location_to_path(s);
	const char *name;

	if (path == NULL)
		return;
	name = sect_file_name(path);
	FUZZ_CHECK(name == NULL || (name[0] != '\0' && strchr(name, '/') == NULL &&
			strchr(name, '\\') == NULL), "file name \"%s\"", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	struct sect_rekordbox *rb = NULL;
	char *error = NULL;
	size_t n_bad = 0;

	if (sect_rekordbox_load(path, &rb, &n_bad, &error) < 0) {
		FUZZ_CHECK(error != NULL, "refused without a message");
		g_free(error);
	} else {
		/* look up a few names a seed uses, and the bytes themselves */
		static const char *const names[] = { "a.wav", "b b.mp3", "track.flac", "" };
		g_autofree char *s = g_strndup((const char *)data, size < 64 ? size : 64);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const struct sect_rb_track *t = sect_rekordbox_lookup(rb, names[i]);
			if (t == NULL)
				continue;
			FUZZ_CHECK(isnan(t->bpm) || (isfinite(t->bpm) && t->bpm > 0),
					"bpm %g", t->bpm);
			FUZZ_CHECK(t->tonality == NULL || t->tonality[0] != '\0', "empty tonality");
		}
		(void)sect_rekordbox_lookup(rb, s);
		sect_rekordbox_free(rb);
	}
	close(fd);
	check_location(data, size);
	return 0;
}
