/* The analyzer's settings table and its cross-key checks; see
 * analyzer/settings.h for the keys. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/settings.h"
#include "core/presets.h"

#define F(field) offsetof(struct foh_analyzer_settings, field)
#define NUM(k, prop, field, lo, hi, d, unit) \
	{ k, prop, FOH_PARAM_DOUBLE, lo, hi, d, NULL, F(field), 0, unit }
#define UINT(k, prop, field, lo, hi, d) \
	{ k, prop, FOH_PARAM_UINT, lo, hi, d, NULL, F(field), 0, NULL }
#define BOOL(k, prop, field, d) \
	{ k, prop, FOH_PARAM_BOOL, 0, 1, d, NULL, F(field), 0, NULL }

const char *const foh_band_names[FOH_BAND_COUNT] = { "low", "mid", "high" };

const struct foh_param foh_analyzer_params[] = {
	{ "source", "Source", FOH_PARAM_STRING, 0, 255, 0, "", F(source),
		FOH_PARAM_STRUCTURAL | FOH_PARAM_NO_PRESET, NULL },
	/* band edges have no property each: SetBand() sets a pair, Bands shows them */
	NUM("low-lo", NULL, band_lo[0], 20, 24000, 88, "Hz"),
	NUM("low-hi", NULL, band_hi[0], 20, 24000, 184, "Hz"),
	NUM("mid-lo", NULL, band_lo[1], 20, 24000, 304, "Hz"),
	NUM("mid-hi", NULL, band_hi[1], 20, 24000, 1760, "Hz"),
	NUM("high-lo", NULL, band_lo[2], 20, 24000, 2944, "Hz"),
	NUM("high-hi", NULL, band_hi[2], 20, 24000, 13952, "Hz"),
	UINT("filter-order", "FilterOrder", filter_order, 1, 8, 2),
	NUM("low-attack", "LowAttack", attack[0], 0.005, 2, 0.015, "s"),
	/* The feature server used 4.9 and 3.1 ms, below the [5 ms, 2 s] range
	 * our interface allows: a default must be a value one can set. */
	NUM("mid-attack", "MidAttack", attack[1], 0.005, 2, 0.005, "s"),
	NUM("high-attack", "HighAttack", attack[2], 0.005, 2, 0.005, "s"),
	NUM("low-release", "LowRelease", release[0], 0.005, 2, 0.12, "s"),
	NUM("mid-release", "MidRelease", release[1], 0.005, 2, 0.09, "s"),
	NUM("high-release", "HighRelease", release[2], 0.005, 2, 0.05, "s"),
	NUM("autoscale-attack", "AutoscaleAttack", autoscale_attack, 0.001, 1, 0.255, "s"),
	NUM("autoscale-release", "AutoscaleRelease", autoscale_release, 5, 300, 30, "s"),
	NUM("noise-floor", "NoiseFloor", noise_floor, 0, 0.1, 3.2e-5, NULL),
	NUM("strength", "Strength", strength, 0, 1, 0.7, NULL),
	BOOL("fft", "FftEnabled", fft, 1),
	UINT("fft-window", "FftWindow", fft_window, 256, 8192, 1024),
	UINT("fft-hop", "FftHop", fft_hop, 64, 8192, 512),
	UINT("fft-bins", "FftBins", fft_bins, 8, 1024, 128),
	NUM("fft-min-hz", "FftMinHz", fft_min_hz, 10, 1000, 30, "Hz"),
	BOOL("raw-db", "RawDb", raw_db, 0),
	NUM("peak-smear", "PeakSmear", peak_smear, 0, 3, 0.3, "octaves"),
	BOOL("send-fft", "SendFft", send_fft, 0),
	{ "destinations", NULL, FOH_PARAM_STRING, 0, sizeof(((struct foh_analyzer_settings *)0)->destinations) - 1,
		0, "127.0.0.1:9000", F(destinations), FOH_PARAM_NO_PRESET, NULL },
};
const size_t foh_analyzer_n_params = sizeof(foh_analyzer_params) / sizeof(foh_analyzer_params[0]);

void foh_analyzer_settings_defaults(struct foh_analyzer_settings *s)
{
	memset(s, 0, sizeof(*s));
	foh_params_set_defaults(foh_analyzer_params, foh_analyzer_n_params, s);
}

static int fail(char **reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char **reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(reason, fmt, ap) < 0)
		*reason = NULL;
	va_end(ap);
	return -EINVAL;
}

int foh_analyzer_check_band(double lo, double hi, uint32_t rate, char **reason)
{
	double top = 0.45 * (rate ? rate : 48000);

	if (!(lo >= 20.0) || !(lo < top - 50.0))
		return fail(reason, "lo %g Hz is out of range; allowed range is [20, %g) Hz",
				lo, top - 50.0);
	if (!(hi > lo + 50.0) || !(hi <= top))
		return fail(reason, "hi %g Hz is out of range; it must be above lo + 50 Hz "
				"and at most %g Hz (0.45 x the sample rate)", hi, top);
	return 0;
}

