/* X32 protocol: fader law, output ids and addresses, /meters packets, OSC
 * datagram validation, /node replies.
 *
 * Fader law: all 1024 steps, f = i/1023, against the law written out again
 * below (law()), both ways: f -> dB, dB -> step, step -> float -> step; and
 * 20000 dB requests against the nearest step found by brute force.
 * Meters: packets are built byte by byte in the layout of REFERENCE.md and
 * every packet handed to a parser sits in a heap block of exactly its
 * length, so under ASan any read past the end fails the test. Truncated
 * (every shorter length), oversized, wrong-count, NaN/Inf, negative,
 * too-loud and big-endian-count packets must be refused with their reason
 * and leave the output untouched.
 * OSC: a corpus of malformed datagrams, each with its expected reason; every
 * prefix of every valid message refused; bundles nested 8 deep accepted, 9
 * and 1000 deep refused; 200000 random and mutated datagrams, where every
 * one the validator accepts must also be accepted by liblo's own parser. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "test-util.h"
#include "osc/validate.h"
#include "x32/proto.h"

#define FOH_ELEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The law from REFERENCE.md. */
static double law(double f)
{
	if (f <= 0.0)
		return -INFINITY;
	if (f >= 0.5)
		return 40.0 * f - 30.0;
	if (f >= 0.25)
		return 80.0 * f - 50.0;
	if (f >= 0.0625)
		return 160.0 * f - 70.0;
	return 480.0 * f - 90.0;
}

static void test_fader_steps(void)
{
	int bad = 0;

	for (int i = 0; i < 1024; i++) {
		double f = i / 1023.0, db = law(f);
		int n = test_failures;

		CHECK(foh_x32_fader_to_db(f) == db, "step %d: %f dB", i, foh_x32_fader_to_db(f));
		CHECK(foh_x32_step_to_db(i) == db, "step %d to dB", i);
		CHECK(foh_x32_db_to_step(db) == i, "%f dB gave step %d, want %d",
				db, foh_x32_db_to_step(db), i);
		CHECK(foh_x32_step_to_fader(i) == (float)f, "step %d float", i);
		CHECK(foh_x32_fader_to_step((float)f) == i, "float of step %d", i);
		if (i > 0)
			CHECK_NEAR(foh_x32_db_to_fader(db), f, 1e-12, "inverse at step %d", i);
		if (i > 1)
			CHECK(db > law((i - 1) / 1023.0), "law not increasing at %d", i);
		bad += test_failures != n;
	}
	printf("fader law: 1024 steps both ways, %d bad\n", bad);
}

static void test_fader_breakpoints(void)
{
	CHECK_NEAR(foh_x32_db_to_fader(10.0), 1.0, 1e-15, "+10 dB");
	CHECK_NEAR(foh_x32_db_to_fader(0.0), 0.75, 1e-15, "0 dB");
	CHECK_NEAR(foh_x32_db_to_fader(-10.0), 0.5, 1e-15, "-10 dB");
	CHECK_NEAR(foh_x32_db_to_fader(-30.0), 0.25, 1e-15, "-30 dB");
	CHECK_NEAR(foh_x32_db_to_fader(-60.0), 0.0625, 1e-15, "-60 dB");
	CHECK(foh_x32_db_to_fader(-90.0) == 0.0, "-90 dB");
	CHECK(foh_x32_db_to_fader(-INFINITY) == 0.0, "-inf");
	CHECK(foh_x32_db_to_fader(40.0) == 1.0, "+40 dB clamps");
	CHECK(foh_x32_fader_to_db(0.0) == -INFINITY, "f 0");
	CHECK(foh_x32_fader_to_db(-0.5) == -INFINITY, "f < 0");
	CHECK(foh_x32_fader_to_db(1.5) == 10.0, "f > 1 clamps");
	CHECK(isnan(foh_x32_fader_to_db(NAN)), "f NaN");
	CHECK(foh_x32_db_to_step(NAN) == -EINVAL, "NaN request");
	CHECK(foh_x32_db_to_step(-INFINITY) == 0, "-inf request");
	CHECK(foh_x32_db_to_step(-95.0) == 0, "-95 dB request");
	CHECK(foh_x32_db_to_step(-89.9) == 1, "-89.9 dB request: lowest step");
	CHECK(foh_x32_db_to_step(INFINITY) == 1023, "+inf request");
	CHECK(foh_x32_db_to_step(12.0) == 1023, "+12 dB request");
	CHECK(foh_x32_fader_to_step(NAN) == -EINVAL, "NaN float");
	CHECK(foh_x32_fader_to_step(INFINITY) == -EINVAL, "inf float");
	CHECK(foh_x32_fader_to_step(2.0) == 1023, "float 2.0");
	CHECK(foh_x32_fader_to_step(-1.0) == 0, "float -1.0");
	CHECK(foh_x32_meter_to_db(1.0f) == 0.0, "meter 1.0");
	CHECK(foh_x32_meter_to_db(0.0f) == -INFINITY, "meter 0");
	CHECK_NEAR(foh_x32_meter_to_db(0.1f), -20.0, 1e-5, "meter 0.1");
}

