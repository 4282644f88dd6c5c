/* rooms-media: the GStreamer side of foh-web's rooms, with no HTTP, JSON or
 * D-Bus in it (a test program can drive it alone).
 *
 * A publisher is one pipeline: webrtcbin (recvonly Opus, DTLS-SRTP) →
 * rtpopusdepay → opusdec → audioconvert/audioresample → appsink, whose
 * audio feeds a PipeWire Audio/Source node named as the caller says
 * (foh.room.<id>.<peer>, rooms-node.h). The browser offers, webrtcbin
 * answers.
 *
 * A room's programme is one pipeline: pipewiresrc (target: a node name) →
 * opusenc → rtpopuspay → appsink, encoded once; every RTP packet goes by
 * reference to each listener's own pipeline, appsrc → webrtcbin (sendonly).
 * foh offers to listeners, the browser answers.
 *
 * Every event of a peer (SDP to send, ICE candidates, ICE state, stats)
 * reaches the caller on the default GMainContext, never on a GStreamer
 * thread, and never after rm_peer_free. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct rm_conf {
	unsigned int jitter_ms;		/* webrtcbin latency for publishers */
	unsigned int bitrate;		/* programme Opus bitrate, bit/s */
	unsigned int frame_ms;		/* programme Opus frame: 10 or 20 (or 2.5, 5 as 2, 5) */
	char *stun;			/* stun://host:port or NULL */
	char *turn;			/* turn(s)://user:pass@host:port or NULL */
};

struct rm_stats {
	double bitrate_kbps;		/* media bit rate over the last interval */
	int64_t packets;		/* received (publisher) or sent (listener) */
	int64_t packets_lost;		/* -1 = unknown */
	double jitter_ms;		/* < 0 = unknown */
	double rtt_ms;			/* < 0 = unknown */
};

struct rm_events {
	/* type "offer" or "answer" */
	void (*sdp)(void *data, const char *type, const char *sdp);
	void (*candidate)(void *data, unsigned int mline, const char *candidate);
	/* GstWebRTCICEConnectionState as a word: new, checking, connected,
	 * completed, failed, disconnected, closed */
	void (*ice_state)(void *data, const char *state);
	void (*stats)(void *data, const struct rm_stats *s);
	void (*error)(void *data, const char *why);
};

struct rm_peer;
struct rm_prog;

/* NULL when every GStreamer element rooms need is there, else the name of
 * the first one missing. */
const char *rm_init(void);

/* A publisher whose audio becomes the source node node_name. */
struct rm_peer *rm_publisher_new(const struct rm_conf *c, const char *node_name,
		const struct rm_events *ev, void *data);
/* The programme of a room, captured from the node target. */
struct rm_prog *rm_prog_new(const struct rm_conf *c, const char *target);
void rm_prog_free(struct rm_prog *p);
/* Reconnects to the target, after the node behind its name was replaced. */
void rm_prog_restart(struct rm_prog *p);
unsigned int rm_prog_listeners(const struct rm_prog *p);
/* RTP packets encoded so far (once, whatever the number of listeners). */
uint64_t rm_prog_packets(struct rm_prog *p);
/* A listener of prog; its offer arrives through ev->sdp. */
struct rm_peer *rm_listener_new(struct rm_prog *prog, const struct rm_conf *c,
		const struct rm_events *ev, void *data);

/* The remote's SDP (a publisher's offer, a listener's answer); false and why
 * when it does not parse. */
bool rm_peer_remote_sdp(struct rm_peer *p, const char *type, const char *sdp, char **why);
void rm_peer_add_candidate(struct rm_peer *p, unsigned int mline, const char *candidate);
/* Asks webrtcbin for its statistics; ev->stats answers. */
void rm_peer_poll_stats(struct rm_peer *p);
/* Stops and frees; no event is delivered afterwards. */
void rm_peer_free(struct rm_peer *p);
