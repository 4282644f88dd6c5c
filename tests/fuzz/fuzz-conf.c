/* libFuzzer target: the config loader (src/core/conf.c). The bytes are a
 * foh.conf; when foh_conf_load() accepts them:
 *   - saving over the file (comments and keys kept, as fohd does) must
 *     succeed and the loader must accept the result;
 *   - the reloaded settings must equal the first load's;
 *   - a save to a fresh file must be accepted by the loader too.
 * Settings are compared as their canonical text: a save to a fresh file
 * writes every non-default value, doubles in their shortest exact form.
 * Any violation abort()s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	foh_log_set_level(FOH_LOG_ERROR);
	return 0;
}

/* The canonical text of conf: a save to a fresh file, read back. */
static char *canonical(const struct foh_conf *conf, const char *path)
{
	char *text;

	(void)unlink(path);
	FUZZ_CHECK(foh_conf_save(conf, path) == 0, "save to a fresh file failed");
	text = fuzz_read_file(path, NULL);
	(void)unlink(path);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *file = g_build_filename(fuzz_scratch_dir(), "foh.conf", NULL);
	g_autofree char *fresh = g_build_filename(fuzz_scratch_dir(), "fresh.conf", NULL);
	g_autofree char *error = NULL, *text1 = NULL, *text2 = NULL;
	struct foh_conf *c1 = NULL, *c2 = NULL, *c3 = NULL;
	int r;

	if (size > 64 * 1024)
		return 0;
	fuzz_write_file(file, data, size);
	if (foh_conf_load(file, &c1, &error) < 0) {
		FUZZ_CHECK(error != NULL && error[0] != '\0', "refused without a message");
		return 0;
	}

	/* save over the accepted file, keeping its comments, then reload */
	FUZZ_CHECK((r = foh_conf_save(c1, file)) == 0, "save over the file failed: %d", r);
	g_clear_pointer(&error, g_free);
	r = foh_conf_load(file, &c2, &error);
	FUZZ_CHECK(r == 0, "the loader refuses what save wrote over an accepted file: %s",
			error);
	text1 = canonical(c1, fresh);
	text2 = canonical(c2, fresh);
	FUZZ_CHECK(strcmp(text1, text2) == 0,
			"settings changed across save and reload:\n--- loaded\n%s--- reloaded\n%s",
			text1, text2);

	/* a save to a fresh file must load too, to the same settings */
	fuzz_write_file(fresh, text1, strlen(text1));
	g_clear_pointer(&error, g_free);
	r = foh_conf_load(fresh, &c3, &error);
	FUZZ_CHECK(r == 0, "the loader refuses a freshly saved file: %s\n%s", error, text1);
	g_free(text2);
	text2 = canonical(c3, fresh);
	FUZZ_CHECK(strcmp(text1, text2) == 0,
			"settings changed across a fresh save:\n--- saved\n%s--- reloaded\n%s",
			text1, text2);

	foh_conf_free(c1);
	foh_conf_free(c2);
	foh_conf_free(c3);
	return 0;
}
