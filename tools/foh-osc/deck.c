/* foh-osc's Crowdstream addresses (REFERENCE.md, "Crowdstream"), mapped to
 * fohd's decks and mixer (org.foh.Foh1.Deck and .Mixer, dbus/org.foh.Foh1.xml):
 *
 *   /load_buffer id path              Deck.Load(path)
 *   /play_stem id [rate vol loop start]  TempoRatio, Gain, Loop, Seek(start), Play()
 *   /stop_stem id                     Deck.Stop()
 *   /stem_volume id vol               Deck Gain
 *   /crossfade_levels a b             Gain of deck a and of deck b
 *   /deck_eq deck band pct            Deck.SetEqPercent(band, pct)
 *   /deck_eq_all deck lo mid hi       three SetEqPercent
 *   /set_tempo bpm                    Mixer TargetBpm
 *   /cue deck path [start]            Deck.Cue(path, start)
 *   /play deck path start_at          Deck.Cue(path, start_at), Deck.Play()
 *   /fade deck start_at [dur]         Mixer.FadeTo(deck, start_at, dur or 8)
 *   /start_group start_at deck...     Mixer.StartGroup(decks, start_at)
 *   /dance/total_movement f           Mixer.SetMovement(f)
 *
 * Deck ids are 1..4 (a..d) or the letters. Volumes are linear: Gain =
 * 20 log10(vol), -80 dB (fohd's silent floor) for vol <= 1e-4. Settings
 * coalesce like the /foh/ addresses; actions (load, play, stop, cue, seek,
 * fade, group) are sent one by one. While fohd has no deck objects, every
 * call is answered UnknownObject/UnknownMethod: counted as
 * decks_unavailable and logged at most every 10 s. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "foh-osc.h"
#include "util/log.h"

#define DECK_IFACE	"org.foh.Foh1.Deck"
#define MIXER_IFACE	"org.foh.Foh1.Mixer"
#define MIXER_PATH	FOH_ROOT "/mixer"
#define GAIN_FLOOR_DB	-80.0
#define FADE_DEFAULT_S	8.0
#define LOG_EVERY_USEC	(10ULL * 1000000ULL)

struct msg {
	struct foh_osc *o;
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

/* Argument i as a deck letter; false when absent or not a deck. */
static bool deck_arg(const struct msg *m, int i, char *letter)
{
	const char *s;
	double v;

	if (i >= m->argc)
		return false;
	if ((s = osc_arg_string(m->types[i], m->argv[i])) != NULL) {
		if (s[0] >= 'a' && s[0] <= 'd' && s[1] == '\0') {
			*letter = s[0];
			return true;
		}
		return false;
	}
	if (!osc_arg_number(m->types[i], m->argv[i], &v) || v != floor(v) || v < 1 || v > 4)
		return false;
	*letter = (char)('a' + (int)v - 1);
	return true;
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

/* Each handler returns false for a wrong argument type or count and true
 * when it made its calls; deck ids out of range are refused_range. */

static bool h_load_buffer(const struct msg *m, char deck)
{
	const char *path = m->argc == 2 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;

	if (path == NULL)
		return false;
	deck_action(m->o, deck, "Load", path, NULL, 0);
	return true;
}

static bool h_play_stem(const struct msg *m, char deck)
{
	double v[4];

	if (m->argc > 5)
		return false;
	for (int i = 1; i < m->argc; i++)
		if (!num_arg(m, i, &v[i - 1]))
			return false;
	if (m->argc > 1)
		deck_prop(m->o, deck, "TempoRatio", 'd', v[0]);
	if (m->argc > 2)
		deck_prop(m->o, deck, "Gain", 'd', gain_db(v[1]));
	if (m->argc > 3)
		deck_prop(m->o, deck, "Loop", 'b', v[2]);
	if (m->argc > 4)
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
	deck_prop(m->o, deck, "Gain", 'd', gain_db(vol));
	return true;
}

static bool h_deck_eq(const struct msg *m, char deck)
{
	const char *band = m->argc == 3 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	char path[64], key[128];
	double pct;

	if (band == NULL || !num_arg(m, 2, &pct))
		return false;
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
		snprintf(key, sizeof(key), "%s SetEqPercent %s", path, bands[i]);
		deck_method(m->o, path, DECK_IFACE, "SetEqPercent", key, bands[i], &v[i], 1);
	}
	return true;
}

