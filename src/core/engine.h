/* The PipeWire side of fohd (main thread only): one pw_context whose loop is
 * embedded in sd-event, a core connection that is made when PipeWire is
 * there, torn down (outside PipeWire's callbacks) when it goes away and
 * retried until it returns, the list of audio devices, and the graph clock
 * (rate and quantum) read from the "settings" metadata. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

struct pw_core;
struct pw_loop;
struct foh_engine;

struct foh_device {
	uint32_t id;
	char *name;
	char *description;
	char *media_class;
};

struct foh_engine_events {
	/* Connection to PipeWire made (true) or lost (false). On true, modules
	 * create their nodes; on false their nodes are already gone. */
	void (*connection)(void *data, bool connected);
	/* SampleRate or Quantum changed. */
	void (*clock)(void *data);
	/* An audio node or a link appeared or went (while connected): sinks
	 * named as targets and links into foh's nodes may have changed. */
	void (*graph)(void *data);
};

int foh_engine_new(sd_event *event, const char *remote, uint32_t reconnect_ms,
		const struct foh_engine_events *events, void *data,
		struct foh_engine **out);
void foh_engine_free(struct foh_engine *e);

/* Takes effect at the next connection attempt; a changed remote reconnects. */
int foh_engine_configure(struct foh_engine *e, const char *remote, uint32_t reconnect_ms);

bool foh_engine_connected(const struct foh_engine *e);
struct pw_core *foh_engine_core(const struct foh_engine *e);
/* The loop the process callbacks run on (PipeWire's data thread). */
struct pw_loop *foh_engine_data_loop(const struct foh_engine *e);
uint32_t foh_engine_sample_rate(const struct foh_engine *e);
uint32_t foh_engine_quantum(const struct foh_engine *e);

/* Audio sources and sinks, sorted by id; valid until the next loop turn. */
const struct foh_device *foh_engine_devices(const struct foh_engine *e, size_t *n);

/* The node called name is in the graph and is a sink (media.class
 * Audio/Sink...): capturing it means capturing its monitor
 * (stream.capture.sink), not linking the default source. */
bool foh_engine_target_is_sink(const struct foh_engine *e, const char *name);

/* How many links end at (input) or start from (!input) node id. */
uint32_t foh_engine_node_links(const struct foh_engine *e, uint32_t node_id, bool input);
