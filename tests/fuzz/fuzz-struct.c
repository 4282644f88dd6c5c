/* libFuzzer target: the struct-JSON reader of foh-sections
 * (tools/foh-sections/struct.c). The bytes are a track's struct file,
 * handed over as a memfd path. Checks on an accepted file: a non-empty
 * path, a finite BPM or NAN, at least one segment, every segment
 * 0 <= start < end with a label, sorted by start; on a refusal, a reason
 * and an empty track. */
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "foh-sections/struct.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	struct sect_track t;
	char *reason = NULL;

	if (sect_track_load(path, &t, &reason) < 0) {
		FUZZ_CHECK(reason != NULL, "refused without a reason");
		FUZZ_CHECK(t.path == NULL && t.key == NULL && t.segments == NULL &&
				t.n_segments == 0, "refused but the track is not empty");
		g_free(reason);
		close(fd);
		return 0;
	}
	FUZZ_CHECK(t.path != NULL && t.path[0] != '\0', "accepted without a path");
	FUZZ_CHECK(isnan(t.bpm) || isfinite(t.bpm), "bpm %g", t.bpm);
	FUZZ_CHECK(t.key == NULL || t.key[0] != '\0', "empty key kept");
	FUZZ_CHECK(t.n_segments > 0, "accepted without segments");
	for (size_t i = 0; i < t.n_segments; i++) {
		const struct sect_segment *s = &t.segments[i];
		FUZZ_CHECK(s->start >= 0 && s->start < s->end && s->label != NULL,
				"segment %zu: %g..%g", i, s->start, s->end);
		FUZZ_CHECK(i == 0 || t.segments[i - 1].start <= s->start,
				"segment %zu out of order", i);
	}
	sect_track_clear(&t);
	close(fd);
	return 0;
}