static bool h_cue(const struct msg *m, char deck)
{
	const char *path = m->argc >= 2 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	double start = 0.0;

	if (path == NULL || m->argc > 3 || (m->argc == 3 && !num_arg(m, 2, &start)))
		return false;
	deck_action(m->o, deck, "Cue", path, &start, 1);
	return true;
}

static bool h_play(const struct msg *m, char deck)
{
	const char *path = m->argc == 3 ? osc_arg_string(m->types[1], m->argv[1]) : NULL;
	double start;

	if (path == NULL || !num_arg(m, 2, &start))
		return false;
	deck_action(m->o, deck, "Cue", path, &start, 1);
	deck_action(m->o, deck, "Play", NULL, NULL, 0);
	return true;
}

static bool h_fade(const struct msg *m, char deck)
{
	double d[2] = { 0.0, FADE_DEFAULT_S };
	char s[2] = { deck, '\0' };

	if (m->argc < 2 || m->argc > 3 || !num_arg(m, 1, &d[0]) ||
	    (m->argc == 3 && !num_arg(m, 2, &d[1])))
		return false;
	deck_method(m->o, MIXER_PATH, MIXER_IFACE, "FadeTo", NULL, s, d, 2);
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
	{ "/cue", h_cue },
	{ "/play", h_play },
	{ "/fade", h_fade },
};

/* The addresses that do not start with one deck id. */
static bool mixer_message(const struct msg *m, const char *path)
{
	double v[2];
	char a, b;

	if (strcmp(path, "/set_tempo") == 0 || strcmp(path, "/dance/total_movement") == 0) {
		if (m->argc != 1 || !num_arg(m, 0, &v[0]))
			goto wrong_type;
		if (path[1] == 's')
			set_prop(m->o, MIXER_PATH, MIXER_IFACE, "TargetBpm", 'd', v[0]);
		else
			deck_method(m->o, MIXER_PATH, MIXER_IFACE, "SetMovement",
					MIXER_PATH " SetMovement", NULL, v, 1);
		return true;
	}
	if (strcmp(path, "/crossfade_levels") == 0) {
		if (m->argc != 2 || !num_arg(m, 0, &v[0]) || !num_arg(m, 1, &v[1]))
			goto wrong_type;
		a = 'a', b = 'b';
		deck_prop(m->o, a, "Gain", 'd', gain_db(v[0]));
		deck_prop(m->o, b, "Gain", 'd', gain_db(v[1]));
		return true;
	}
	if (strcmp(path, "/start_group") == 0) {
		char letters[OSC_CALL_MAX_STRS][2];
		char *decks[OSC_CALL_MAX_STRS];
		struct osc_call c;
		if (m->argc < 2 || m->argc > 1 + OSC_CALL_MAX_STRS || !num_arg(m, 0, &v[0]))
			goto wrong_type;
		for (int i = 1; i < m->argc; i++) {
			if (!deck_arg(m, i, &letters[i - 1][0])) {
				m->o->stats.refused_range++;
				return true;
			}
			letters[i - 1][1] = '\0';
			decks[i - 1] = letters[i - 1];
		}
		osc_call_init(&c, OSC_CLASS_DECK, MIXER_PATH, MIXER_IFACE, "StartGroup", false);
		(void)osc_call_add_strv(&c, decks, (unsigned int)m->argc - 1);
		(void)osc_call_add_d(&c, v[0]);
		osc_submit(m->o, &c, NULL);
		return true;
	}
	return false;
wrong_type:
	m->o->stats.refused_type++;
	return true;
}

bool osc_deck_message(struct foh_osc *o, const char *path, const char *types,
		lo_arg **argv, int argc)
{
	const struct msg m = { o, types, argv, argc };
	char deck;

	if (mixer_message(&m, path))
		return true;
	for (size_t i = 0; i < sizeof(deck_routes) / sizeof(deck_routes[0]); i++) {
		if (strcmp(path, deck_routes[i].address) != 0)
			continue;
		if (argc < 1) {
			o->stats.refused_type++;
		} else if (!deck_arg(&m, 0, &deck)) {
			/* a string or number, but not a deck */
			if (osc_arg_string(types[0], argv[0]) || num_arg(&m, 0, &(double){ 0 }))
				o->stats.refused_range++;
			else
				o->stats.refused_type++;
		} else if (!deck_routes[i].handle(&m, deck)) {
			o->stats.refused_type++;
		}
		return true;
	}
	return false;
}
