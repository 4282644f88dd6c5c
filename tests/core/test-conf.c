/* Unit tests of foh.conf loading and validation: the shipped default equals
 * the built-in defaults, valid values are taken, and every kind of bad file
 * is refused with a message that names the file and the key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/conf.h"

static char *tmpdir;

static char *write_file(const char *name, const void *data, size_t len)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	g_autoptr(GError) err = NULL;

	g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
	return path;
}

static void test_shipped_default_matches_builtins(void)
{
	struct foh_conf *file = NULL, *builtin = foh_conf_new_defaults();
	g_autofree char *error = NULL;

	g_assert_cmpint(foh_conf_load(g_getenv("FOH_DEFAULT_CONF"), &file, &error), ==, 0);
	g_assert_null(error);
	g_assert_cmpint(file->log_level, ==, builtin->log_level);
	g_assert_cmpstr(file->pipewire_remote, ==, builtin->pipewire_remote);
	g_assert_cmpuint(file->reconnect_interval_ms, ==, builtin->reconnect_interval_ms);
	g_assert_cmpuint(file->channels, ==, builtin->channels);
	g_assert_cmpuint(file->meter_rate, ==, builtin->meter_rate);
	g_assert_cmpmem(file->channel, sizeof(file->channel), builtin->channel, sizeof(builtin->channel));
	foh_conf_free(file);
	foh_conf_free(builtin);
}

static void test_valid_values(void)
{
	static const char text[] =
		"# comment\n[daemon]\nlog-level=debug\npipewire-remote = pipewire-1\n"
		"reconnect-interval-ms=250\n";
	g_autofree char *path = write_file("valid.conf", text, strlen(text));
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL;

	g_assert_cmpint(foh_conf_load(path, &c, &error), ==, 0);
	g_assert_cmpint(c->log_level, ==, FOH_LOG_DEBUG);
	g_assert_cmpstr(c->pipewire_remote, ==, "pipewire-1");
	g_assert_cmpuint(c->reconnect_interval_ms, ==, 250);
	g_assert_cmpstr(c->path, ==, path);
	foh_conf_free(c);
}

/* Loads data and expects a refusal whose message holds every needle. */
static void expect_refused(const char *what, const void *data, size_t len,
		const char *needle1, const char *needle2)
{
	g_autofree char *path = write_file("bad.conf", data, len);
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL;
	int res = foh_conf_load(path, &c, &error);

	if (res >= 0 || c != NULL || error == NULL)
		g_error("%s: was accepted", what);
	g_test_message("%s -> %s", what, error);
	if (strstr(error, path) == NULL)
		g_error("%s: message does not name the file: %s", what, error);
	if (needle1 && strstr(error, needle1) == NULL)
		g_error("%s: message lacks '%s': %s", what, needle1, error);
	if (needle2 && strstr(error, needle2) == NULL)
		g_error("%s: message lacks '%s': %s", what, needle2, error);
}

#define REFUSE(what, text, n1, n2) expect_refused(what, text, strlen(text), n1, n2)

static void test_refusals(void)
{
	static const unsigned char garbage[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 0xff, 0xfe, '\n' };
	static const unsigned char bad_utf8[] = "[daemon]\nlog-level=\xc3\x28\n";
	size_t big_len = 10 * 1024 * 1024;
	g_autofree char *big = g_malloc(big_len);

	REFUSE("syntax error", "[daemon\nlog-level=info\n", "syntax error", NULL);
	REFUSE("line without =", "[daemon]\nlog-level\n", "syntax error", NULL);
	REFUSE("wrong type", "[daemon]\nreconnect-interval-ms=soon\n",
			"reconnect-interval-ms", "integer");
	REFUSE("trailing junk in number", "[daemon]\nreconnect-interval-ms=100ms\n",
			"reconnect-interval-ms", "integer");
	REFUSE("below range", "[daemon]\nreconnect-interval-ms=99\n",
			"reconnect-interval-ms", "out of range");
	REFUSE("above range", "[daemon]\nreconnect-interval-ms=10001\n",
			"reconnect-interval-ms", "[100, 10000]");
	REFUSE("huge number", "[daemon]\nreconnect-interval-ms=99999999999999999999999\n",
			"reconnect-interval-ms", "99999999999999999999999 is out of range");
	REFUSE("unknown enum", "[daemon]\nlog-level=loud\n", "log-level", "debug");
	REFUSE("unknown key", "[daemon]\nlog-levle=info\n", "log-levle", "unknown key");
	REFUSE("unknown section", "[deamon]\nlog-level=info\n", "[deamon]", "unknown section");
	expect_refused("binary garbage", garbage, sizeof(garbage), "binary", NULL);
	expect_refused("invalid UTF-8", bad_utf8, sizeof(bad_utf8) - 1, "UTF-8", NULL);
	memset(big, '#', big_len);
	expect_refused("10 MB", big, big_len, "limit", NULL);
}

