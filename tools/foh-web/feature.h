/* The feature-server personality's shared state: feature.c (what goes
 * out: meta, snapshots, devices, presets, server_status; the listener) and
 * feature-in.c (what comes in: every message validated before a change). */
#pragma once

#include "foh-web/foh-web.h"

#define ANALYZER FOH_ROOT "/analyzer"
#define A_IFACE FOH_IFACE("Analyzer")

struct web_feature {
	struct web *w;
	double snapshot_hz;
	uint64_t seq;
	GSource *snap;		/* ready-time source at the snapshot rate */
	uint64_t next_snap;
	guint status_id, meta_idle;
	double ws_ms_sum;	/* time spent sending snapshots, for perf.ws */
	uint64_t ws_n;
};

typedef void (*device_fn)(void *data, uint32_t id, const char *name, const char *desc,
		const char *cls);

/* feature.c */
void feature_error(struct web_client *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* to c, or to every feature-server client when c is NULL */
void feature_send_meta(struct web *w, struct web_client *c);
void feature_send_devices(struct web *w, struct web_client *c);
void feature_send_presets(struct web *w, struct web_client *c);
JsonNode *feature_props(struct web *w, const char *path, const char *iface);
int feature_each_device(struct web *w, device_fn fn, void *data);

/* feature-in.c */
void web_feature_message(struct web_client *c, GBytes *message);
