/* Links fohd makes itself, by node name, for nodes WirePlumber cannot link.
 *
 * WirePlumber 0.4 links streams (pw_stream, adapter nodes) but not a
 * pw_filter node ("no usable format"), and one pw_filter node with input
 * and output ports costs a third of a capture/playback stream pair (bench
 * node-cost, issue 14). This unit keeps such a node's ports linked to a
 * target named like a stream's target.object:
 *
 *   own input ports  ← a sink's monitor ports (the sink-capture rule: naming
 *                      a sink captures what plays into it), a source's
 *                      capture ports, or a stream's output ports;
 *   own output ports → a sink's or a stream's input ports.
 *
 * Ports pair by audio.channel (FL→FL); a MONO port pairs with every port of
 * the other side (PipeWire sums what several links bring to one input), and
 * the rest by order. Links follow the registry: made when the own node and
 * the target appear, dropped with them, made again when they come back,
 * moved when the target changes (or, for FOH_LINKS_DEFAULT, when the default
 * does). They are object.linger = false (they end
 * with fohd) and link.passive when asked, so a passive link keeps no driver
 * running. Main thread only; the work is done once per burst of registry
 * events (a loop event), not per event. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/defs.h>

struct pw_core;
struct foh_links;

/* As a target: the default source for own inputs, the default sink for own
 * outputs (the "default" metadata's default.audio.source/sink, which
 * WirePlumber keeps), followed when it changes. */
#define FOH_LINKS_DEFAULT "@DEFAULT@"

int foh_links_new(struct pw_core *core, struct foh_links **out);
/* Destroys the links it made. */
void foh_links_free(struct foh_links *l);

/* Sets (or replaces) the want called id: the ports of the node named own
 * whose port.name starts with prefix ("" all) in direction dir, linked to
 * the node named target ("" none: the want's links go). Returns -EINVAL
 * for a NULL or over-long name. */
int foh_links_set(struct foh_links *l, uint32_t id, const char *own, const char *prefix,
		enum spa_direction dir, const char *target, bool passive);
void foh_links_unset(struct foh_links *l, uint32_t id);
/* Links of the want that PipeWire has made and that still exist. */
uint32_t foh_links_count(const struct foh_links *l, uint32_t id);
