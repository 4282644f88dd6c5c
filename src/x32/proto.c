/* Behringer X32 OSC protocol: fader law, addresses, meter packets, OSC
 * /node replies. Pure; see x32/proto.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x32/proto.h"

#define STEP_MAX	(FOH_X32_FADER_STEPS - 1)

/* Fader law */

double foh_x32_fader_to_db(double f)
{
	if (isnan(f))
		return NAN;
	if (f <= 0.0)
		return -INFINITY;
	if (f > 1.0)
		f = 1.0;
	if (f >= 0.5)
		return 40.0 * f - 30.0;
	if (f >= 0.25)
		return 80.0 * f - 50.0;
	if (f >= 0.0625)
		return 160.0 * f - 70.0;
	return 480.0 * f - 90.0;
}

double foh_x32_db_to_fader(double db)
{
	double f;

	if (isnan(db))
		return NAN;
	if (db >= -10.0)
		f = (db + 30.0) / 40.0;
	else if (db >= -30.0)
		f = (db + 50.0) / 80.0;
	else if (db >= -60.0)
		f = (db + 70.0) / 160.0;
	else
		f = (db + 90.0) / 480.0;
	return f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
}

double foh_x32_step_to_db(int step)
{
	if (step <= 0)
		return -INFINITY;
	if (step > STEP_MAX)
		step = STEP_MAX;
	return foh_x32_fader_to_db((double)step / STEP_MAX);
}

float foh_x32_step_to_fader(int step)
{
	if (step <= 0)
		return 0.0f;
	if (step > STEP_MAX)
		step = STEP_MAX;
	return (float)step / (float)STEP_MAX;
}

int foh_x32_db_to_step(double db)
{
	int i, best;

	if (isnan(db))
		return -EINVAL;
	if (db <= FOH_X32_FADER_OFF_DB)
		return 0;
	if (db >= FOH_X32_FADER_MAX_DB)
		return STEP_MAX;
	/* The law is monotonic and the inverse exact, so the nearest step in
	 * dB is floor(f * 1023) or the one above; step 0 (-inf) is never the
	 * nearest to a finite request. */
	i = (int)floor(foh_x32_db_to_fader(db) * STEP_MAX);
	best = i < 1 ? 1 : i;
	for (int c = best + 1; c <= i + 1 && c <= STEP_MAX; c++)
		if (fabs(foh_x32_step_to_db(c) - db) < fabs(foh_x32_step_to_db(best) - db))
			best = c;
	return best;
}

int foh_x32_fader_to_step(double f)
{
	if (!isfinite(f))
		return -EINVAL;
	if (f <= 0.0)
		return 0;
	if (f >= 1.0)
		return STEP_MAX;
	return (int)lround(f * STEP_MAX);
}

double foh_x32_meter_to_db(float v)
{
	if (!(v > 0.0f))
		return -INFINITY;
	return 20.0 * log10((double)v);
}

/* Outputs and addresses */

struct kind_info {
	const char *id;		/* id prefix, or the whole id when max == 0 */
	const char *addr;	/* address prefix, "/bus" + "/05" or "/main/st" */
	unsigned int max;	/* highest number, 0 for the unnumbered mains */
};

static const struct kind_info kinds[] = {
	[FOH_X32_CH] = { "ch", "/ch", 32 },
	[FOH_X32_BUS] = { "bus", "/bus", 16 },
	[FOH_X32_MTX] = { "mtx", "/mtx", 6 },
	[FOH_X32_MAIN_ST] = { "main_st", "/main/st", 0 },
	[FOH_X32_MAIN_M] = { "main_m", "/main/m", 0 },
};

static const char *const param_suffix[] = {
	[FOH_X32_FADER] = "/mix/fader",
	[FOH_X32_ON] = "/mix/on",
	[FOH_X32_NAME] = "/config/name",
};

static bool output_valid(const struct foh_x32_output *o)
{
	if ((unsigned int)o->kind >= sizeof(kinds) / sizeof(kinds[0]))
		return false;
	if (kinds[o->kind].max == 0)
		return o->num == 0;
	return o->num >= 1 && o->num <= kinds[o->kind].max;
}

