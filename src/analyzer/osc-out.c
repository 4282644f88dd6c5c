/* OSC feature stream sender; see analyzer/osc-out.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "analyzer/osc-out.h"

struct foh_osc_out {
	lo_address addr[FOH_ANALYZER_MAX_DESTINATIONS];
	unsigned n;
};

int foh_osc_out_new(const char *destinations, struct foh_osc_out **out)
{
	char copy[FOH_ANALYZER_MAX_DESTINATIONS * 48], host[64], port[8], *save = NULL;
	struct foh_osc_out *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return -ENOMEM;
	snprintf(copy, sizeof(copy), "%s", destinations);
	for (char *tok = strtok_r(copy, ",", &save); tok && o->n < FOH_ANALYZER_MAX_DESTINATIONS;
			tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (foh_osc_destination_parse(tok, host, port) < 0) {
			foh_osc_out_free(o);
			return -EINVAL;
		}
		if ((o->addr[o->n] = lo_address_new(host, port)) == NULL) {
			foh_osc_out_free(o);
			return -ENOMEM;
		}
		o->n++;
	}
	*out = o;
	return 0;
}

void foh_osc_out_free(struct foh_osc_out *o)
{
	if (o == NULL)
		return;
	for (unsigned i = 0; i < o->n; i++)
		lo_address_free(o->addr[i]);
	free(o);
}

unsigned foh_osc_out_count(const struct foh_osc_out *o)
{
	return o ? o->n : 0;
}

static unsigned send_all(struct foh_osc_out *o, const char *path, lo_message m)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < o->n; i++)
		if (lo_send_message(o->addr[i], path, m) < 0)
			failed++;
	lo_message_free(m);
	return failed;
}

unsigned foh_osc_send_meta(struct foh_osc_out *o, int32_t rate, int32_t block, int32_t bins,
		const float edges[6])
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_int32(m, rate);
	lo_message_add_int32(m, block);
	lo_message_add_int32(m, bins);
	for (int i = 0; i < 6; i++)
		lo_message_add_float(m, edges[i]);
	return send_all(o, "/audio/meta", m);
}

unsigned foh_osc_send_lmh(struct foh_osc_out *o, const float lmh[3])
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	for (int i = 0; i < 3; i++)
		lo_message_add_float(m, lmh[i]);
	return send_all(o, "/audio/lmh", m);
}

unsigned foh_osc_send_fft(struct foh_osc_out *o, const float *bins, uint32_t n)
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	for (uint32_t i = 0; i < n; i++)
		lo_message_add_float(m, bins[i]);
	return send_all(o, "/audio/fft", m);
}

unsigned foh_osc_send_onset(struct foh_osc_out *o, enum foh_band band)
{
	static const char *const paths[FOH_BAND_COUNT] = {
		"/audio/onset/low", "/audio/onset/mid", "/audio/onset/high",
	};
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_int32(m, 1);
	return send_all(o, paths[band], m);
}

unsigned foh_osc_send_bpm(struct foh_osc_out *o, float bpm)
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return o->n;
	lo_message_add_float(m, bpm);
	return send_all(o, "/audio/bpm", m);
}
