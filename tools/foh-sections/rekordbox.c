/* Rekordbox XML reader of foh-sections. libxml2's streaming reader, because
 * collections run to hundreds of MB and only TRACK attributes are needed;
 * no network, no entity expansion. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <libxml/xmlreader.h>

#include "foh-sections/rekordbox.h"

struct sect_rekordbox {
	GHashTable *tracks;	/* file name -> struct sect_rb_track */
};

struct parse_error {
	char *message;
};

static void free_track(gpointer p)
{
	struct sect_rb_track *t = p;

	g_free(t->tonality);
	g_free(t);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *sect_location_to_path(const char *location)
{
	const char *p;
	GString *out;

	if (g_ascii_strncasecmp(location, "file://", 7) != 0)
		return NULL;
	/* skip the authority ("localhost" in Rekordbox exports) */
	if ((p = strchr(location + 7, '/')) == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (; *p; p++) {
		int hi, lo;

		if (*p != '%') {
			g_string_append_c(out, *p);
			continue;
		}
		if ((hi = hex(p[1])) < 0 || (lo = hex(p[2])) < 0 || (hi == 0 && lo == 0)) {
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append_c(out, (char)(hi * 16 + lo));
		p += 2;
	}
	return g_string_free(out, FALSE);
}

const char *sect_file_name(const char *path)
{
	const char *sep = strrchr(path, '/'), *back = strrchr(path, '\\');
	const char *name;

	if (back != NULL && (sep == NULL || back > sep))
		sep = back;
	name = sep ? sep + 1 : path;

	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return NULL;
	return name;
}

static void on_error(void *arg, xmlErrorPtr err)
{
	struct parse_error *e = arg;

	if (e->message != NULL || err->level < XML_ERR_ERROR)
		return;
	e->message = g_strdup_printf("line %d: %s", err->line, err->message ? err->message : "error");
	g_strchomp(e->message);
}

static char *attribute(xmlTextReaderPtr r, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	char *s = v ? g_strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static double parse_bpm(const char *s, bool *bad)
{
	char *end;
	double v;

	if (s == NULL || s[0] == '\0')
		return NAN;
	v = g_ascii_strtod(s, &end);
	if (*end != '\0' || !isfinite(v) || v <= 0) {
		*bad = true;
		return NAN;
	}
	return v;
}

/* One TRACK element of the COLLECTION (playlist TRACKs carry only a Key). */
static void add_track(struct sect_rekordbox *rb, xmlTextReaderPtr r, size_t *n_bad)
{
	g_autofree char *location = attribute(r, "Location");
	g_autofree char *bpm = NULL, *path = NULL;
	struct sect_rb_track *t;
	const char *name;
	bool bad = false;

	if (location == NULL || (path = sect_location_to_path(location)) == NULL ||
	    (name = sect_file_name(path)) == NULL)
		return;
	bpm = attribute(r, "AverageBpm");
	t = g_new0(struct sect_rb_track, 1);
	t->bpm = parse_bpm(bpm, &bad);
	t->tonality = attribute(r, "Tonality");
	if (t->tonality != NULL && t->tonality[0] == '\0')
		g_clear_pointer(&t->tonality, g_free);
	if (bad)
		(*n_bad)++;
	g_hash_table_replace(rb->tracks, g_strdup(name), t);
}

static int check_size(const char *file, char **error)
{
	struct stat st;

	if (stat(file, &st) < 0) {
		int r = -errno;

		*error = g_strdup_printf("%s: %s", file, strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		*error = g_strdup_printf("%s: not a regular file", file);
		return -EINVAL;
	}
	if (st.st_size > SECT_REKORDBOX_MAX_BYTES) {
		*error = g_strdup_printf("%s: %lld bytes, more than the %lld allowed",
				file, (long long)st.st_size, SECT_REKORDBOX_MAX_BYTES);
		return -EFBIG;
	}
	return 0;
}

int sect_rekordbox_load(const char *file, struct sect_rekordbox **out,
		size_t *n_bad_bpm, char **error)
{
	struct parse_error perr = { NULL };
	struct sect_rekordbox *rb;
	xmlTextReaderPtr r;
	bool root_seen = false;
	int ret, res = 0;

	*n_bad_bpm = 0;
	if ((res = check_size(file, error)) < 0)
		return res;
	r = xmlReaderForFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r == NULL) {
		*error = g_strdup_printf("%s: cannot open", file);
		return -EIO;
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_error, &perr);
	rb = g_new0(struct sect_rekordbox, 1);
	rb->tracks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_track);

	while ((ret = xmlTextReaderRead(r)) == 1) {
		const char *name;

		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		name = (const char *)xmlTextReaderConstName(r);
		if (!root_seen) {
			root_seen = true;
			if (g_strcmp0(name, "DJ_PLAYLISTS") != 0) {
				/* the first error wins, as in on_error(), which may
				 * have reported one on this element already */
				if (perr.message == NULL)
					perr.message = g_strdup_printf("root element is <%s>, "
							"not <DJ_PLAYLISTS>", name ? name : "?");
				break;
			}
		}
		if (g_strcmp0(name, "TRACK") == 0)
			add_track(rb, r, n_bad_bpm);
	}
	if (ret < 0 || perr.message != NULL || !root_seen) {
		*error = g_strdup_printf("%s: %s", file,
				perr.message ? perr.message : root_seen ? "malformed XML" : "no root element");
		res = -EBADMSG;
	}
	xmlFreeTextReader(r);
	g_free(perr.message);
	if (res < 0) {
		sect_rekordbox_free(rb);
		return res;
	}
	*out = rb;
	return 0;
}

const struct sect_rb_track *sect_rekordbox_lookup(const struct sect_rekordbox *rb,
		const char *name)
{
	return g_hash_table_lookup(rb->tracks, name);
}

size_t sect_rekordbox_size(const struct sect_rekordbox *rb)
{
	return g_hash_table_size(rb->tracks);
}

void sect_rekordbox_free(struct sect_rekordbox *rb)
{
	if (rb == NULL)
		return;
	g_hash_table_destroy(rb->tracks);
	g_free(rb);
}
