/* OSC datagram validation; see validate.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "osc/validate.h"

/* OSC sizes and ints are big-endian. */
static uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *const osc_reasons[] = {
	[FOH_OSC_OK] = "ok",
	[FOH_OSC_EMPTY] = "empty datagram",
	[FOH_OSC_MISALIGNED] = "size not a multiple of 4",
	[FOH_OSC_BAD_ADDRESS] = "bad address",
	[FOH_OSC_BAD_PADDING] = "non-zero padding",
	[FOH_OSC_NO_TYPETAG] = "no type tag",
	[FOH_OSC_BAD_TYPETAG] = "bad type tag string",
	[FOH_OSC_UNKNOWN_TYPE] = "unknown argument type",
	[FOH_OSC_ARG_TRUNCATED] = "argument past the end",
	[FOH_OSC_BAD_STRING] = "unterminated string argument",
	[FOH_OSC_BAD_BLOB] = "bad blob length",
	[FOH_OSC_TRAILING] = "bytes after the last argument",
	[FOH_OSC_BAD_BUNDLE] = "truncated bundle header",
	[FOH_OSC_BAD_ELEMENT] = "bad bundle element size",
	[FOH_OSC_TOO_DEEP] = "bundles nested too deep",
};

const char *foh_osc_reason_str(enum foh_osc_reason r)
{
	if ((unsigned int)r >= sizeof(osc_reasons) / sizeof(osc_reasons[0]))
		return "unknown";
	return osc_reasons[r];
}

static int osc_reject(struct foh_osc_error *err, enum foh_osc_reason r,
		size_t offset)
{
	if (err) {
		err->reason = r;
		err->offset = offset;
	}
	return -EBADMSG;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* A NUL-padded string at p[pos]: *next is the byte after its padding.
 * Returns FOH_OSC_OK, FOH_OSC_BAD_STRING (unterminated) or
 * FOH_OSC_BAD_PADDING. */
static enum foh_osc_reason osc_string(const uint8_t *p, size_t len, size_t pos,
		size_t *next)
{
	const uint8_t *nul = pos < len ? memchr(p + pos, 0, len - pos) : NULL;
	size_t end;

	if (nul == NULL)
		return FOH_OSC_BAD_STRING;
	end = pad4((size_t)(nul - p) + 1);
	if (end > len)
		return FOH_OSC_BAD_STRING;
	for (size_t i = (size_t)(nul - p); i < end; i++)
		if (p[i] != 0)
			return FOH_OSC_BAD_PADDING;
	*next = end;
	return FOH_OSC_OK;
}

/* One argument of type t at p[*pos]; advances *pos. */
static enum foh_osc_reason osc_arg(char t, const uint8_t *p, size_t len,
		size_t *pos)
{
	size_t need, size;

	switch (t) {
	case 'i': case 'f': case 'c': case 'r': case 'm':
		need = 4;
		break;
	case 'h': case 't': case 'd':
		need = 8;
		break;
	case 'T': case 'F': case 'N': case 'I':
		return FOH_OSC_OK;
	case 's': case 'S':
		return *pos >= len ? FOH_OSC_ARG_TRUNCATED : osc_string(p, len, *pos, pos);
	case 'b':
		if (len - *pos < 4)
			return FOH_OSC_ARG_TRUNCATED;
		size = rd_be32(p + *pos);
		if (size > INT32_MAX || pad4(size) > len - *pos - 4)
			return FOH_OSC_BAD_BLOB;
		for (size_t i = *pos + 4 + size; i < *pos + 4 + pad4(size); i++)
			if (p[i] != 0)
				return FOH_OSC_BAD_PADDING;
		*pos += 4 + pad4(size);
		return FOH_OSC_OK;
	default:
		return FOH_OSC_UNKNOWN_TYPE;
	}
	if (len - *pos < need)
		return FOH_OSC_ARG_TRUNCATED;
	*pos += need;
	return FOH_OSC_OK;
}

static int osc_message(const uint8_t *p, size_t len, size_t base,
		struct foh_osc_error *err)
{
	enum foh_osc_reason r;
	size_t pos, types, i;

	for (i = 0; i < len && p[i] != 0; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return osc_reject(err, FOH_OSC_BAD_ADDRESS, base + i);
	if (i == 0 || (r = osc_string(p, len, 0, &pos)) == FOH_OSC_BAD_STRING)
		return osc_reject(err, FOH_OSC_BAD_ADDRESS, base);
	if (r != FOH_OSC_OK)
		return osc_reject(err, r, base + i);
	if (pos == len)
		return osc_reject(err, FOH_OSC_NO_TYPETAG, base + pos);
	types = pos;
	if (p[types] != ',' || (r = osc_string(p, len, types, &pos)) == FOH_OSC_BAD_STRING)
		return osc_reject(err, FOH_OSC_BAD_TYPETAG, base + types);
	if (r != FOH_OSC_OK)
		return osc_reject(err, r, base + types);
	for (i = types + 1; p[i] != 0; i++) {
		size_t at = pos;
		if ((r = osc_arg((char)p[i], p, len, &pos)) != FOH_OSC_OK)
			return osc_reject(err, r, base + (r == FOH_OSC_UNKNOWN_TYPE ? i : at));
	}
	if (pos != len)
		return osc_reject(err, FOH_OSC_TRAILING, base + pos);
	return 0;
}

static int osc_packet(const uint8_t *p, size_t len, size_t base,
		unsigned int depth, struct foh_osc_error *err);

static int osc_bundle(const uint8_t *p, size_t len, size_t base,
		unsigned int depth, struct foh_osc_error *err)
{
	size_t pos = 16;
	int res;

	if (depth >= FOH_OSC_MAX_DEPTH)
		return osc_reject(err, FOH_OSC_TOO_DEEP, base);
	if (len < 16)
		return osc_reject(err, FOH_OSC_BAD_BUNDLE, base + len);
	while (pos < len) {
		/* len and pos are multiples of 4, so the size word is inside */
		size_t size = rd_be32(p + pos);
		if (size == 0 || size % 4 != 0 || size > len - pos - 4)
			return osc_reject(err, FOH_OSC_BAD_ELEMENT, base + pos);
		res = osc_packet(p + pos + 4, size, base + pos + 4, depth + 1, err);
		if (res < 0)
			return res;
		pos += 4 + size;
	}
	return 0;
}

static int osc_packet(const uint8_t *p, size_t len, size_t base,
		unsigned int depth, struct foh_osc_error *err)
{
	if (len == 0)
		return osc_reject(err, FOH_OSC_EMPTY, base);
	if (len % 4 != 0)
		return osc_reject(err, FOH_OSC_MISALIGNED, base + len);
	if (len >= 8 && memcmp(p, "#bundle", 8) == 0)
		return osc_bundle(p, len, base, depth, err);
	return osc_message(p, len, base, err);
}

int foh_osc_validate(const void *buf, size_t len, struct foh_osc_error *err)
{
	int res;

	if (buf == NULL && len > 0)
		return osc_reject(err, FOH_OSC_EMPTY, 0);
	res = osc_packet(buf, len, 0, 0, err);
	if (res == 0 && err)
		*err = (struct foh_osc_error) { FOH_OSC_OK, 0 };
	return res;
}