/* A decimal 1..max without sign, spaces or leading zeros. */
static int parse_index(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	if (s[0] < '1' || s[0] > '9')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int foh_x32_output_parse(const char *id, struct foh_x32_output *o)
{
	unsigned int num;

	if (id == NULL)
		return -EINVAL;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k].id);
		if (kinds[k].max == 0) {
			if (strcmp(id, kinds[k].id) != 0)
				continue;
			*o = (struct foh_x32_output) { (enum foh_x32_kind)k, 0 };
			return 0;
		}
		if (strncmp(id, kinds[k].id, n) != 0 ||
				parse_index(id + n, kinds[k].max, &num) < 0)
			continue;
		*o = (struct foh_x32_output) { (enum foh_x32_kind)k, num };
		return 0;
	}
	if (parse_index(id, kinds[FOH_X32_BUS].max, &num) < 0)
		return -EINVAL;
	*o = (struct foh_x32_output) { FOH_X32_BUS, num };
	return 0;
}

bool foh_x32_output_ridable(const struct foh_x32_output *o)
{
	return output_valid(o) && (o->kind == FOH_X32_BUS ||
			o->kind == FOH_X32_MTX || o->kind == FOH_X32_MAIN_ST);
}

int foh_x32_ridable_parse(const char *id, struct foh_x32_output *o)
{
	struct foh_x32_output out;

	if (strspn(id, "0123456789") == strlen(id) || foh_x32_output_parse(id, &out) < 0 ||
	    !foh_x32_output_ridable(&out))
		return -EINVAL;
	*o = out;
	return 0;
}

static int put(char *buf, size_t size, int n)
{
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	return n;
}

int foh_x32_output_id(const struct foh_x32_output *o, char *buf, size_t size)
{
	const struct kind_info *k;

	if (!output_valid(o))
		return -EINVAL;
	k = &kinds[o->kind];
	if (k->max == 0)
		return put(buf, size, snprintf(buf, size, "%s", k->id));
	return put(buf, size, snprintf(buf, size, "%s%u", k->id, o->num));
}

int foh_x32_output_address(const struct foh_x32_output *o,
		enum foh_x32_param param, char *buf, size_t size)
{
	const struct kind_info *k;

	if (!output_valid(o) || (unsigned int)param > FOH_X32_NAME)
		return -EINVAL;
	k = &kinds[o->kind];
	if (k->max == 0)
		return put(buf, size, snprintf(buf, size, "%s%s", k->addr,
					param_suffix[param]));
	return put(buf, size, snprintf(buf, size, "%s/%02u%s", k->addr, o->num,
				param_suffix[param]));
}

/* "/NN" with NN in 01..max, exactly two digits. */
static const char *parse_two_digits(const char *s, unsigned int max,
		unsigned int *num)
{
	unsigned int v;

	if (s[0] != '/' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return NULL;
	v = (unsigned int)(s[1] - '0') * 10 + (unsigned int)(s[2] - '0');
	if (v < 1 || v > max)
		return NULL;
	*num = v;
	return s + 3;
}

int foh_x32_address_parse(const char *addr, struct foh_x32_output *o,
		enum foh_x32_param *param)
{
	if (addr == NULL)
		return -EINVAL;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k].addr);
		const char *rest = addr + n;
		unsigned int num = 0;

		if (strncmp(addr, kinds[k].addr, n) != 0)
			continue;
		if (kinds[k].max > 0 &&
				(rest = parse_two_digits(rest, kinds[k].max, &num)) == NULL)
			continue;
		for (size_t p = 0; p < sizeof(param_suffix) / sizeof(param_suffix[0]); p++) {
			if (strcmp(rest, param_suffix[p]) != 0)
				continue;
			*o = (struct foh_x32_output) { (enum foh_x32_kind)k, num };
			*param = (enum foh_x32_param)p;
			return 0;
		}
	}
	return -EINVAL;
}

