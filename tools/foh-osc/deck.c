/* foh-osc's Crowdstream addresses (REFERENCE.md, "Crowdstream (seed 2)"),
 * mapped to fohd's decks and mixer (org.foh.Foh1.Deck and .Mixer,
 * dbus/org.foh.Foh1.xml) so that the original client works unchanged:
 *
 *   /load_buffer id path [name]       StretchMethod rubberband, Deck.Load(path)
 *   /play_stem id [rate=1 vol=0.8 loop=1 start=0]
 *                                     TempoRatio, Gain, Loop, Seek(start), Play()
 *   /stop_stem id                     Deck.Stop()
 *   /stem_volume id vol               Gain (and CrossfaderEnabled off)
 *   /crossfade_levels a b             Gain of decks a, b (CrossfaderEnabled off)
 *   /deck_levels a [b c d]            Gain of each deck given (ditto)
 *   /fade deck start_at [dur=2]       start_at s later: Deck.FadeGain(-80, dur)
 *   /deck_eq deck band pct            Deck.SetEqPercent(band, min(pct, 50)):
 *                                     cut-only as the original, 50 % and up flat
 *   /deck_eq_all deck lo mid hi       three SetEqPercent (ditto)
 *   /deck_filter deck band gain       EqLowDb/EqMidDb/EqHighDb = 20 log10(gain)
 *   /set_tempo bpm                    Mixer CurrentBpm (at once; movement goes on)
 *   /dance/total_movement m           Mixer.SetMovement(m)
 *   /cue deck path [start]            rubberband, Loop on, Deck.Cue(path, start)
 *   /play deck path start_at          rubberband, Deck.Cue(path, 0), start_at s later
 *                                     Mixer.StartGroup([deck], -1)
 *   /start_group start_at deck...     start_at s later StartGroup(decks, -1):
 *                                     from their cue points, on one sample
 *   /reset                            time zero of /schedule_c_at (foh has no
 *                                     beat clock to reset)
 *   /schedule_c_at seconds            deck c starts that long after time zero
 *   /get_status                       logs foh-osc's counters
 *   /test_tone, /mixer_cleanup, /set_meter, /print_clock, /dummy
 *                                     accepted, nothing to do in foh
 *
 * Decks are A..D in either case, 1..4, or a buffer id: 100-1099 is A,
 * 1100-2099 B, 2100-3099 C, 3100-4099 D. Volumes are linear: Gain =
 * 20 log10(vol), -80 dB (fohd's silent floor) for vol <= 1e-4; the
 * original has no crossfader, so a volume message turns fohd's off. A
 * loaded deck stretches with the pitch kept (rubberband), as the original's
 * mix does under /set_tempo and the movement. Paths
 * are confined to the music folders ([decks] music-dirs of fohd's
 * foh.conf, read at each load; "" = the XDG music folder): resolved with
 * realpath, a relative one from the first folder; any other is refused as
 * refused_path. Settings coalesce like the /foh/ addresses; actions are
 * sent one by one, the timed ones from a timer. While fohd has no deck
 * objects, every call is answered UnknownObject/UnknownMethod: counted as
 * decks_unavailable and logged at most every 10 s. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "foh-osc.h"
#include "util/confine.h"
#include "util/log.h"

#define DECK_IFACE	"org.foh.Foh1.Deck"
#define MIXER_IFACE	"org.foh.Foh1.Mixer"
#define MIXER_PATH	FOH_ROOT "/mixer"
#define GAIN_FLOOR_DB	-80.0
#define FADE_DEFAULT_S	2.0
#define PLAY_STEM_VOL	0.8
#define LOG_EVERY_USEC	(10ULL * 1000000ULL)
#define LATER_MAX	256
#define LATER_MAX_S	3600.0

struct msg {
	struct foh_osc *o;
	const char *path;
	const char *types;
	lo_arg **argv;
	int argc;
};

void osc_deck_unavailable(struct foh_osc *o)
{
	uint64_t now = osc_now();

	o->stats.decks_unavailable++;
	if (o->deck_log_at == 0 || now - o->deck_log_at >= LOG_EVERY_USEC) {
		foh_info("decks not available: fohd serves no deck/mixer objects "
				"(%" PRIu64 " Crowdstream calls so far)", o->stats.decks_unavailable);
		o->deck_log_at = now;
	}
}

/* A deck name or id as a letter a..d; false when it is none. */
static bool deck_of(const char *s, double v, bool is_str, char *letter)
{
	if (is_str) {
		if (s[0] == '\0' || s[1] != '\0' || strchr("abcdABCD", s[0]) == NULL)
			return false;
		*letter = (char)(s[0] | 0x20);
		return true;
	}
	if (v != floor(v))
		return false;
	if (v >= 1 && v <= 4)
		*letter = (char)('a' + (int)v - 1);
	else if (v >= 100 && v <= 4099)
		*letter = (char)('a' + ((int)v - 100) / 1000);
	else
		return false;
	return true;
}

