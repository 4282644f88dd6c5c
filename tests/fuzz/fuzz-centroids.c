/* libFuzzer target: the content centroid file reader (src/content/
 * centroids.c). The bytes are the file; when foh_centroids_load() accepts
 * it, saving the model and loading that must succeed, and saving again must
 * give the same bytes (the writer's text is a fixed point of the reader).
 * A refusal must come with a message naming the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/centroids.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *in = g_build_filename(fuzz_scratch_dir(), "styles", NULL);
	g_autofree char *a = g_build_filename(fuzz_scratch_dir(), "a", NULL);
	g_autofree char *b = g_build_filename(fuzz_scratch_dir(), "b", NULL);
	g_autofree char *error = NULL, *text_a = NULL, *text_b = NULL;
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	g_autofree struct foh_content_model *m2 = g_new0(struct foh_content_model, 1);

	if (size > 64 * 1024)
		return 0;
	fuzz_write_file(in, data, size);
	if (foh_centroids_load(in, m, &error) < 0) {
		FUZZ_CHECK(error != NULL && strstr(error, in) != NULL, "refused without the file");
		return 0;
	}
	FUZZ_CHECK(foh_centroids_save(a, m, &error) == 0, "save: %s", error);
	FUZZ_CHECK(foh_centroids_load(a, m2, &error) == 0, "its own file refused: %s", error);
	FUZZ_CHECK(foh_centroids_save(b, m2, &error) == 0, "save again: %s", error);
	FUZZ_CHECK(g_file_get_contents(a, &text_a, NULL, NULL) &&
			g_file_get_contents(b, &text_b, NULL, NULL) && strcmp(text_a, text_b) == 0,
			"save → load → save changed the file");
	return 0;
}