int foh_x32_meters2_level(const float *values, size_t n,
		const struct foh_x32_output *o, float *level)
{
	size_t i;

	if (!output_valid(o))
		return -EINVAL;
	switch (o->kind) {
	case FOH_X32_BUS:
		i = o->num - 1;
		break;
	case FOH_X32_MTX:
		i = 15 + o->num;
		break;
	case FOH_X32_MAIN_ST:
		if (n < 24)
			return -EINVAL;
		*level = values[22] > values[23] ? values[22] : values[23];
		return 0;
	case FOH_X32_MAIN_M:
		i = 24;
		break;
	default:
		return -ENOENT;
	}
	if (i >= n)
		return -EINVAL;
	*level = values[i];
	return 0;
}

/* Meter packets */

static const char *const meter_reasons[] = {
	[FOH_X32_METER_OK] = "ok",
	[FOH_X32_METER_TRUNCATED] = "truncated",
	[FOH_X32_METER_OVERSIZED] = "oversized",
	[FOH_X32_METER_BAD_ADDRESS] = "bad address",
	[FOH_X32_METER_BAD_TYPETAG] = "bad type tag",
	[FOH_X32_METER_BAD_BLOB_SIZE] = "blob size does not match the count",
	[FOH_X32_METER_BIG_ENDIAN_COUNT] = "big-endian count",
	[FOH_X32_METER_WRONG_COUNT] = "wrong count",
	[FOH_X32_METER_NOT_FINITE] = "value not finite",
	[FOH_X32_METER_NEGATIVE] = "negative value",
	[FOH_X32_METER_TOO_LOUD] = "value above +18 dBFS",
	[FOH_X32_METER_UNKNOWN_SET] = "unknown meter set",
};

const char *foh_x32_meter_reason_str(enum foh_x32_meter_reason r)
{
	if ((unsigned int)r >= sizeof(meter_reasons) / sizeof(meter_reasons[0]))
		return "unknown";
	return meter_reasons[r];
}

int foh_x32_meters_count(unsigned int set)
{
	static const int counts[] = { 70, 96, 49, 22, -EINVAL, 27 };

	if (set >= sizeof(counts) / sizeof(counts[0]))
		return -EINVAL;
	return counts[set];
}

static uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		(uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static float rd_lef(const uint8_t *p)
{
	uint32_t u = rd_le32(p);
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static int meter_reject(enum foh_x32_meter_reason r,
		enum foh_x32_meter_reason *why)
{
	if (why)
		*why = r;
	return -EBADMSG;
}

static enum foh_x32_meter_reason check_values(const uint8_t *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		float f = rd_lef(v + 4 * i);
		if (!isfinite(f))
			return FOH_X32_METER_NOT_FINITE;
		if (f < 0.0f)
			return FOH_X32_METER_NEGATIVE;
		if (f > FOH_X32_METER_MAX)
			return FOH_X32_METER_TOO_LOUD;
	}
	return FOH_X32_METER_OK;
}

/* The blob's contents; declared is the blob size the packet announced. */
static int parse_blob(const uint8_t *b, size_t avail, size_t declared,
		uint32_t expect, float *values, size_t n_values,
		enum foh_x32_meter_reason *why)
{
	enum foh_x32_meter_reason r;
	uint32_t count;

	if (avail < 4)
		return meter_reject(FOH_X32_METER_TRUNCATED, why);
	count = rd_le32(b);
	if (count != expect)
		return meter_reject(__builtin_bswap32(count) == expect ?
				FOH_X32_METER_BIG_ENDIAN_COUNT :
				FOH_X32_METER_WRONG_COUNT, why);
	if (declared != 4 + 4 * (size_t)expect)
		return meter_reject(FOH_X32_METER_BAD_BLOB_SIZE, why);
	if (avail < declared)
		return meter_reject(FOH_X32_METER_TRUNCATED, why);
	if (avail > declared)
		return meter_reject(FOH_X32_METER_OVERSIZED, why);
	if ((r = check_values(b + 4, count)) != FOH_X32_METER_OK)
		return meter_reject(r, why);
	if (n_values < count)
		return -ENOSPC;
	for (uint32_t i = 0; i < count; i++)
		values[i] = rd_lef(b + 4 + 4 * i);
	if (why)
		*why = FOH_X32_METER_OK;
	return (int)count;
}

int foh_x32_meters_parse_blob(const void *blob, size_t len, unsigned int set,
		float *values, size_t n_values, enum foh_x32_meter_reason *why)
{
	int expect = foh_x32_meters_count(set);

	if (expect < 0) {
		(void)meter_reject(FOH_X32_METER_UNKNOWN_SET, why);
		return -EINVAL;
	}
	return parse_blob(blob, len, len, (uint32_t)expect, values, n_values, why);
}

int foh_x32_meters_parse(const void *buf, size_t len, unsigned int set,
		float *values, size_t n_values, enum foh_x32_meter_reason *why)
{
	static const uint8_t tag[4] = { ',', 'b', 0, 0 };
	const uint8_t *p = buf;
	char addr[12] = { 0 };
	int expect = foh_x32_meters_count(set);

	if (expect < 0) {
		(void)meter_reject(FOH_X32_METER_UNKNOWN_SET, why);
		return -EINVAL;
	}
	if (len == 0)
		return meter_reject(FOH_X32_METER_TRUNCATED, why);
	snprintf(addr, sizeof(addr), "/meters/%u", set);
	if (memcmp(p, addr, len < 12 ? len : 12) != 0)
		return meter_reject(FOH_X32_METER_BAD_ADDRESS, why);
	if (len < 16)
		return meter_reject(FOH_X32_METER_TRUNCATED, why);
	if (memcmp(p + 12, tag, 4) != 0)
		return meter_reject(FOH_X32_METER_BAD_TYPETAG, why);
	if (len < 20)
		return meter_reject(FOH_X32_METER_TRUNCATED, why);
	return parse_blob(p + 20, len - 20, rd_be32(p + 16), (uint32_t)expect,
			values, n_values, why);
}

/* /node replies */

/* Copies one token starting at *s (quoted or bare) and advances *s. */
static int node_token(const char **s, const char *end, char *out)
{
	const char *p = *s, *stop;
	size_t n;

	if (*p == '"') {
		stop = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (stop == NULL)
			return -EINVAL;
		p++;
		*s = stop + 1;
	} else {
		for (stop = p; stop < end && *stop != ' ' && *stop != '\t' &&
				*stop != '\r'; stop++)
			;
		*s = stop;
	}
	n = (size_t)(stop - p);
	if (n >= FOH_X32_NODE_TOKEN_LEN)
		return -E2BIG;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int foh_x32_node_parse(const char *line, size_t len, struct foh_x32_node *out)
{
	struct foh_x32_node n;
	const char *p = line, *end;
	int res, i = -1;

	if (line == NULL)
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	for (end = line; (size_t)(end - line) < len && *end && *end != '\n'; end++)
		;
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		if (i >= FOH_X32_NODE_MAX_TOKENS)
			return -E2BIG;
		res = node_token(&p, end, i < 0 ? n.path : n.token[i]);
		if (res < 0)
			return res;
		i++;
	}
	if (i < 0 || n.path[0] != '/')
		return -EINVAL;
	n.n_tokens = (unsigned int)i;
	*out = n;
	return 0;
}

int foh_x32_node_level(const char *tok, double *db)
{
	char *end;
	double v;

	if (strcmp(tok, "-oo") == 0) {
		*db = -INFINITY;
		return 0;
	}
	if (tok[0] == '\0')
		return -EINVAL;
	errno = 0;
	v = strtod(tok, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v))
		return -EINVAL;
	*db = v;
	return 0;
}

int foh_x32_node_mix(const struct foh_x32_node *n, bool *on, double *fader_db)
{
	double db;
	bool o;

	if (n->n_tokens < 2)
		return -EINVAL;
	if (strcmp(n->token[0], "ON") == 0)
		o = true;
	else if (strcmp(n->token[0], "OFF") == 0)
		o = false;
	else
		return -EINVAL;
	if (foh_x32_node_level(n->token[1], &db) < 0)
		return -EINVAL;
	*on = o;
	*fader_db = db;
	return 0;
}