/* Argument i as a deck letter; false when absent or not a deck. */
static bool deck_arg(const struct msg *m, int i, char *letter)
{
	const char *s;
	double v = 0.0;

	if (i >= m->argc)
		return false;
	if ((s = osc_arg_string(m->types[i], m->argv[i])) != NULL)
		return deck_of(s, 0.0, true, letter);
	return osc_arg_number(m->types[i], m->argv[i], &v) && deck_of(NULL, v, false, letter);
}

static bool num_arg(const struct msg *m, int i, double *v)
{
	return i < m->argc && osc_arg_number(m->types[i], m->argv[i], v);
}

static double gain_db(double vol)
{
	return vol <= 1e-4 ? GAIN_FLOOR_DB : 20.0 * log10(vol);
}

static void deck_path(char letter, char *path, size_t size)
{
	snprintf(path, size, FOH_ROOT "/deck/%c", letter);
}

/* A property of a deck or the mixer, coalesced per object and property. */
static void set_prop(struct foh_osc *o, const char *path, const char *iface,
		const char *prop, char type, double v)
{
	struct osc_call c;
	char key[128];

	osc_call_init(&c, OSC_CLASS_DECK, path, iface, prop, true);
	(void)(type == 'b' ? osc_call_add_b(&c, v != 0.0) : osc_call_add_d(&c, v));
	snprintf(key, sizeof(key), "%s %s", path, prop);
	osc_submit(o, &c, key);
}

static void deck_prop(struct foh_osc *o, char letter, const char *prop, char type, double v)
{
	char path[64];

	deck_path(letter, path, sizeof(path));
	set_prop(o, path, DECK_IFACE, prop, type, v);
}

/* A method: sig holds 's' and 'd' for the strings and numbers given. */
static void deck_method(struct foh_osc *o, const char *path, const char *iface,
		const char *method, const char *key, const char *s, const double *d, int nd)
{
	struct osc_call c;

	osc_call_init(&c, OSC_CLASS_DECK, path, iface, method, false);
	if (s != NULL)
		(void)osc_call_add_s(&c, s);
	for (int i = 0; i < nd; i++)
		(void)osc_call_add_d(&c, d[i]);
	osc_submit(o, &c, key);
}

static void deck_action(struct foh_osc *o, char letter, const char *method,
		const char *s, const double *d, int nd)
{
	char path[64];

	deck_path(letter, path, sizeof(path));
	deck_method(o, path, DECK_IFACE, method, NULL, s, d, nd);
}

/* ---- timed calls ---------------------------------------------------------- */

struct later {
	struct foh_osc *o;
	struct osc_call c;
};

static int on_later(sd_event_source *es, uint64_t usec, void *data)
{
	struct later *l = data;

	osc_submit(l->o, &l->c, NULL);
	return 0;
}

static void later_free(void *data)
{
	struct later *l = data;

	l->o->n_later--;
	osc_call_clear(&l->c);
	free(l);
}