/* Quantization of arbitrary requests: the step nearest in dB. */
static void test_fader_quantize(void)
{
	uint64_t rng = 0x5eed1234abcdull;
	double worst = 0.0;

	for (int k = 0; k < 20000; k++) {
		double db = -100.0 + 115.0 * test_rand(&rng);
		int want = 0;
		if (db > -90.0) {
			want = 1;
			for (int i = 2; i < 1024; i++)
				if (fabs(law(i / 1023.0) - db) < fabs(law(want / 1023.0) - db))
					want = i;
		}
		int got = foh_x32_db_to_step(db);
		CHECK(got == want, "%.6f dB: step %d, nearest %d", db, got, want);
		if (db >= law(1.0 / 1023.0) && db < 10.0)
			worst = fmax(worst, fabs(law(got / 1023.0) - db));
	}
	CHECK(worst <= 0.5 * 480.0 / 1023.0 + 1e-12, "worst error %.4f dB", worst);
	printf("quantize: 20000 requests, worst |error| %.4f dB above step 1 (half the widest step %.4f)\n",
			worst, 0.5 * 480.0 / 1023.0);
}

static void test_outputs(void)
{
	static const struct { const char *id, *fader, *on, *name; } known[] = {
		{ "bus1", "/bus/01/mix/fader", "/bus/01/mix/on", "/bus/01/config/name" },
		{ "bus16", "/bus/16/mix/fader", "/bus/16/mix/on", "/bus/16/config/name" },
		{ "mtx1", "/mtx/01/mix/fader", "/mtx/01/mix/on", "/mtx/01/config/name" },
		{ "mtx6", "/mtx/06/mix/fader", "/mtx/06/mix/on", "/mtx/06/config/name" },
		{ "main_st", "/main/st/mix/fader", "/main/st/mix/on", "/main/st/config/name" },
		{ "main_m", "/main/m/mix/fader", "/main/m/mix/on", "/main/m/config/name" },
		{ "ch1", "/ch/01/mix/fader", "/ch/01/mix/on", "/ch/01/config/name" },
		{ "ch32", "/ch/32/mix/fader", "/ch/32/mix/on", "/ch/32/config/name" },
	};
	static const char *const bad_ids[] = { "bus0", "bus17", "bus01", "mtx0", "mtx7",
		"main", "main_st ", "ch0", "ch33", "", "bus", "BUS1", "17", "0", "05",
		"bus1x", "bus-1", "bus+1", "mtx", "ch", "bus99999999999" };
	static const char *const bad_addrs[] = { "/bus/00/mix/fader", "/bus/17/mix/fader",
		"/bus/5/mix/fader", "/bus/05/mix/faders", "/main/st/mix/fader/x",
		"/mtx/07/mix/on", "/ch/33/config/name", "bus/01/mix/fader", "",
		"/main/st/mix/pan", "/bus/05/mix", "/bus/0a/mix/fader" };
	struct foh_x32_output o;
	enum foh_x32_param prm;
	char buf[64];

	for (size_t k = 0; k < FOH_ELEMS(known); k++) {
		const char *addr[] = { known[k].fader, known[k].on, known[k].name };
		CHECK(foh_x32_output_parse(known[k].id, &o) == 0, "parse %s", known[k].id);
		CHECK(foh_x32_output_id(&o, buf, sizeof(buf)) == (int)strlen(known[k].id) &&
				strcmp(buf, known[k].id) == 0, "id of %s: %s", known[k].id, buf);
		for (int p = 0; p < 3; p++) {
			struct foh_x32_output back;
			CHECK(foh_x32_output_address(&o, (enum foh_x32_param)p, buf, sizeof(buf)) > 0 &&
					strcmp(buf, addr[p]) == 0, "%s: %s want %s", known[k].id, buf, addr[p]);
			CHECK(foh_x32_address_parse(addr[p], &back, &prm) == 0 &&
					back.kind == o.kind && back.num == o.num && (int)prm == p,
					"address %s back", addr[p]);
		}
	}
	/* every numbered output round-trips */
	for (int kind = FOH_X32_CH; kind <= FOH_X32_MTX; kind++)
		for (unsigned int n = 1; n <= 32; n++) {
			static const unsigned int max[] = { 32, 16, 6 };
			struct foh_x32_output a = { (enum foh_x32_kind)kind, n }, b;
			int r = foh_x32_output_id(&a, buf, sizeof(buf));
			CHECK((r > 0) == (n <= max[kind]), "kind %d num %u id %d", kind, n, r);
			if (r > 0)
				CHECK(foh_x32_output_parse(buf, &b) == 0 && b.kind == a.kind &&
						b.num == n, "round trip %s", buf);
		}
	for (size_t k = 0; k < FOH_ELEMS(bad_ids); k++) {
		o = (struct foh_x32_output) { FOH_X32_MTX, 3 };
		CHECK(foh_x32_output_parse(bad_ids[k], &o) == -EINVAL &&
				o.kind == FOH_X32_MTX && o.num == 3, "bad id '%s' refused", bad_ids[k]);
	}
	CHECK(foh_x32_output_parse(NULL, &o) == -EINVAL, "NULL id");
	CHECK(foh_x32_output_parse("5", &o) == 0 && o.kind == FOH_X32_BUS && o.num == 5,
			"bare 5 is bus5");
	for (size_t k = 0; k < FOH_ELEMS(bad_addrs); k++)
		CHECK(foh_x32_address_parse(bad_addrs[k], &o, &prm) == -EINVAL,
				"bad address '%s' refused", bad_addrs[k]);
	o = (struct foh_x32_output) { FOH_X32_BUS, 5 };
	CHECK(foh_x32_output_address(&o, FOH_X32_FADER, buf, 17) == -ENOSPC, "no space");
	CHECK(foh_x32_output_address(&o, FOH_X32_FADER, buf, 18) == 17, "exact space");
	CHECK(foh_x32_output_ridable(&o), "bus ridable");
	o = (struct foh_x32_output) { FOH_X32_CH, 5 };
	CHECK(!foh_x32_output_ridable(&o), "channel not ridable");
	o = (struct foh_x32_output) { FOH_X32_BUS, 0 };
	CHECK(foh_x32_output_id(&o, buf, sizeof(buf)) == -EINVAL, "bus0 invalid");
}