static void test_channel_sections(void)
{
	static const char text[] =
		"[daemon]\nchannels = 2\nmeter-rate = 20\n"
		"[channel.2]\nname = Host mic\ninput = alsa_input.usb\naudio-channels = 1\n"
		"comp-threshold = -18.5\nmute = true\neq-band3-gain = -4\n";
	g_autofree char *path = write_file("valid.conf", text, strlen(text));
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL;

	g_assert_cmpint(foh_conf_load(path, &c, &error), ==, 0);
	g_assert_cmpuint(c->channels, ==, 2);
	g_assert_cmpuint(c->meter_rate, ==, 20);
	g_assert_cmpstr(c->channel[1].name, ==, "Host mic");
	g_assert_cmpstr(c->channel[1].input, ==, "alsa_input.usb");
	g_assert_cmpuint(c->channel[1].audio_channels, ==, 1);
	g_assert_cmpfloat(c->channel[1].comp_threshold, ==, -18.5);
	g_assert_true(c->channel[1].mute);
	g_assert_cmpfloat(c->channel[1].eq_band[2].gain, ==, -4.0);
	/* Channel 1 keeps the documented defaults. */
	g_assert_cmpfloat(c->channel[0].comp_threshold, ==, -20.0);
	g_assert_cmpfloat(c->channel[0].comp_ratio, ==, 2.0);
	g_assert_cmpfloat(c->channel[0].limiter_ceiling, ==, -3.0);
	g_assert_false(c->channel[0].mute);
	g_assert_cmpuint(c->channel[0].audio_channels, ==, 2);
	foh_conf_free(c);
}

static void test_channel_refusals(void)
{
	REFUSE("channel beyond count", "[daemon]\nchannels = 4\n[channel.5]\ngain = 1\n",
			"[channel.5]", "only 4 channels");
	REFUSE("channel zero", "[channel.0]\ngain = 1\n", "[channel.0]", "1..64");
	REFUSE("channel not a number", "[channel.x]\ngain = 1\n", "[channel.x]", NULL);
	REFUSE("too many channels", "[daemon]\nchannels = 65\n", "channels", "[0, 64]");
	REFUSE("NaN", "[channel.1]\ncomp-ratio = nan\n", "comp-ratio", "finite");
	REFUSE("infinity", "[channel.1]\ngain = inf\n", "gain", "finite");
	REFUSE("double out of range", "[channel.1]\ncomp-ratio = 0.5\n", "comp-ratio", "[1, 100]");
	REFUSE("bad bool", "[channel.1]\nmute = maybe\n", "mute", "true or false");
	REFUSE("mono/stereo only", "[channel.1]\naudio-channels = 3\n", "audio-channels", NULL);
	REFUSE("control character", "[channel.1]\nname = a\tb\n", "name", "control character");
	REFUSE("meter rate", "[daemon]\nmeter-rate = 31\n", "meter-rate", "[1, 30]");
	REFUSE("analyzer band order", "[analyzer]\nmid-lo = 2000\nmid-hi = 1900\n",
			"[analyzer]", "mid band");
	REFUSE("analyzer destination", "[analyzer]\ndestinations = 127.0.0.1:9000, example.org:9\n",
			"[analyzer]", "example.org:9");
	REFUSE("analyzer fft window", "[analyzer]\nfft-window = 1000\n", "fft-window", "power of two");
	REFUSE("x32 address", "[x32]\naddress = desk.local\n", "[x32]", "numeric");
	REFUSE("stabilizer output", "[stabilizer]\noutput = bus17\n", "[stabilizer]", "bus1..bus16");
	REFUSE("stabilizer source", "[stabilizer]\nsource = mic\n", "[stabilizer]", "x32 or channel/N");
	REFUSE("stabilizer mode", "[stabilizer]\nmode = fast\n", "[stabilizer]", "allowed: \"two-speed\", \"single\", \"leveler\"");
	REFUSE("stabilizer knob", "[stabilizer]\nslew-db = 0\n", "slew-db", "[0.1, 12]");
	REFUSE("stabilizer moderate step", "[stabilizer]\nmoderate-step-db = 1.5\n", "moderate-step-db",
			"[2, 30]");
	REFUSE("stabilizer fader range", "[stabilizer]\nfader-min-db = -10\nfader-max-db = -20\n",
			"[stabilizer]", "fader");
}