/* Sends c (an action) seconds from now; at once for seconds <= 0. */
static void submit_in(struct foh_osc *o, struct osc_call *c, double seconds)
{
	sd_event_source *es = NULL;
	struct later *l;

	if (!(seconds > 0.0)) {
		osc_submit(o, c, NULL);
		return;
	}
	if (o->n_later >= LATER_MAX || (l = calloc(1, sizeof(*l))) == NULL) {
		osc_call_clear(c);
		osc_refused(o, &o->stats.refused_busy, c->member, "too many timed calls waiting");
		return;
	}
	l->o = o;
	l->c = *c;
	c->n_args = 0;
	if (sd_event_add_time_relative(o->event, &es, CLOCK_MONOTONIC,
			(uint64_t)(fmin(seconds, LATER_MAX_S) * 1e6), 1000, on_later, l) < 0) {
		osc_call_clear(&l->c);
		free(l);
		o->stats.refused_busy++;
		return;
	}
	o->n_later++;
	(void)sd_event_source_set_destroy_callback(es, later_free);
	(void)sd_event_source_set_floating(es, 1);
	sd_event_source_unref(es);
}

/* Mixer.StartGroup(decks, -1) (each deck from its cue point) in seconds. */
static void start_group_in(struct foh_osc *o, char *const *decks, unsigned int n, double seconds)
{
	struct osc_call c;

	osc_call_init(&c, OSC_CLASS_DECK, MIXER_PATH, MIXER_IFACE, "StartGroup", false);
	(void)osc_call_add_strv(&c, decks, n);
	(void)osc_call_add_d(&c, -1.0);
	submit_in(o, &c, seconds);
}

/* ---- music folders -------------------------------------------------------- */

/* The music folders, resolved: [decks] music-dirs of fohd's foh.conf
 * (comma-separated), else the XDG music folder. NULL when none exists. */
