/* libFuzzer target: the X32 parsers of src/x32/proto.c — whole /meters/N
 * datagrams (foh_x32_meters_parse), meter blobs as liblo hands them over
 * (foh_x32_meters_parse_blob) and /node text lines (foh_x32_node_parse).
 * The first byte picks the meter set (0..6: 4 and 6 are unknown sets), the
 * rest is the datagram. Checks: a parse returns the set's count of finite
 * values in [0, 8] or an error with a reason; a /node parse gives a path
 * starting with '/' and at most 16 NUL-terminated tokens. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "x32/proto.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void check_meters(int r, unsigned int set, const float *v,
		enum foh_x32_meter_reason why)
{
	int expect = foh_x32_meters_count(set);

	(void)foh_x32_meter_reason_str(why);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -EBADMSG || r == -ENOSPC, "error %d", r);
		FUZZ_CHECK(r != -EBADMSG || why != FOH_X32_METER_OK, "refused without a reason");
		return;
	}
	FUZZ_CHECK(r == expect, "set %u parsed %d values, not %d", set, r, expect);
	for (int i = 0; i < r; i++)
		FUZZ_CHECK(isfinite(v[i]) && v[i] >= 0.0f && v[i] <= FOH_X32_METER_MAX,
				"value %d is %g", i, (double)v[i]);
	if (set == 2) {
		static const char *const ids[] = { "bus1", "bus16", "mtx6", "main_st", "main_m",
			"ch1" };
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			struct foh_x32_output o;
			float level;
			if (foh_x32_output_parse(ids[i], &o) == 0 &&
			    foh_x32_meters2_level(v, (size_t)r, &o, &level) == 0)
				(void)foh_x32_meter_to_db(level);
		}
	}
}

static void check_node(const char *line, size_t len)
{
	struct foh_x32_node n;
	double db;
	bool on;

	if (foh_x32_node_parse(line, len, &n) < 0)
		return;
	FUZZ_CHECK(n.path[0] == '/', "path \"%s\"", n.path);
	FUZZ_CHECK(n.n_tokens <= FOH_X32_NODE_MAX_TOKENS, "%u tokens", n.n_tokens);
	FUZZ_CHECK(memchr(n.path, '\0', sizeof(n.path)) != NULL, "path unterminated");
	for (unsigned int i = 0; i < n.n_tokens; i++) {
		FUZZ_CHECK(memchr(n.token[i], '\0', sizeof(n.token[i])) != NULL,
				"token %u unterminated", i);
		(void)foh_x32_node_level(n.token[i], &db);
	}
	(void)foh_x32_node_mix(&n, &on, &db);
	{
		struct foh_x32_output o;
		enum foh_x32_param param;
		(void)foh_x32_address_parse(n.path, &o, &param);
		(void)foh_x32_output_parse(n.path + 1, &o);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	float values[FOH_X32_METERS_MAX_COUNT];
	enum foh_x32_meter_reason why;
	unsigned int set;
	uint8_t *copy;
	int r;

	if (size < 1)
		return 0;
	set = data[0] % 7;
	data++;
	size--;
	/* an exact-size copy: any read past the end is an ASan report */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);

	why = FOH_X32_METER_OK;
	r = foh_x32_meters_parse(copy, size, set, values, FOH_X32_METERS_MAX_COUNT, &why);
	check_meters(r, set, values, why);
	why = FOH_X32_METER_OK;
	r = foh_x32_meters_parse_blob(copy, size, set, values, FOH_X32_METERS_MAX_COUNT, &why);
	check_meters(r, set, values, why);
	/* a short values array must give -ENOSPC, never a write past it */
	r = foh_x32_meters_parse_blob(copy, size, set, values, 8, NULL);
	FUZZ_CHECK(r < 0 || r <= 8, "wrote %d values into 8", r);
	check_node((const char *)copy, size);
	free(copy);
	return 0;
}