/* Packet building, byte by byte. */
struct pkt {
	uint8_t b[32768];
	size_t len;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put_be32(struct pkt *p, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(p, b, 4);
}

static void put_le32(struct pkt *p, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(p, b, 4);
}

static uint32_t fbits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

/* A /meters/2 packet: count values v, blob size and count as given. */
static void meters_pkt(struct pkt *p, const float *v, uint32_t count,
		uint32_t blob_size, bool be_count)
{
	p->len = 0;
	put(p, "/meters/2\0\0\0", 12);
	put(p, ",b\0\0", 4);
	put_be32(p, blob_size);
	if (be_count)
		put_be32(p, count);
	else
		put_le32(p, count);
	for (uint32_t i = 0; i < count; i++)
		put_le32(p, fbits(v[i]));
}

/* Parses a copy of exactly len bytes so ASan sees any over-read. */
static int parse_exact(const uint8_t *data, size_t len, float *out, size_t n,
		enum foh_x32_meter_reason *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, data, len);
	r = foh_x32_meters_parse(copy, len, 2, out, n, why);
	free(copy);
	return r;
}

static void expect_meter_refused(const struct pkt *p, size_t len,
		enum foh_x32_meter_reason want, const char *what)
{
	enum foh_x32_meter_reason why = FOH_X32_METER_OK;
	float out[64];
	int r;

	for (int i = 0; i < 64; i++)
		out[i] = -7.0f;
	r = parse_exact(p->b, len, out, 64, &why);
	CHECK(r == -EBADMSG && why == want, "%s: got %d '%s', want '%s'", what, r,
			foh_x32_meter_reason_str(why), foh_x32_meter_reason_str(want));
	for (int i = 0; i < 64; i++)
		if (out[i] != -7.0f) {
			CHECK(false, "%s: output written on failure", what);
			break;
		}
}