static GPtrArray *music_dirs(struct foh_osc *o)
{
	g_autofree char *conf = o->foh_config ? g_strdup(o->foh_config) :
		g_build_filename(g_get_user_config_dir(), "foh", "foh.conf", NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *value = NULL;
	g_auto(GStrv) dirs = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(free);
	const char *music;

	if (g_key_file_load_from_file(kf, conf, G_KEY_FILE_NONE, NULL))
		value = g_key_file_get_string(kf, "decks", "music-dirs", NULL);
	if (value != NULL && g_strstrip(value)[0] != '\0') {
		dirs = g_strsplit(value, ",", -1);
	} else {
		music = g_get_user_special_dir(G_USER_DIRECTORY_MUSIC);
		dirs = g_new0(char *, 2);
		dirs[0] = music ? g_strdup(music) : g_build_filename(g_get_home_dir(), "Music", NULL);
	}
	for (size_t i = 0; dirs[i]; i++) {
		char *real = realpath(g_strstrip(dirs[i]), NULL);
		if (real != NULL)
			g_ptr_array_add(out, real);
	}
	if (out->len == 0) {
		g_ptr_array_unref(out);
		return NULL;
	}
	return out;
}

/* path (a relative one from the first music folder) resolved inside a
 * music folder, or NULL (refused, counted and logged). Free with free(). */
static char *confined(const struct msg *m, const char *path)
{
	g_autoptr(GPtrArray) dirs = music_dirs(m->o);
	char *real;
	int r;

	if (dirs == NULL) {
		osc_refused(m->o, &m->o->stats.refused_path, m->path,
				"no music folder exists ([decks] music-dirs)");
		return NULL;
	}
	r = foh_confine(path, (const char *const *)dirs->pdata, dirs->len, &real);
	if (r == -EACCES)
		osc_refused(m->o, &m->o->stats.refused_path, m->path,
				"%s is outside the music folders ([decks] music-dirs)", path);
	else if (r < 0)
		osc_refused(m->o, &m->o->stats.refused_path, m->path, "%s: %s", path,
				strerror(-r));
	return r < 0 ? NULL : real;
}

/* ---- handlers --------------------------------------------------------------- */

/* A Crowdstream track: its tempo follows the mix's with the pitch kept, as
 * the original stretches its whole mix (set before the load, so that no
 * playing stage is rebuilt). */
static void crowd_track(struct foh_osc *o, char deck)
{
	struct osc_call c;
	char path[64], key[128];

	deck_path(deck, path, sizeof(path));
	osc_call_init(&c, OSC_CLASS_DECK, path, DECK_IFACE, "StretchMethod", true);
	(void)osc_call_add_s(&c, "rubberband");
	snprintf(key, sizeof(key), "%s StretchMethod", path);
	osc_submit(o, &c, key);
}

/* A volume: fohd's crossfader is off (the original has none), then Gain. */
static void deck_volume(struct foh_osc *o, char deck, double vol)
{
	set_prop(o, MIXER_PATH, MIXER_IFACE, "CrossfaderEnabled", 'b', 0.0);
	deck_prop(o, deck, "Gain", 'd', gain_db(vol));
}

/* Each handler returns false for a wrong argument type or count and true
 * when it made its calls (or refused them itself). */

static bool h_load_buffer(const struct msg *m, char deck)
{
	const char *path = m->argc >= 2 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	char *real;

	if (path == NULL || m->argc > 3 ||
	    (m->argc == 3 && osc_arg_string(m->types[2], m->argv[2]) == NULL))
		return false;
	if ((real = confined(m, path)) == NULL)
		return true;
	crowd_track(m->o, deck);
	deck_action(m->o, deck, "Load", real, NULL, 0);
	free(real);
	return true;
}

static bool h_play_stem(const struct msg *m, char deck)
{
	double v[4] = { 1.0, PLAY_STEM_VOL, 1.0, 0.0 };

	if (m->argc > 5)
		return false;
	for (int i = 1; i < m->argc; i++)
		if (!num_arg(m, i, &v[i - 1]))
			return false;
	deck_prop(m->o, deck, "TempoRatio", 'd', v[0]);
	deck_volume(m->o, deck, v[1]);
	deck_prop(m->o, deck, "Loop", 'b', v[2]);
	deck_action(m->o, deck, "Seek", NULL, &v[3], 1);
	deck_action(m->o, deck, "Play", NULL, NULL, 0);
	return true;
}

static bool h_stop_stem(const struct msg *m, char deck)
{
	if (m->argc != 1)
		return false;
	deck_action(m->o, deck, "Stop", NULL, NULL, 0);
	return true;
}

static bool h_stem_volume(const struct msg *m, char deck)
{
	double vol;

	if (m->argc != 2 || !num_arg(m, 1, &vol))
		return false;
	deck_volume(m->o, deck, vol);
	return true;
}

/* lo/low, mid, hi/high in any case → fohd's band name. */
static const char *band_of(const char *s)
{
	if (strcasecmp(s, "low") == 0 || strcasecmp(s, "lo") == 0)
		return "low";
	if (strcasecmp(s, "mid") == 0)
		return "mid";
	if (strcasecmp(s, "high") == 0 || strcasecmp(s, "hi") == 0)
		return "high";
	return s;
}

static bool h_deck_eq(const struct msg *m, char deck)
{
	const char *band = m->argc == 3 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	char path[64], key[128];
	double pct;

	if (band == NULL || !num_arg(m, 2, &pct))
		return false;
	band = band_of(band);
	pct = fmin(pct, 50.0);	/* the original's knob only cuts */
	deck_path(deck, path, sizeof(path));
	snprintf(key, sizeof(key), "%s SetEqPercent %.8s", path, band);
	deck_method(m->o, path, DECK_IFACE, "SetEqPercent", key, band, &pct, 1);
	return true;
}

static bool h_deck_eq_all(const struct msg *m, char deck)
{
	static const char *const bands[] = { "low", "mid", "high" };
	char path[64], key[128];
	double v[3];

	if (m->argc != 4 || !num_arg(m, 1, &v[0]) || !num_arg(m, 2, &v[1]) || !num_arg(m, 3, &v[2]))
		return false;
	deck_path(deck, path, sizeof(path));
	for (int i = 0; i < 3; i++) {
		v[i] = fmin(v[i], 50.0);	/* cut-only: 50 % and above is flat */
		snprintf(key, sizeof(key), "%s SetEqPercent %s", path, bands[i]);
		deck_method(m->o, path, DECK_IFACE, "SetEqPercent", key, bands[i], &v[i], 1);
	}
	return true;
}

/* The band's gain as a linear factor: Eq<Band>Db = 20 log10(gain), -80..+6. */
static bool h_deck_filter(const struct msg *m, char deck)
{
	const char *band = m->argc == 3 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	double g;

	if (band == NULL || !num_arg(m, 2, &g))
		return false;
	band = band_of(band);
	if (strcmp(band, "low") != 0 && strcmp(band, "mid") != 0 && strcmp(band, "high") != 0) {
		osc_refused(m->o, &m->o->stats.refused_range, m->path, "no band \"%.16s\"", band);
		return true;
	}
	deck_prop(m->o, deck, band[0] == 'l' ? "EqLowDb" : band[0] == 'm' ? "EqMidDb" : "EqHighDb",
			'd', fmin(gain_db(g), 6.0));
	return true;
}

static bool h_cue(const struct msg *m, char deck)
{
	const char *path = m->argc >= 2 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	double start = 0.0;
	char *real;

	if (path == NULL || m->argc > 3 || (m->argc == 3 && !num_arg(m, 2, &start)))
		return false;
	if ((real = confined(m, path)) == NULL)
		return true;
	crowd_track(m->o, deck);
	deck_prop(m->o, deck, "Loop", 'b', 1.0);
	deck_action(m->o, deck, "Cue", real, &start, 1);
	free(real);
	return true;
}

static bool h_play(const struct msg *m, char deck)
{
	const char *path = m->argc == 3 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	char letter[2] = { deck, '\0' }, *decks[1] = { letter }, *real;
	double start_at, zero = 0.0;

	if (path == NULL || !num_arg(m, 2, &start_at))
		return false;
	if ((real = confined(m, path)) == NULL)
		return true;
	crowd_track(m->o, deck);
	deck_action(m->o, deck, "Cue", real, &zero, 1);
	free(real);
	start_group_in(m->o, decks, 1, start_at);
	return true;
}

static bool h_fade(const struct msg *m, char deck)
{
	double start_at, d[2] = { GAIN_FLOOR_DB, FADE_DEFAULT_S };
	struct osc_call c;
	char path[64];

	if (m->argc < 2 || m->argc > 3 || !num_arg(m, 1, &start_at) ||
	    (m->argc == 3 && !num_arg(m, 2, &d[1])))
		return false;
	deck_path(deck, path, sizeof(path));
	osc_call_init(&c, OSC_CLASS_DECK, path, DECK_IFACE, "FadeGain", false);
	(void)osc_call_add_d(&c, d[0]);
	(void)osc_call_add_d(&c, d[1]);
	submit_in(m->o, &c, start_at);
	return true;
}

static const struct {
	const char *address;
	bool (*handle)(const struct msg *m, char deck);
} deck_routes[] = {
	{ "/load_buffer", h_load_buffer },
	{ "/play_stem", h_play_stem },
	{ "/stop_stem", h_stop_stem },
	{ "/stem_volume", h_stem_volume },
	{ "/deck_eq", h_deck_eq },
	{ "/deck_eq_all", h_deck_eq_all },
	{ "/deck_filter", h_deck_filter },
	{ "/cue", h_cue },
	{ "/play", h_play },
	{ "/fade", h_fade },
};

/* Accepted, with nothing for foh to do (the original's console, meter and
 * clean-up of its own players; foh's decks have no test tone). */
static const char *const local_only[] = {
	"/test_tone", "/mixer_cleanup", "/set_meter", "/print_clock", "/dummy",
};

/* The addresses that do not start with one deck id. */
static bool mixer_message(const struct msg *m, const char *path)
{
	struct foh_osc *o = m->o;
	double v[4];
	char a;

	for (size_t i = 0; i < sizeof(local_only) / sizeof(local_only[0]); i++) {
		if (strcmp(path, local_only[i]) == 0) {
			o->stats.handled_locally++;
			return true;
		}
	}
	if (strcmp(path, "/reset") == 0) {
		o->time_zero = osc_now();
		o->stats.handled_locally++;
		return true;
	}
	if (strcmp(path, "/get_status") == 0) {
		foh_info("status: %" PRIu64 " messages, %" PRIu64 " D-Bus calls, %" PRIu64
				" refused (type), %" PRIu64 " (range), %" PRIu64 " (path), %u timed "
				"calls waiting", o->stats.messages, o->stats.dispatched,
				o->stats.refused_type, o->stats.refused_range, o->stats.refused_path,
				o->n_later);
		o->stats.handled_locally++;
		return true;
	}
	if (strcmp(path, "/set_tempo") == 0 || strcmp(path, "/dance/total_movement") == 0) {
		if (m->argc != 1 || !num_arg(m, 0, &v[0]))
			goto wrong_type;
		if (path[1] == 's')
			set_prop(o, MIXER_PATH, MIXER_IFACE, "CurrentBpm", 'd', v[0]);
		else
			deck_method(o, MIXER_PATH, MIXER_IFACE, "SetMovement",
					MIXER_PATH " SetMovement", NULL, v, 1);
		return true;
	}
	if (strcmp(path, "/crossfade_levels") == 0 || strcmp(path, "/deck_levels") == 0) {
		int most = path[1] == 'c' ? 2 : 4;
		if (m->argc < (most == 2 ? 2 : 1) || m->argc > most)
			goto wrong_type;
		for (int i = 0; i < m->argc; i++)
			if (!num_arg(m, i, &v[i]))
				goto wrong_type;
		for (int i = 0; i < m->argc; i++)
			deck_volume(o, (char)('a' + i), v[i]);
		return true;
	}
	if (strcmp(path, "/schedule_c_at") == 0) {
		char letter[2] = "c", *decks[1] = { letter };
		uint64_t zero = o->time_zero ? o->time_zero : osc_now();
		if (m->argc != 1 || !num_arg(m, 0, &v[0]))
			goto wrong_type;
		start_group_in(o, decks, 1, v[0] - (double)(osc_now() - zero) / 1e6);
		return true;
	}
	if (strcmp(path, "/start_group") == 0) {
		char letters[OSC_CALL_MAX_STRS][2];
		char *decks[OSC_CALL_MAX_STRS];
		unsigned int n = 0;
		int at = -1;
		/* the start time: the float anywhere among the decks (else the
		 * first number: a deck may be an integer buffer id) */
		for (int i = 0; i < m->argc && at < 0; i++)
			if (m->types[i] == 'f' || m->types[i] == 'd')
				at = i;
		for (int i = 0; i < m->argc && at < 0; i++)
			if (osc_arg_string(m->types[i], m->argv[i]) == NULL)
				at = i;
		if (at < 0 || !num_arg(m, at, &v[0]))
			goto wrong_type;
		for (int i = 0; i < m->argc; i++) {
			if (i == at)
				continue;
			if (!deck_arg(m, i, &a)) {
				osc_refused(o, &o->stats.refused_range, path, "argument %d is not a deck",
						i + 1);
				return true;
			}
			if (n >= OSC_CALL_MAX_STRS)
				goto wrong_type;
			letters[n][0] = a;
			letters[n][1] = '\0';
			decks[n] = letters[n];
			n++;
		}
		if (n == 0)
			goto wrong_type;
		start_group_in(o, decks, n, v[0]);
		return true;
	}
	return false;
wrong_type:
	osc_refused(o, &o->stats.refused_type, path, "wrong arguments ,%s", m->types);
	return true;
}

bool osc_deck_message(struct foh_osc *o, const char *path, const char *types,
		lo_arg **argv, int argc)
{
	const struct msg m = { o, path, types, argv, argc };
	char deck;

	if (mixer_message(&m, path))
		return true;
	for (size_t i = 0; i < sizeof(deck_routes) / sizeof(deck_routes[0]); i++) {
		if (strcmp(path, deck_routes[i].address) != 0)
			continue;
		if (argc < 1) {
			osc_refused(o, &o->stats.refused_type, path, "no deck or buffer id");
		} else if (!deck_arg(&m, 0, &deck)) {
			/* a string or number, but not a deck */
			if (osc_arg_string(types[0], argv[0]) || num_arg(&m, 0, &(double){ 0 }))
				osc_refused(o, &o->stats.refused_range, path,
						"not a deck (A..D) or buffer id (100..4099)");
			else
				osc_refused(o, &o->stats.refused_type, path, "wrong arguments ,%s",
						types);
		} else if (!deck_routes[i].handle(&m, deck)) {
			osc_refused(o, &o->stats.refused_type, path, "wrong arguments ,%s", types);
		}
		return true;
	}
	return false;
}
