/* OSC datagram validation, before any parser sees the bytes: size a
 * multiple of 4, every string terminated and padded with NULs, type tags
 * from the OSC 1.0 set plus the common extensions, argument and blob bounds,
 * bundle element sizes, bundles nested at most FOH_OSC_MAX_DEPTH deep.
 * liblo 0.31 over-reads on some malformed packets, so fohd's X32 client and
 * foh-osc run every datagram from the network through this first. Pure C. */
#pragma once

#include <stddef.h>

#define FOH_OSC_MAX_DEPTH	8	/* bundles nested deeper are refused */

enum foh_osc_reason {
	FOH_OSC_OK,
	FOH_OSC_EMPTY,			/* zero bytes */
	FOH_OSC_MISALIGNED,		/* size not a multiple of 4 */
	FOH_OSC_BAD_ADDRESS,		/* empty, not printable, or unterminated */
	FOH_OSC_BAD_PADDING,		/* non-NUL bytes in string padding */
	FOH_OSC_NO_TYPETAG,		/* nothing after the address */
	FOH_OSC_BAD_TYPETAG,		/* no ',' or unterminated */
	FOH_OSC_UNKNOWN_TYPE,		/* a type outside ifsbhtdScrmTFNI */
	FOH_OSC_ARG_TRUNCATED,		/* an argument runs past the end */
	FOH_OSC_BAD_STRING,		/* a string argument is unterminated */
	FOH_OSC_BAD_BLOB,		/* negative or oversized blob length */
	FOH_OSC_TRAILING,		/* bytes after the last argument */
	FOH_OSC_BAD_BUNDLE,		/* bundle header truncated */
	FOH_OSC_BAD_ELEMENT,		/* element size 0, unaligned or past the end */
	FOH_OSC_TOO_DEEP,		/* bundles nested deeper than 8 */
};

struct foh_osc_error {
	enum foh_osc_reason reason;
	size_t offset;			/* byte where the problem was found */
};

const char *foh_osc_reason_str(enum foh_osc_reason r);
/* 0 when buf[0..len) is one well-formed OSC message or bundle, else
 * -EBADMSG with *err filled (err may be NULL). */
int foh_osc_validate(const void *buf, size_t len, struct foh_osc_error *err);