static void test_meters_valid(void)
{
	float v[FOH_X32_METERS2_COUNT], out[FOH_X32_METERS2_COUNT], lvl;
	enum foh_x32_meter_reason why;
	struct foh_x32_output o;
	struct pkt p;
	uint64_t rng = 42;

	for (int i = 0; i < FOH_X32_METERS2_COUNT; i++)
		v[i] = (float)(8.0 * test_rand(&rng));
	v[0] = 0.0f;
	v[1] = 8.0f;
	v[2] = 1.0f;
	v[3] = 1e-30f;
	v[22] = 0.25f;
	v[23] = 0.5f;
	meters_pkt(&p, v, 49, 4 + 4 * 49, false);
	CHECK(p.len == 12 + 4 + 4 + 4 + 4 * 49, "packet length %zu", p.len);
	CHECK(parse_exact(p.b, p.len, out, 49, &why) == 49 && why == FOH_X32_METER_OK,
			"valid packet: %s", foh_x32_meter_reason_str(why));
	CHECK(memcmp(out, v, sizeof(v)) == 0, "values read back bit-exact");
	CHECK(foh_x32_meters_parse(p.b, p.len, 2, out, 48, &why) == -ENOSPC, "no room");
	CHECK(foh_x32_meters_parse(p.b, p.len, 4, out, 49, &why) == -EINVAL, "set 4 unknown");
	CHECK(foh_x32_meters_parse_blob(p.b + 20, p.len - 20, 2, out, 49, &why) == 49,
			"blob contents alone");

	foh_x32_output_parse("bus5", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == 0 && lvl == v[4], "bus5 is index 4");
	foh_x32_output_parse("bus16", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == 0 && lvl == v[15], "bus16 is index 15");
	foh_x32_output_parse("mtx1", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == 0 && lvl == v[16], "mtx1 is index 16");
	foh_x32_output_parse("mtx6", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == 0 && lvl == v[21], "mtx6 is index 21");
	foh_x32_output_parse("main_st", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == 0 && lvl == 0.5f, "main st louder of 22/23");
	foh_x32_output_parse("ch3", &o);
	CHECK(foh_x32_meters2_level(out, 49, &o, &lvl) == -ENOENT, "no channel meter in set 2");
}

static void test_meters_refused(void)
{
	float v[64];
	struct pkt p, q;
	char what[64];

	for (int i = 0; i < 64; i++)
		v[i] = 0.5f;
	meters_pkt(&p, v, 49, 4 + 4 * 49, false);
	for (size_t len = 0; len < p.len; len++) {
		snprintf(what, sizeof(what), "truncated to %zu", len);
		expect_meter_refused(&p, len, FOH_X32_METER_TRUNCATED, what);
	}
	q = p;
	put_le32(&q, 0);
	expect_meter_refused(&q, q.len, FOH_X32_METER_OVERSIZED, "4 bytes extra");
	expect_meter_refused(&q, p.len + 1, FOH_X32_METER_OVERSIZED, "1 byte extra");
	meters_pkt(&q, v, 48, 4 + 4 * 48, false);
	expect_meter_refused(&q, q.len, FOH_X32_METER_WRONG_COUNT, "48 values");
	meters_pkt(&q, v, 50, 4 + 4 * 50, false);
	expect_meter_refused(&q, q.len, FOH_X32_METER_WRONG_COUNT, "50 values");
	meters_pkt(&q, v, 49, 4 + 4 * 50, false);
	expect_meter_refused(&q, q.len, FOH_X32_METER_BAD_BLOB_SIZE, "blob size says 50");
	meters_pkt(&q, v, 49, 0xffffffffu, false);
	expect_meter_refused(&q, q.len, FOH_X32_METER_BAD_BLOB_SIZE, "blob size -1");
	meters_pkt(&q, v, 49, 4 + 4 * 49, true);
	expect_meter_refused(&q, q.len, FOH_X32_METER_BIG_ENDIAN_COUNT, "big-endian count");
	q = p;
	q.b[7] = '1';
	expect_meter_refused(&q, q.len, FOH_X32_METER_BAD_ADDRESS, "/meters/1");
	q = p;
	q.b[10] = 'x';
	expect_meter_refused(&q, q.len, FOH_X32_METER_BAD_ADDRESS, "address padding");
	q = p;
	q.b[13] = 'i';
	expect_meter_refused(&q, q.len, FOH_X32_METER_BAD_TYPETAG, ",i");

	static const struct { float f; enum foh_x32_meter_reason r; const char *what; } vals[] = {
		{ NAN, FOH_X32_METER_NOT_FINITE, "NaN" },
		{ INFINITY, FOH_X32_METER_NOT_FINITE, "+Inf" },
		{ -INFINITY, FOH_X32_METER_NOT_FINITE, "-Inf" },
		{ -0.5f, FOH_X32_METER_NEGATIVE, "negative" },
		{ -1e-30f, FOH_X32_METER_NEGATIVE, "tiny negative" },
		{ 8.001f, FOH_X32_METER_TOO_LOUD, "above 8.0" },
	};
	for (size_t k = 0; k < FOH_ELEMS(vals); k++)
		for (int at = 0; at < 49; at += 16) {
			float w[49];
			memcpy(w, v, sizeof(w));
			w[at] = vals[k].f;
			meters_pkt(&q, w, 49, 4 + 4 * 49, false);
			snprintf(what, sizeof(what), "%s at %d", vals[k].what, at);
			expect_meter_refused(&q, q.len, vals[k].r, what);
		}
}

