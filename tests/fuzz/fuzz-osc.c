/* libFuzzer target: the OSC datagram validator (src/osc/validate.c), then
 * liblo on what it accepts. The contract of validate.h: whatever the
 * validator accepts, liblo 0.31 parses — every message of a bundle too —
 * except messages with 'r' (RGBA), which liblo refuses; and what liblo
 * parsed serialises back to a datagram the validator accepts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "osc/validate.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* True when the type tag string of the message at p holds an 'r'. */
static bool has_rgba(const uint8_t *p, size_t len)
{
	size_t i = strnlen((const char *)p, len) + 1;

	i = (i + 3) & ~(size_t)3;
	return i < len && memchr(p + i, 'r', strnlen((const char *)p + i, len - i)) != NULL;
}

static void message(const uint8_t *p, size_t len)
{
	/* liblo gets a buffer of exactly len bytes: ASan sees any over-read
	 * through the libc functions it intercepts */
	uint8_t *copy = malloc(len ? len : 1);
	uint8_t out[65536];
	size_t out_len = sizeof(out);
	lo_message m;
	int res = 0;

	memcpy(copy, p, len);
	m = lo_message_deserialise(copy, len, &res);
	if (has_rgba(p, len)) {
		FUZZ_CHECK(m == NULL, "liblo took an 'r' message: update validate.h");
		free(copy);
		return;
	}
	FUZZ_CHECK(m != NULL, "validator accepted a %zu-byte message liblo refuses (%d)",
			len, res);
	(void)lo_message_get_argv(m);
	(void)lo_message_get_types(m);
	if (lo_message_length(m, (const char *)copy) <= sizeof(out) &&
	    lo_message_serialise(m, (const char *)copy, out, &out_len) != NULL) {
		struct foh_osc_error err;
		int r = foh_osc_validate(out, out_len, &err);
		FUZZ_CHECK(r == 0, "liblo re-serialised a message the validator refuses: %s at %zu",
				foh_osc_reason_str(err.reason), err.offset);
	}
	lo_message_free(m);
	free(copy);
}

/* Walks an accepted packet the way foh-osc's dispatch does. */
static void packet(const uint8_t *p, size_t len)
{
	size_t pos = 16;	/* "#bundle\0" + timetag */

	if (len < 8 || memcmp(p, "#bundle", 8) != 0) {
		message(p, len);
		return;
	}
	while (pos + 4 <= len) {
		uint32_t size = (uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 |
			(uint32_t)p[pos + 2] << 8 | p[pos + 3];
		FUZZ_CHECK(size <= len - pos - 4, "bundle element past the end accepted");
		packet(p + pos + 4, size);
		pos += 4 + (size_t)size;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct foh_osc_error err = { FOH_OSC_OK, 0 };

	if (foh_osc_validate(data, size, &err) < 0) {
		FUZZ_CHECK(err.reason != FOH_OSC_OK, "refused without a reason");
		(void)foh_osc_reason_str(err.reason);
		return 0;
	}
	packet(data, size);
	return 0;
}