int foh_osc_destination_parse(const char *text, char host[64], char port[8])
{
	const char *colon = strrchr(text, ':');
	struct in6_addr a6;
	struct in_addr a4;
	char *end;
	long p;
	size_t hlen;

	if (colon == NULL)
		return -EINVAL;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -EINVAL;
	hlen = (size_t)(colon - text);
	if (hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']') {
		text++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= 64)
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &a4) != 1 && inet_pton(AF_INET6, host, &a6) != 1)
		return -EINVAL;
	snprintf(port, 8, "%ld", p);
	return 0;
}

const char *foh_osc_destination_special(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, host, &a4) == 1) {
		uint32_t a = ntohl(a4.s_addr);
		if (a == INADDR_ANY)
			return "the unspecified address 0.0.0.0";
		if (a == INADDR_BROADCAST)
			return "the broadcast address";
		if (IN_MULTICAST(a))
			return "a multicast address";
		return NULL;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (IN6_IS_ADDR_UNSPECIFIED(&a6))
			return "the unspecified address ::";
		if (IN6_IS_ADDR_MULTICAST(&a6))
			return "a multicast address";
	}
	return NULL;
}

static const struct { const char *name; unsigned bit; } dest_options[] = {
	{ "fft", FOH_OSC_DEST_FFT },
	{ "lmh-raw", FOH_OSC_DEST_LMH_RAW },
	{ "idle", FOH_OSC_DEST_IDLE },
	{ "web", FOH_OSC_DEST_WEB },
};

int foh_osc_destination_split(const char *item, char host[64], char port[8], unsigned *options)
{
	char copy[FOH_ANALYZER_DESTINATIONS_LEN], *save = NULL, *word;

	snprintf(copy, sizeof(copy), "%s", item);
	*options = 0;
	if ((word = strtok_r(copy, " \t", &save)) == NULL ||
	    foh_osc_destination_parse(word, host, port) < 0)
		return -EINVAL;
	while ((word = strtok_r(NULL, " \t", &save)) != NULL) {
		size_t i;
		for (i = 0; i < sizeof(dest_options) / sizeof(dest_options[0]); i++)
			if (strcmp(word, dest_options[i].name) == 0)
				break;
		if (i == sizeof(dest_options) / sizeof(dest_options[0]))
			return -EINVAL;
		*options |= dest_options[i].bit;
	}
	return 0;
}

void foh_osc_destination_format(const char *item, char *out, size_t len)
{
	char host[64], port[8];
	unsigned options;
	size_t n;

	while (*item == ' ' || *item == '\t')
		item++;
	n = strcspn(item, " \t");
	snprintf(out, len, "%.*s", (int)n, item);
	if (foh_osc_destination_split(item, host, port, &options) < 0)
		return;
	for (size_t i = 0; i < sizeof(dest_options) / sizeof(dest_options[0]); i++)
		if (options & dest_options[i].bit) {
			n = strlen(out);
			snprintf(out + n, len - n, " %s", dest_options[i].name);
		}
}

bool foh_osc_destinations_live(const char *list)
{
	char copy[FOH_ANALYZER_DESTINATIONS_LEN], host[64], port[8], *save = NULL;
	unsigned options;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (foh_osc_destination_split(tok, host, port, &options) == 0 &&
		    !(options & FOH_OSC_DEST_IDLE))
			return true;
	return false;
}

static int check_destinations(const char *list, char **reason)
{
	char copy[sizeof(((struct foh_analyzer_settings *)0)->destinations)];
	char host[64], port[8], *save = NULL;
	unsigned options;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (foh_osc_destination_split(tok, host, port, &options) < 0) {
			if (asprintf(reason, "destination \"%s\" is not ip:port (numeric IPv4, or "
						"[IPv6]:port; port 1..65535) followed by options "
						"\"fft\", \"lmh-raw\", \"idle\" and \"web\"", tok) < 0)
				*reason = NULL;
			return -EINVAL;
		}
		if (++n > FOH_ANALYZER_MAX_DESTINATIONS)
			return fail(reason, "more than %d destinations", FOH_ANALYZER_MAX_DESTINATIONS);
	}
	return 0;
}

int foh_analyzer_settings_check(const struct foh_analyzer_settings *s, uint32_t rate,
		char **reason)
{
	int res;

	for (int b = 0; b < FOH_BAND_COUNT; b++) {
		char *why = NULL;
		if (foh_analyzer_check_band(s->band_lo[b], s->band_hi[b], rate, &why) < 0) {
			if (asprintf(reason, "%s band: %s", foh_band_names[b], why ? why : "") < 0)
				*reason = NULL;
			free(why);
			return -EINVAL;
		}
	}
	if (s->fft_window & (s->fft_window - 1))
		return fail(reason, "fft-window %u is not a power of two in [256, 8192]",
				s->fft_window);
	if (s->fft_hop > s->fft_window)
		return fail(reason, "fft-hop %u is larger than fft-window %u", s->fft_hop,
				s->fft_window);
	if ((res = check_destinations(s->destinations, reason)) < 0)
		return res;
	return 0;
}