/* Saving keeps the user's comments, writes what differs from the default,
 * and what it writes loads back to the same settings. */
static void test_save_round_trip(void)
{
	static const char text[] = "# my booth\n[daemon]\n# two mics\nchannels = 2\n";
	g_autofree char *path = write_file("valid.conf", text, strlen(text));
	g_autofree char *error = NULL, *saved = NULL;
	struct foh_conf *c = NULL, *back = NULL;

	g_assert_cmpint(foh_conf_load(path, &c, &error), ==, 0);
	c->channel[1].gain = 4.5;
	c->channel[1].leveler_quieter = 1.25;
	c->channel[1].leveler_moderate = 4.5;
	c->stabilizer.p.moderate_step_db = 4.25;
	c->channel[0].mute = true;
	snprintf(c->channel[0].name, sizeof(c->channel[0].name), "Pastor");
	g_assert_cmpint(foh_conf_save(c, path), ==, 0);
	g_assert_true(g_file_get_contents(path, &saved, NULL, NULL));
	g_assert_nonnull(strstr(saved, "# my booth"));
	g_assert_nonnull(strstr(saved, "# two mics"));
	g_assert_null(strstr(saved, "comp-ratio"));
	g_assert_cmpint(foh_conf_load(path, &back, &error), ==, 0);
	g_assert_cmpfloat(back->channel[1].gain, ==, 4.5);
	g_assert_cmpfloat(back->channel[1].leveler_quieter, ==, 1.25);
	g_assert_cmpfloat(back->channel[1].leveler_moderate, ==, 4.5);
	g_assert_nonnull(strstr(saved, "moderate-step-db"));
	g_assert_cmpfloat(back->stabilizer.p.moderate_step_db, ==, 4.25);
	g_assert_true(back->channel[0].mute);
	g_assert_cmpstr(back->channel[0].name, ==, "Pastor");
	g_assert_cmpuint(back->channels, ==, 2);
	foh_conf_free(c);
	foh_conf_free(back);
}

/* Settings equal, wherever they came from. */
static bool same_settings(const struct foh_conf *a, const struct foh_conf *b)
{
	struct foh_conf x = *a, y = *b;

	x.path = y.path = NULL;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* A file with no keys is all defaults: empty, or only comments. */
static void test_empty_is_defaults(void)
{
	static const char *const texts[] = { "", "\n", "# nothing here\n\n# at all\n" };
	struct foh_conf *builtin = foh_conf_new_defaults();

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *path = write_file("valid.conf", texts[i], strlen(texts[i]));
		g_autofree char *error = NULL;
		struct foh_conf *c = NULL;

		if (foh_conf_load(path, &c, &error) < 0)
			g_error("\"%s\" refused: %s", texts[i], error);
		g_assert_true(same_settings(c, builtin));
		foh_conf_free(c);
	}
	foh_conf_free(builtin);
}

/* Issue 13: a fresh install, a property set and set back, saved: the file
 * must load again, to the same settings (it used to be 0 bytes, refused). */