/* OSC */

static void put_str(struct pkt *p, const char *s)
{
	size_t n = strlen(s) + 1;
	put(p, s, n);
	while (p->len % 4)
		p->b[p->len++] = 0;
}

static void put_blob(struct pkt *p, const void *d, uint32_t n)
{
	put_be32(p, n);
	put(p, d, n);
	while (p->len % 4)
		p->b[p->len++] = 0;
}

static int validate_exact(const uint8_t *data, size_t len, struct foh_osc_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, data, len);
	r = foh_osc_validate(copy, len, err);
	free(copy);
	return r;
}

static void expect_osc(const struct pkt *p, enum foh_osc_reason want, const char *what)
{
	struct foh_osc_error err = { FOH_OSC_OK, 0 };
	int r = validate_exact(p->b, p->len, &err);

	CHECK((want == FOH_OSC_OK ? r == 0 : r == -EBADMSG) && err.reason == want,
			"%s: got %d '%s' at %zu, want '%s'", what, r,
			foh_osc_reason_str(err.reason), err.offset, foh_osc_reason_str(want));
}

/* A message with every type the validator knows; liblo 0.31 knows all
 * but 'r'. */
static void all_types_msg(struct pkt *p, bool rgba)
{
	p->len = 0;
	put_str(p, "/all");
	put_str(p, rgba ? ",ifsbhtdScrmTFNI" : ",ifsbhtdScmTFNI");
	put_be32(p, 1);
	put_be32(p, fbits(0.5f));
	put_str(p, "abc");
	put_blob(p, "xyz", 3);
	put_be32(p, 0); put_be32(p, 7);
	put_be32(p, 1); put_be32(p, 2);
	put_be32(p, 0x3ff00000); put_be32(p, 0);
	put_str(p, "sym");
	put_be32(p, 'c');
	if (rgba)
		put_be32(p, 0xff0000ff);
	put_be32(p, 0x00903c40);
}

/* n bundles nested around one /x ,i message. */
static void nested_bundles(struct pkt *p, int n)
{
	struct pkt inner;

	inner.len = 0;
	put_str(&inner, "/x");
	put_str(&inner, ",i");
	put_be32(&inner, 5);
	for (int d = 0; d < n; d++) {
		struct pkt outer;
		outer.len = 0;
		put(&outer, "#bundle\0", 8);
		put_be32(&outer, 0);
		put_be32(&outer, 1);
		put_be32(&outer, (uint32_t)inner.len);
		put(&outer, inner.b, inner.len);
		inner = outer;
	}
	*p = inner;
}

