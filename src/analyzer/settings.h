/* Settings of the analyzer (L/M/H bands, smoothing, auto-scaler, FFT, OSC),
 * as keys of [analyzer] in foh.conf and properties of
 * org.foh.Foh1.Analyzer — one table describes both, plus the checks that
 * span several keys (band edges).
 *
 * Keys of [analyzer] (defaults are the feature server's):
 *   source                 "" = the default source, "channel/N" = a foh
 *                          channel's output, else a PipeWire node.name  ("")
 *   low-lo, low-hi, mid-lo, mid-hi, high-lo, high-hi
 *                          band edges, Hz: lo >= 20, hi > lo + 50, hi <= 0.45 sr
 *                          (88, 184, 304, 1760, 2944, 13952)
 *   filter-order           band-pass order 1..8                       (2)
 *   low-attack, mid-attack, high-attack     smoother attack τ, s [0.005, 2]
 *                          (0.015, 0.005, 0.005; the feature server's 4.9
 *                          and 3.1 ms lie below the allowed range)
 *   low-release, mid-release, high-release  smoother release τ, s [0.005, 2]
 *                          (0.12, 0.09, 0.05)
 *   autoscale-attack       peak follower attack τ, s [0.001, 1]        (0.255)
 *   autoscale-release      peak follower release τ, s [5, 300]         (30)
 *   noise-floor            linear RMS [0, 0.1]                         (3.2e-5)
 *   strength               auto-scaled vs dB baseline [0, 1]           (0.7)
 *   fft                    run the FFT                                 (true)
 *   fft-window             samples, 256..8192, a power of two          (1024)
 *   fft-hop                samples, 64..fft-window                     (512)
 *   fft-bins               log bins [8, 1024]                          (128)
 *   fft-min-hz             lowest log bin edge, Hz [10, 1000]          (30)
 *   raw-db                 send raw dB instead of [0, 1] bins          (false)
 *   peak-smear             Gaussian smear, octaves [0, 3]              (0.3)
 *   send-fft               send /audio/fft over OSC                    (false)
 *   destinations           comma-separated list of up to 16 ip:port, each
 *                          optionally followed by options (space-separated):
 *                          "fft" (this destination gets /audio/fft while the
 *                          FFT runs, whatever send-fft says), "lmh-raw" (it
 *                          also gets /audio/lmh_raw, the bands' smoothed RMS
 *                          before the auto-scaler), "web" (foh-web's own
 *                          feed: there is one, and AddDestination of a
 *                          "web" destination replaces any other one)
 *                                                      ("127.0.0.1:9000")
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/params.h"

#define FOH_ANALYZER_MAX_DESTINATIONS 16
/* "[ipv6]:port fft lmh-raw web" fits in 64 */
#define FOH_ANALYZER_DESTINATIONS_LEN (FOH_ANALYZER_MAX_DESTINATIONS * 64)

/* Options of one destination. */
enum {
	FOH_OSC_DEST_FFT = 1u << 0,	/* /audio/fft whether send-fft is on or not */
	FOH_OSC_DEST_LMH_RAW = 1u << 1,	/* /audio/lmh_raw */
	FOH_OSC_DEST_WEB = 1u << 2,	/* foh-web's feed: one at a time */
	FOH_OSC_DEST_IDLE = 1u << 3,	/* kept, sent nothing: no one reads it now */
};

enum foh_band { FOH_BAND_LOW, FOH_BAND_MID, FOH_BAND_HIGH, FOH_BAND_COUNT };

struct foh_analyzer_settings {
	char source[256];
	double band_lo[FOH_BAND_COUNT], band_hi[FOH_BAND_COUNT];
	uint32_t filter_order;
	double attack[FOH_BAND_COUNT], release[FOH_BAND_COUNT];
	double autoscale_attack, autoscale_release, noise_floor, strength;
	bool fft;
	uint32_t fft_window, fft_hop, fft_bins;
	double fft_min_hz;
	bool raw_db;
	double peak_smear;
	bool send_fft;
	char destinations[FOH_ANALYZER_DESTINATIONS_LEN];
};

extern const struct foh_param foh_analyzer_params[];
extern const size_t foh_analyzer_n_params;

extern const char *const foh_band_names[FOH_BAND_COUNT];

void foh_analyzer_settings_defaults(struct foh_analyzer_settings *s);

/* Checks what single keys cannot: band edges against each other and the
 * sample rate (0: assume 48 kHz), window/hop, the destination list, the
 * source. On failure returns -EINVAL and sets *reason (free()). */
int foh_analyzer_settings_check(const struct foh_analyzer_settings *s, uint32_t rate,
		char **reason);

/* One band's edges; the reason gives the allowed range. */
int foh_analyzer_check_band(double lo, double hi, uint32_t rate, char **reason);

/* Parses "ip:port" (IPv4, or [IPv6]:port); host and port are written on
 * success. Names are refused: a DNS lookup could stall the sender. */
int foh_osc_destination_parse(const char *text, char host[64], char port[8]);
/* Why a parsed host is no place to send features to without being asked
 * explicitly (the unspecified address, broadcast, multicast), or NULL. */
const char *foh_osc_destination_special(const char *host);
/* Splits one destination item, "ip:port [option...]", into its address
 * (parsed as above: host and port written) and its FOH_OSC_DEST_* options;
 * -EINVAL for a bad address or an unknown option. */
int foh_osc_destination_split(const char *item, char host[64], char port[8], unsigned *options);
/* The item's canonical text: the address as given, then its options in a
 * fixed order ("127.0.0.1:9000 fft lmh-raw"). */
void foh_osc_destination_format(const char *item, char *out, size_t len);
/* Whether a destinations list has one that is sent to (not "idle"). */
bool foh_osc_destinations_live(const char *list);