static void test_save_defaults_round_trip(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "fresh.conf", NULL);
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL, *back = NULL, *again = NULL;

	(void)g_remove(path);
	g_assert_cmpint(foh_conf_load(NULL, &c, &error), ==, 0);
	c->channel[0].gain = -6.0;
	c->channel[0].gain = 0.0;		/* and back */
	g_assert_cmpint(foh_conf_save(c, path), ==, 0);
	if (foh_conf_load(path, &back, &error) < 0)
		g_error("saved defaults refused: %s", error);
	g_assert_true(same_settings(c, back));
	/* load -> save -> load, with values away from the defaults too */
	back->channel[2].comp_ratio = 4.0;
	back->analyzer.strength = 0.55;
	snprintf(back->x32.address, sizeof(back->x32.address), "192.0.2.7");
	g_assert_cmpint(foh_conf_save(back, path), ==, 0);
	if (foh_conf_load(path, &again, &error) < 0)
		g_error("saved settings refused: %s", error);
	g_assert_true(same_settings(back, again));
	foh_conf_free(again);
	again = NULL;
	back->channel[2].comp_ratio = 2.0;
	back->analyzer.strength = 0.7;
	memset(back->x32.address, 0, sizeof(back->x32.address));
	g_assert_true(same_settings(back, c));
	g_assert_cmpint(foh_conf_save(back, path), ==, 0);
	if (foh_conf_load(path, &again, &error) < 0)
		g_error("settings saved back to defaults refused: %s", error);
	g_assert_true(same_settings(again, c));
	foh_conf_free(c);
	foh_conf_free(back);
	foh_conf_free(again);
	(void)g_remove(path);
}

/* A reload over unsaved changes keeps them, except where the file changed
 * that setting itself. */
static void test_carry_changes(void)
{
	struct foh_conf *base = foh_conf_new_defaults(), *mine = foh_conf_dup(base),
		*file = foh_conf_dup(base);

	mine->channel[0].comp_ratio = 4.0;	/* set over D-Bus, not saved yet */
	mine->channel[0].gain = -3.0;		/* ... this one too */
	file->channel[0].gain = 6.0;		/* but the file says otherwise */
	file->log_level = FOH_LOG_DEBUG;	/* the file's own change */
	g_assert_cmpuint(foh_conf_carry_changes(file, base, mine), ==, 1);
	g_assert_cmpfloat(file->channel[0].comp_ratio, ==, 4.0);
	g_assert_cmpfloat(file->channel[0].gain, ==, 6.0);
	g_assert_cmpint(file->log_level, ==, FOH_LOG_DEBUG);
	foh_conf_free(base);
	foh_conf_free(mine);
	foh_conf_free(file);
}

static void test_missing_file(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "absent.conf", NULL);
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL;

	g_assert_cmpint(foh_conf_load(path, &c, &error), ==, -ENOENT);
	g_assert_null(c);
	g_assert_nonnull(strstr(error, path));
}

static void test_builtin_defaults(void)
{
	g_autofree char *error = NULL;
	struct foh_conf *c = NULL;

	g_assert_cmpint(foh_conf_load(NULL, &c, &error), ==, 0);
	g_assert_null(c->path);
	g_assert_cmpint(c->log_level, ==, FOH_LOG_INFO);
	g_assert_cmpuint(c->reconnect_interval_ms, ==, 1000);
	foh_conf_free(c);
}

int main(int argc, char **argv)
{
	int res;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("foh-test-conf-XXXXXX", NULL);
	g_test_add_func("/conf/shipped-default", test_shipped_default_matches_builtins);
	g_test_add_func("/conf/valid", test_valid_values);
	g_test_add_func("/conf/refusals", test_refusals);
	g_test_add_func("/conf/channels", test_channel_sections);
	g_test_add_func("/conf/channel-refusals", test_channel_refusals);
	g_test_add_func("/conf/save-round-trip", test_save_round_trip);
	g_test_add_func("/conf/empty-is-defaults", test_empty_is_defaults);
	g_test_add_func("/conf/save-defaults-round-trip", test_save_defaults_round_trip);
	g_test_add_func("/conf/carry-changes", test_carry_changes);
	g_test_add_func("/conf/missing", test_missing_file);
	g_test_add_func("/conf/builtin", test_builtin_defaults);
	res = g_test_run();
	for (size_t i = 0; i < 2; i++) {
		g_autofree char *p = g_build_filename(tmpdir,
				i == 0 ? "valid.conf" : "bad.conf", NULL);
		(void)g_remove(p);
	}
	(void)g_rmdir(tmpdir);
	g_free(tmpdir);
	return res;
}