static void test_osc_valid(void)
{
	struct pkt p, m;

	p.len = 0;
	put_str(&p, "/xinfo");
	put_str(&p, ",");
	expect_osc(&p, FOH_OSC_OK, "/xinfo ,");
	p.len = 0;
	put_str(&p, "/ch/01/mix/fader");
	put_str(&p, ",f");
	put_be32(&p, fbits(0.75f));
	expect_osc(&p, FOH_OSC_OK, "fader set");
	p.len = 0;
	put_str(&p, "node");
	put_str(&p, ",s");
	put_str(&p, "/mtx/01/mix OFF -oo\n");
	expect_osc(&p, FOH_OSC_OK, "node reply");
	p.len = 0;
	put_str(&p, "/b");
	put_str(&p, ",b");
	put_blob(&p, "", 0);
	expect_osc(&p, FOH_OSC_OK, "empty blob");
	all_types_msg(&p, true);
	expect_osc(&p, FOH_OSC_OK, "all types");
	all_types_msg(&p, false);
	expect_osc(&p, FOH_OSC_OK, "all types but r");
	all_types_msg(&m, true);
	p.len = 0;
	put(&p, "#bundle\0", 8);
	put_be32(&p, 0);
	put_be32(&p, 1);
	for (int i = 0; i < 2; i++) {
		put_be32(&p, (uint32_t)m.len);
		put(&p, m.b, m.len);
	}
	expect_osc(&p, FOH_OSC_OK, "bundle of two");
	p.len = 0;
	put(&p, "#bundle\0\0\0\0\0\0\0\0\1", 16);
	expect_osc(&p, FOH_OSC_OK, "empty bundle");
	nested_bundles(&p, 8);
	expect_osc(&p, FOH_OSC_OK, "8 nested bundles");
	nested_bundles(&p, 9);
	expect_osc(&p, FOH_OSC_TOO_DEEP, "9 nested bundles");
	nested_bundles(&p, 1000);
	expect_osc(&p, FOH_OSC_TOO_DEEP, "1000 nested bundles");
}

struct bad {
	const char *what;
	const char *bytes;
	size_t len;
	enum foh_osc_reason reason;
};

#define BAD(w, s, r) { w, s, sizeof(s) - 1, r }

