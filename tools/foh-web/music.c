/* The music folder ([web] music-dir): the tracks the UI may load.
 *   GET /api/v1/music   {"dir", "files": [{"path", "size"}], "truncated",
 *                       "message"}: audio files under the folder, sorted,
 *                       relative paths; no folder configured → dir null,
 *                       no files and a message saying so
 * and the rule every Deck Load/Cue through foh-web follows (api.c): the
 * path, relative to the folder or absolute, must resolve (realpath, so
 * ".." and symlinks count where they lead) to a regular audio file inside
 * the folder — the same confinement foh-osc applies to OSC's tracks.
 * The walk is capped: WEB_MUSIC_MAX_FILES files, WEB_MUSIC_MAX_DEPTH
 * levels, hidden entries skipped, symlinks followed only when they stay
 * inside. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "foh-web/foh-web.h"
#include "util/confine.h"

#define WEB_MUSIC_MAX_FILES	2000
#define WEB_MUSIC_MAX_DEPTH	8

/* What libsndfile (fohd's decks) decodes. */
static const char *const audio_ext[] = { ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3",
	".aif", ".aiff", ".w64", ".caf" };

static bool is_audio(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < G_N_ELEMENTS(audio_ext); i++)
		if (g_ascii_strcasecmp(dot, audio_ext[i]) == 0)
			return true;
	return false;
}

/* The folder, resolved; NULL with why set when there is none. */
static char *music_root(struct web *w, char *why, size_t n)
{
	char *real;

	if (w->music_dir == NULL) {
		snprintf(why, n, "no music folder is configured ([web] music-dir in foh-web.conf)");
		return NULL;
	}
	if ((real = realpath(w->music_dir, NULL)) == NULL)
		snprintf(why, n, "the music folder %s: %s", w->music_dir, strerror(errno));
	return real;
}

int web_music_resolve(struct web *w, const char *path, char **out, char *why, size_t n)
{
	char *root, *real;
	struct stat st;
	int r;

	if ((root = music_root(w, why, n)) == NULL)
		return -ENOENT;
	if (path[0] == '\0' || strlen(path) >= PATH_MAX) {
		snprintf(why, n, "no track path given");
		free(root);
		return -EINVAL;
	}
	r = foh_confine(path, (const char *const *)&root, 1, &real);
	free(root);
	if (r == -EACCES) {
		snprintf(why, n, "%s is outside the music folder", path);
		return -EACCES;
	}
	if (r < 0) {
		snprintf(why, n, "%s: %s", path, strerror(-r));
		return -ENOENT;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode) || !is_audio(real)) {
		snprintf(why, n, "%s is not an audio file (%s)", path, ".wav .flac .ogg .opus .mp3 .aiff");
		free(real);
		return -EACCES;
	}
	*out = real;
	return 0;
}

struct track {
	char *path;		/* relative to the folder */
	gint64 size;
};

struct walk {
	const char *root;
	size_t root_len;
	GArray *files;		/* struct track */
	bool truncated;
};

static void walk_dir(struct walk *k, const char *dir, unsigned int depth)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *full = NULL;
		char *real;
		struct stat st;

		if (name[0] == '.')
			continue;
		if (k->files->len >= WEB_MUSIC_MAX_FILES) {
			k->truncated = true;
			return;
		}
		full = g_build_filename(dir, name, NULL);
		/* a symlink counts where it leads, and only inside the folder */
		if (foh_confine(full, &k->root, 1, &real) < 0)
			continue;
		if (stat(real, &st) < 0) {
			free(real);
			continue;
		}
		free(real);
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 < WEB_MUSIC_MAX_DEPTH)
				walk_dir(k, full, depth + 1);
			else
				k->truncated = true;
		} else if (S_ISREG(st.st_mode) && is_audio(name)) {
			struct track t = { g_strdup(full + k->root_len + 1), st.st_size };
			g_array_append_val(k->files, t);
		}
	}
}

static gint by_path(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct track *)a)->path, ((const struct track *)b)->path);
}

static void track_clear(gpointer p)
{
	g_free(((struct track *)p)->path);
}

static void music_handler(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	char why[PATH_MAX + 128];
	char *root;
	struct walk k = { 0 };

	if (strcmp(soup_server_message_get_method(msg), "GET") != 0 &&
	    strcmp(soup_server_message_get_method(msg), "HEAD") != 0)
		return web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "GET only");
	if (strcmp(path, "/api/v1/music") != 0)
		return web_reply_error(msg, 404, "org.foh.Foh1.Error.NotFound", "no object at %s", path);
	root = music_root(w, why, sizeof(why));
	k.root = root;
	k.root_len = root ? strlen(root) : 0;
	k.files = g_array_new(FALSE, FALSE, sizeof(struct track));
	g_array_set_clear_func(k.files, track_clear);
	if (root)
		walk_dir(&k, root, 0);
	g_array_sort(k.files, by_path);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "dir");
	if (root)
		json_builder_add_string_value(b, root);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "files");
	json_builder_begin_array(b);
	for (guint i = 0; i < k.files->len; i++) {
		const struct track *t = &g_array_index(k.files, struct track, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "path");
		json_builder_add_string_value(b, t->path);
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, t->size);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "truncated");
	json_builder_add_boolean_value(b, k.truncated);
	json_builder_set_member_name(b, "message");
	if (root)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, why);
	json_builder_end_object(b);
	g_array_unref(k.files);
	free(root);
	web_reply_builder(msg, 200, b);
}

void web_music_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/api/v1/music", music_handler, w, NULL);
}