static const struct bad corpus[] = {
	BAD("empty", "", FOH_OSC_EMPTY),
	BAD("3 bytes", "/a\0", FOH_OSC_MISALIGNED),
	BAD("5 bytes", "/abc\0", FOH_OSC_MISALIGNED),
	BAD("unterminated address", "/abc", FOH_OSC_BAD_ADDRESS),
	BAD("empty address", "\0\0\0\0,\0\0\0", FOH_OSC_BAD_ADDRESS),
	BAD("control char", "/a\nb\0\0\0\0,\0\0\0", FOH_OSC_BAD_ADDRESS),
	BAD("high byte", "/a\xff\0,\0\0\0", FOH_OSC_BAD_ADDRESS),
	BAD("address padding", "/a\0X,\0\0\0", FOH_OSC_BAD_PADDING),
	BAD("no type tag", "/ab\0", FOH_OSC_NO_TYPETAG),
	BAD("no comma", "/ab\0f\0\0\0", FOH_OSC_BAD_TYPETAG),
	BAD("unterminated tags", "/ab\0,fff", FOH_OSC_BAD_TYPETAG),
	BAD("tag padding", "/ab\0,\0x\0", FOH_OSC_BAD_PADDING),
	BAD("unknown type", "/ab\0,x\0\0", FOH_OSC_UNKNOWN_TYPE),
	BAD("array", "/ab\0,[]\0", FOH_OSC_UNKNOWN_TYPE),
	BAD("missing int", "/ab\0,i\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("missing second float", "/ab\0,ff\0\0\0\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("short double", "/ab\0,d\0\0\0\0\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("short timetag", "/ab\0,t\0\0\0\0\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("missing string", "/ab\0,s\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("unterminated string", "/ab\0,s\0\0abcd", FOH_OSC_BAD_STRING),
	BAD("string padding", "/ab\0,s\0\0ab\0X", FOH_OSC_BAD_PADDING),
	BAD("missing blob size", "/ab\0,b\0\0", FOH_OSC_ARG_TRUNCATED),
	BAD("huge blob", "/ab\0,b\0\0\x7f\xff\xff\xff\0\0\0\0", FOH_OSC_BAD_BLOB),
	BAD("negative blob", "/ab\0,b\0\0\xff\xff\xff\xfc\0\0\0\0", FOH_OSC_BAD_BLOB),
	BAD("blob past end", "/ab\0,b\0\0\0\0\0\x08\0\0\0\0", FOH_OSC_BAD_BLOB),
	BAD("blob pad past end", "/ab\0,b\0\0\0\0\0\x05\0\0\0\0", FOH_OSC_BAD_BLOB),
	BAD("blob padding", "/ab\0,b\0\0\0\0\0\x01\0X\0\0", FOH_OSC_BAD_PADDING),
	BAD("trailing", "/ab\0,i\0\0\0\0\0\1\0\0\0\2", FOH_OSC_TRAILING),
	BAD("bundle header only", "#bundle\0", FOH_OSC_BAD_BUNDLE),
	BAD("bundle short timetag", "#bundle\0\0\0\0\0", FOH_OSC_BAD_BUNDLE),
	BAD("element size 0", "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\0", FOH_OSC_BAD_ELEMENT),
	BAD("element size 3", "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\3/a\0\0", FOH_OSC_BAD_ELEMENT),
	BAD("element past end", "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\x10/a\0\0,\0\0\0",
			FOH_OSC_BAD_ELEMENT),
	BAD("element huge", "#bundle\0\0\0\0\0\0\0\0\1\xff\xff\xff\xf0/a\0\0,\0\0\0",
			FOH_OSC_BAD_ELEMENT),
	BAD("bad element inside", "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\x08/a\0\0,x\0\0",
			FOH_OSC_UNKNOWN_TYPE),
	BAD("empty element message", "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\x04\0\0\0\0",
			FOH_OSC_BAD_ADDRESS),
};

static void test_osc_corpus(void)
{
	struct pkt p;

	for (size_t k = 0; k < FOH_ELEMS(corpus); k++) {
		p.len = 0;
		put(&p, corpus[k].bytes, corpus[k].len);
		expect_osc(&p, corpus[k].reason, corpus[k].what);
	}
	printf("osc corpus: %zu malformed datagrams\n", FOH_ELEMS(corpus));
}

/* Every proper prefix of a valid message is refused (a prefix of a bundle
 * can be a valid shorter bundle, so those only have to stay in bounds). */
static void test_osc_prefixes(void)
{
	struct pkt p;
	int n = 0;

	all_types_msg(&p, true);
	for (size_t len = 0; len < p.len; len++, n++)
		CHECK(validate_exact(p.b, len, NULL) == -EBADMSG, "prefix %zu accepted", len);
	nested_bundles(&p, 8);
	for (size_t len = 0; len < p.len; len++, n++)
		(void)validate_exact(p.b, len, NULL);
	printf("osc prefixes: %d checked\n", n);
}

/* Whatever the validator accepts, liblo must parse; nothing reads out of
 * bounds (ASan) or hangs. liblo 0.31 has no 'r' (RGBA, OSC 1.0) type and
 * refuses it: such messages are counted apart. */
struct fuzz_count {
	int accepted, lo_ok, rgba;
};

static bool has_rgba(const uint8_t *p, size_t len)
{
	size_t i = strlen((const char *)p) + 1;

	i = (i + 3) & ~(size_t)3;
	return i < len && memchr(p + i, 'r', strnlen((const char *)p + i, len - i)) != NULL;
}

static void fuzz_one(const uint8_t *data, size_t len, struct fuzz_count *c)
{
	uint8_t *copy = malloc(len ? len : 1);
	int res = 0;

	memcpy(copy, data, len);
	if (foh_osc_validate(copy, len, NULL) == 0) {
		c->accepted++;
		if (len >= 8 && memcmp(copy, "#bundle", 8) == 0) {
			c->lo_ok++;
		} else if (has_rgba(copy, len)) {
			c->rgba++;
		} else {
			lo_message m = lo_message_deserialise(copy, len, &res);
			CHECK(m != NULL, "accepted datagram of %zu bytes refused by liblo (%d)",
					len, res);
			if (m) {
				c->lo_ok++;
				lo_message_free(m);
			}
		}
	}
	free(copy);
}

static void test_osc_fuzz(void)
{
	static const char *const heads[] = { "", "/", "/a\0\0,", "#bundle\0" };
	static const size_t head_len[] = { 0, 1, 5, 8 };
	uint64_t rng = 0xfeedfaceull;
	struct fuzz_count c = { 0, 0, 0 };
	struct pkt seed, p;

	all_types_msg(&seed, false);
	for (int k = 0; k < 100000; k++) {
		size_t len = (size_t)(test_rand(&rng) * 96.0);
		if (k % 2 == 0)
			len &= ~(size_t)3;
		p.len = 0;
		put(&p, heads[k % 4], head_len[k % 4]);
		while (p.len < len + head_len[k % 4])
			p.b[p.len++] = (uint8_t)(test_rand(&rng) * 256.0);
		fuzz_one(p.b, p.len, &c);
	}
	for (int k = 0; k < 100000; k++) {
		p = seed;
		for (int f = 0; f < 1 + k % 3; f++)
			p.b[(size_t)(test_rand(&rng) * (double)p.len)] = (uint8_t)(test_rand(&rng) * 256.0);
		if (k % 5 == 0)
			p.len = (size_t)(test_rand(&rng) * (double)p.len);
		fuzz_one(p.b, p.len, &c);
	}
	CHECK(c.accepted == c.lo_ok + c.rgba, "liblo refused %d datagrams we accepted",
			c.accepted - c.lo_ok - c.rgba);
	CHECK(c.lo_ok > 1000, "too few accepted datagrams (%d) for the cross-check", c.lo_ok);
	printf("osc fuzz: 200000 datagrams, %d accepted: %d parsed by liblo, %d with 'r'\n",
			c.accepted, c.lo_ok, c.rgba);
}

static void test_node(void)
{
	struct foh_x32_node n;
	bool on = true;
	double db = 0.0;
	char big[256];

	CHECK(foh_x32_node_parse("/mtx/01/mix OFF -oo\n", 64, &n) == 0, "mtx node");
	CHECK(strcmp(n.path, "/mtx/01/mix") == 0 && n.n_tokens == 2, "path %s, %u tokens",
			n.path, n.n_tokens);
	CHECK(foh_x32_node_mix(&n, &on, &db) == 0 && !on && db == -INFINITY, "OFF -oo");
	CHECK(foh_x32_node_parse("/ch/01/mix ON -6.5 ON +0 OFF -oo", 100, &n) == 0 &&
			n.n_tokens == 6, "channel mix node");
	CHECK(foh_x32_node_mix(&n, &on, &db) == 0 && on && db == -6.5, "ON -6.5");
	CHECK(foh_x32_node_parse("/bus/05/config \"Stream L/R\" 1 WH\r\n", 100, &n) == 0 &&
			n.n_tokens == 3 && strcmp(n.token[0], "Stream L/R") == 0, "quoted name");
	CHECK(foh_x32_node_parse("/main/st/mix ON +10.0", 12, &n) == 0 &&
			strcmp(n.path, "/main/st/mix") == 0 && n.n_tokens == 0, "length bound");
	CHECK(foh_x32_node_parse("", 10, &n) == -EINVAL, "empty");
	CHECK(foh_x32_node_parse("mtx/01/mix ON", 20, &n) == -EINVAL, "no slash");
	CHECK(foh_x32_node_parse("/a \"open", 20, &n) == -EINVAL, "open quote");
	CHECK(foh_x32_node_parse("/a \"", 20, &n) == -EINVAL, "lone quote");
	CHECK(foh_x32_node_parse("/a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", 100, &n) == -E2BIG,
			"17 tokens");
	CHECK(foh_x32_node_parse("/a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 100, &n) == 0,
			"16 tokens");
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	CHECK(foh_x32_node_parse(big, sizeof(big), &n) == -E2BIG, "long path, no NUL");
	CHECK(foh_x32_node_level("+3.5", &db) == 0 && db == 3.5, "+3.5");
	CHECK(foh_x32_node_level("-oo", &db) == 0 && db == -INFINITY, "-oo");
	CHECK(foh_x32_node_level("3.5dB", &db) == -EINVAL, "3.5dB");
	CHECK(foh_x32_node_level("inf", &db) == -EINVAL, "inf");
	CHECK(foh_x32_node_level("", &db) == -EINVAL, "empty level");
	foh_x32_node_parse("/a MAYBE -3", 20, &n);
	CHECK(foh_x32_node_mix(&n, &on, &db) == -EINVAL, "MAYBE");
}

int main(void)
{
	test_fader_steps();
	test_fader_breakpoints();
	test_fader_quantize();
	test_outputs();
	test_meters_valid();
	test_meters_refused();
	test_osc_valid();
	test_osc_corpus();
	test_osc_prefixes();
	test_osc_fuzz();
	test_node();
	return test_summary("test-x32-proto");
}
