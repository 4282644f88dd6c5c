/* rooms-media: publisher and programme pipelines of foh-web's rooms
 * (see rooms-media.h for their shape).
 *
 * Threads: webrtcbin emits on-ice-candidate, on-negotiation-needed, its
 * promises and notify::ice-connection-state on its own threads, pad-added
 * on a streaming thread. Those handlers only take a reference and post a
 * job to the default GMainContext; the peer's owner sees every event there.
 * A handler first checks, under one lock, that the peer is still alive
 * (rm_peer_free marks it dead before it tears down), so no event reaches a
 * freed peer and no handler touches freed memory. */
#include <errno.h>
#include <math.h>
#include <string.h>

#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "foh-web/rooms-media.h"
#include "foh-web/rooms-node.h"
#include "util/log.h"

#define OPUS_CAPS "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000"
#define PROG_PT 96

struct rm_prog {
	GstElement *pipeline;
	GMutex lock;			/* guards outs: the appsink's thread reads it */
	GPtrArray *outs;		/* GstPad* feeding each connected listener's webrtcbin */
	GPtrArray *snap;		/* appsink's thread: outs as it pushes, referenced */
	unsigned int listeners;
	guint bus_watch;
	char *target;
	uint64_t packets;		/* encoded RTP packets (under lock) */
	guint32 ssrc;			/* the payloader's, announced in every offer */
	GstClock *clock;		/* every listener pipeline's: the system clock */
	GstClockTime base;		/* ... and their one base time */
	/* the RTP clock locked to the monotonic clock (appsink's thread) */
	bool started;
	guint32 in_ts, out_ts;		/* last packet's timestamp, as encoded and as sent */
	guint16 seq_off;		/* sent - encoded sequence number */
	bool pay_seen;			/* (under lock) a packet came: pay_seq is its */
	guint16 pay_seq;		/* (under lock) the last packet's, as encoded */
	gint32 behind, last_behind;	/* stale packets in a row, how stale the last */
	uint64_t dropped;		/* (under lock) stale packets not sent */
	gint32 lag;			/* least (monotonic - sent) timestamp seen */
	uint64_t rebases;		/* (under lock) times the programme lost real time */
};

struct rm_peer {
	gint refs;
	bool dead;			/* under peer_lock */
	bool publisher;
	bool linked;			/* publisher: webrtcbin's src pad is linked */
	GstElement *pipeline;		/* its own: publisher or listener */
	GstElement *webrtc, *tail;
	GstPad *out;			/* listener: ours, linked to webrtcbin's sink pad */
	bool fed;			/* listener: out is in prog->outs (under prog->lock) */
	struct rm_node *node;		/* publisher: its PipeWire node */
	struct rm_prog *prog;
	guint bus_watch;
	const struct rm_events *ev;
	void *data;
	/* stats, main thread */
	uint64_t last_bytes;
	int64_t last_at;
};

static GMutex peer_lock;

static void peer_unref(struct rm_peer *p)
{
	if (!g_atomic_int_dec_and_test(&p->refs))
		return;
	if (p->webrtc)
		gst_object_unref(p->webrtc);
	if (p->out)
		gst_object_unref(p->out);
	if (p->tail)
		gst_object_unref(p->tail);
	if (p->pipeline)
		gst_object_unref(p->pipeline);
	g_free(p);
}

/* A reference for a handler on a GStreamer thread, unless the peer is being
 * freed. */
static bool peer_hold(struct rm_peer *p)
{
	bool alive;

	g_mutex_lock(&peer_lock);
	alive = !p->dead;
	if (alive)
		g_atomic_int_inc(&p->refs);
	g_mutex_unlock(&peer_lock);
	return alive;
}

/* Jobs: events carried to the main context */

enum job_kind { JOB_SDP, JOB_CANDIDATE, JOB_ICE, JOB_STATS, JOB_ERROR };

struct job {
	struct rm_peer *p;		/* a reference */
	enum job_kind kind;
	char *type, *text;
	unsigned int mline;
	uint64_t bytes;
	struct rm_stats st;
};

static void job_free(gpointer data)
{
	struct job *j = data;

	peer_unref(j->p);
	g_free(j->type);
	g_free(j->text);
	g_free(j);
}

static void stats_done(struct rm_peer *p, struct job *j)
{
	int64_t now = g_get_monotonic_time();

	if (p->last_at > 0 && now > p->last_at && j->bytes >= p->last_bytes)
		j->st.bitrate_kbps = (double)(j->bytes - p->last_bytes) * 8.0 /
			(double)(now - p->last_at) * 1000.0;
	p->last_bytes = j->bytes;
	p->last_at = now;
	p->ev->stats(p->data, &j->st);
}

static gboolean job_run(gpointer data)
{
	struct job *j = data;
	struct rm_peer *p = j->p;

	if (p->dead)
		return G_SOURCE_REMOVE;
	switch (j->kind) {
	case JOB_SDP: p->ev->sdp(p->data, j->type, j->text); break;
	case JOB_CANDIDATE: p->ev->candidate(p->data, j->mline, j->text); break;
	case JOB_ICE: p->ev->ice_state(p->data, j->text); break;
	case JOB_STATS: stats_done(p, j); break;
	case JOB_ERROR: p->ev->error(p->data, j->text); break;
	}
	return G_SOURCE_REMOVE;
}

/* Takes over j (and the reference it holds). */
static void post(struct job *j)
{
	g_idle_add_full(G_PRIORITY_DEFAULT, job_run, j, job_free);
}

static struct job *job_new(struct rm_peer *p, enum job_kind kind)
{
	struct job *j = g_new0(struct job, 1);

	g_atomic_int_inc(&p->refs);
	j->p = p;
	j->kind = kind;
	return j;
}

static void post_error(struct rm_peer *p, const char *why)
{
	struct job *j = job_new(p, JOB_ERROR);

	j->text = g_strdup(why);
	post(j);
}

/* webrtcbin handlers (GStreamer threads) */

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *candidate, gpointer data)
{
	struct rm_peer *p = data;
	struct job *j;

	if (!peer_hold(p))
		return;
	j = job_new(p, JOB_CANDIDATE);
	j->mline = mline;
	j->text = g_strdup(candidate);
	post(j);
	peer_unref(p);
}

static void on_ice_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	static const char *const names[] = { "new", "checking", "connected", "completed",
		"failed", "disconnected", "closed" };
	struct rm_peer *p = data;
	GstWebRTCICEConnectionState s;
	struct job *j;

	if (!peer_hold(p))
		return;
	g_object_get(webrtc, "ice-connection-state", &s, NULL);
	j = job_new(p, JOB_ICE);
	j->text = g_strdup((unsigned int)s < G_N_ELEMENTS(names) ? names[s] : "unknown");
	post(j);
	peer_unref(p);
}

static void post_local_sdp(struct rm_peer *p, GstPromise *promise, const char *field)
{
	const GstStructure *reply = gst_promise_get_reply(promise);
	GstWebRTCSessionDescription *desc = NULL;
	struct job *j;

	if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED || reply == NULL ||
	    !gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL) ||
	    desc == NULL) {
		GError *err = NULL;
		if (reply && gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL)) {
			post_error(p, err->message);
			g_error_free(err);
		} else {
			post_error(p, field[0] == 'o' ? "webrtcbin made no offer" :
					"webrtcbin cannot answer that offer (no Opus audio in it?)");
		}
		return;
	}
	g_signal_emit_by_name(p->webrtc, "set-local-description", desc, NULL);
	j = job_new(p, JOB_SDP);
	j->type = g_strdup(field);
	j->text = gst_sdp_message_as_text(desc->sdp);
	post(j);
	gst_webrtc_session_description_free(desc);
}

/* Promise callbacks run with the reference the promise's notify drops. */
static void on_answer_created(GstPromise *promise, gpointer data)
{
	post_local_sdp(data, promise, "answer");
	gst_promise_unref(promise);
}

static void on_offer_created(GstPromise *promise, gpointer data)
{
	post_local_sdp(data, promise, "offer");
	gst_promise_unref(promise);
}

static void promise_unref_peer(gpointer data)
{
	peer_unref(data);
}

static void on_remote_set(GstPromise *promise, gpointer data)
{
	struct rm_peer *p = data;
	const GstStructure *reply = gst_promise_get_reply(promise);
	GError *err = NULL;

	if (reply && gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL)) {
		post_error(p, err->message);
		g_error_free(err);
	} else if (p->publisher && peer_hold(p)) {
		GstPromise *next = gst_promise_new_with_change_func(on_answer_created, p,
				promise_unref_peer);
		g_signal_emit_by_name(p->webrtc, "create-answer", NULL, next);
	}
	gst_promise_unref(promise);
}

static void on_negotiation_needed(GstElement *webrtc, gpointer data)
{
	struct rm_peer *p = data;
	GstPromise *promise;

	if (p->publisher || !peer_hold(p))
		return;
	promise = gst_promise_new_with_change_func(on_offer_created, p, promise_unref_peer);
	g_signal_emit_by_name(webrtc, "create-offer", NULL, promise);
}

static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	struct rm_peer *p = data;
	GstPad *sink;

	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || !peer_hold(p))
		return;
	if (!p->linked) {
		sink = gst_element_get_static_pad(p->tail, "sink");
		if (gst_pad_link(pad, sink) == GST_PAD_LINK_OK)
			p->linked = true;
		else
			post_error(p, "cannot link the publisher's audio to its decoder");
		gst_object_unref(sink);
	}
	peer_unref(p);
}

/* A listener is fed once its connection (ICE and DTLS) is up: webrtcbin
 * blocks RTP until then (its sink pad until negotiation, its SRTP encoder
 * until the DTLS keys are set), and a push into a blocked pad would hold
 * up the programme's one sending thread, and with it every listener. */
static void on_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	struct rm_peer *p = data;
	GstWebRTCPeerConnectionState s;

	g_object_get(webrtc, "connection-state", &s, NULL);
	if (s != GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED || !peer_hold(p))
		return;
	/* under peer_lock: rm_peer_free marks the peer dead, then takes its
	 * pad out, so a dead peer's pad never goes in */
	g_mutex_lock(&peer_lock);
	if (!p->dead && p->prog && p->out) {
		g_mutex_lock(&p->prog->lock);
		if (!p->fed) {
			g_ptr_array_add(p->prog->outs, gst_object_ref(p->out));
			p->fed = true;
		}
		g_mutex_unlock(&p->prog->lock);
	}
	g_mutex_unlock(&peer_lock);
	peer_unref(p);
}

/* Statistics */

static double field_num(const GstStructure *s, const char *name)
{
	const GValue *v = gst_structure_get_value(s, name);
	GValue d = G_VALUE_INIT;
	double r;

	if (v == NULL)
		return NAN;
	g_value_init(&d, G_TYPE_DOUBLE);
	if (!g_value_transform(v, &d))
		return NAN;
	r = g_value_get_double(&d);
	g_value_unset(&d);
	return r;
}

struct stats_acc {
	struct job *j;
	bool publisher;
};

static gboolean stats_field(GQuark q, const GValue *v, gpointer data)
{
	struct stats_acc *a = data;
	const GstStructure *s;
	GstWebRTCStatsType type;
	double x;

	if (!GST_VALUE_HOLDS_STRUCTURE(v) || (s = gst_value_get_structure(v)) == NULL ||
	    !gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
		return TRUE;
	if (a->publisher && type == GST_WEBRTC_STATS_INBOUND_RTP) {
		if (!isnan(x = field_num(s, "bytes-received")))
			a->j->bytes += (uint64_t)x;
		if (!isnan(x = field_num(s, "packets-received")))
			a->j->st.packets += (int64_t)x;
		if (!isnan(x = field_num(s, "packets-lost")))
			a->j->st.packets_lost = (int64_t)x;
		if (!isnan(x = field_num(s, "jitter")))
			a->j->st.jitter_ms = x * 1000.0;
	} else if (!a->publisher && type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
		if (!isnan(x = field_num(s, "bytes-sent")))
			a->j->bytes += (uint64_t)x;
		if (!isnan(x = field_num(s, "packets-sent")))
			a->j->st.packets += (int64_t)x;
	} else if (!a->publisher && type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
		if (!isnan(x = field_num(s, "packets-lost")))
			a->j->st.packets_lost = (int64_t)x;
		if (!isnan(x = field_num(s, "jitter")))
			a->j->st.jitter_ms = x * 1000.0;
		if (!isnan(x = field_num(s, "round-trip-time")) && x > 0)
			a->j->st.rtt_ms = x * 1000.0;
	} else if (type == GST_WEBRTC_STATS_REMOTE_OUTBOUND_RTP || type == GST_WEBRTC_STATS_CANDIDATE_PAIR) {
		if (!isnan(x = field_num(s, "round-trip-time")) && x > 0)
			a->j->st.rtt_ms = x * 1000.0;
	}
	return TRUE;
}

static void on_stats(GstPromise *promise, gpointer data)
{
	struct rm_peer *p = data;
	const GstStructure *reply = gst_promise_get_reply(promise);
	struct job *j;
	struct stats_acc a;

	if (reply && peer_hold(p)) {
		j = job_new(p, JOB_STATS);
		j->st.packets_lost = -1;
		j->st.jitter_ms = -1;
		j->st.rtt_ms = -1;
		a.j = j;
		a.publisher = p->publisher;
		gst_structure_foreach(reply, stats_field, &a);
		post(j);
		peer_unref(p);
	}
	gst_promise_unref(promise);
}

void rm_peer_poll_stats(struct rm_peer *p)
{
	GstPromise *promise;

	if (!peer_hold(p))
		return;
	promise = gst_promise_new_with_change_func(on_stats, p, promise_unref_peer);
	g_signal_emit_by_name(p->webrtc, "get-stats", NULL, promise);
}

/* Setup */

const char *rm_init(void)
{
	static const char *const need[] = { "webrtcbin", "nicesrc", "dtlssrtpenc", "opusenc",
		"opusdec", "rtpopuspay", "rtpopusdepay", "pipewiresrc", "appsink",
		"audioconvert", "audioresample" };

	if (!gst_init_check(NULL, NULL, NULL))
		return "gstreamer";
	for (size_t i = 0; i < G_N_ELEMENTS(need); i++) {
		GstElementFactory *f = gst_element_factory_find(need[i]);
		if (f == NULL)
			return need[i];
		gst_object_unref(f);
	}
	return NULL;
}

static GstElement *make(const char *factory)
{
	return gst_element_factory_make(factory, NULL);
}

static GstElement *new_webrtc(const struct rm_conf *c, struct rm_peer *p)
{
	GstElement *w = make("webrtcbin");

	if (w == NULL)
		return NULL;
	gst_util_set_object_arg(G_OBJECT(w), "bundle-policy", "max-bundle");
	g_object_set(w, "latency", c->jitter_ms, NULL);
	if (c->stun && c->stun[0])
		g_object_set(w, "stun-server", c->stun, NULL);
	if (c->turn && c->turn[0])
		g_object_set(w, "turn-server", c->turn, NULL);
	g_signal_connect(w, "on-ice-candidate", G_CALLBACK(on_ice_candidate), p);
	g_signal_connect(w, "notify::ice-connection-state", G_CALLBACK(on_ice_state), p);
	g_signal_connect(w, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), p);
	return w;
}

static gboolean on_peer_bus(GstBus *bus, GstMessage *m, gpointer data)
{
	struct rm_peer *p = data;
	GError *err = NULL;

	if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR && !p->dead) {
		g_autofree char *debug = NULL;
		gst_message_parse_error(m, &err, &debug);
		foh_warn("room peer pipeline: %s (%s: %s)", err->message, GST_OBJECT_NAME(m->src),
				debug ? debug : "");
		p->ev->error(p->data, err->message);
		g_error_free(err);
	}
	return G_SOURCE_CONTINUE;
}

static struct rm_peer *peer_new(const struct rm_events *ev, void *data, bool publisher)
{
	struct rm_peer *p = g_new0(struct rm_peer, 1);

	p->refs = 1;
	p->ev = ev;
	p->data = data;
	p->publisher = publisher;
	return p;
}

/* The appsink's streaming thread: decoded audio into the node's ring. */
static GstFlowReturn on_decoded(GstAppSink *sink, gpointer data)
{
	struct rm_node *node = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf;
	GstMapInfo m;

	if (sample == NULL)
		return GST_FLOW_EOS;
	buf = gst_sample_get_buffer(sample);
	if (buf && gst_buffer_map(buf, &m, GST_MAP_READ)) {
		rm_node_write(node, (const float *)m.data, (uint32_t)(m.size / (2 * sizeof(float))));
		gst_buffer_unmap(buf, &m);
	}
	gst_sample_unref(sample);
	return GST_FLOW_OK;
}

struct rm_peer *rm_publisher_new(const struct rm_conf *c, const char *node_name,
		const struct rm_events *ev, void *data)
{
	struct rm_peer *p = peer_new(ev, data, true);
	GstElement *depay, *dec, *conv, *res, *sink, *rtpbin;
	GstAppSinkCallbacks cb = { .new_sample = on_decoded };
	GstWebRTCRTPTransceiver *trans = NULL;
	GstCaps *want;
	GstBus *bus;

	p->pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	p->webrtc = new_webrtc(c, p);
	depay = make("rtpopusdepay");
	dec = make("opusdec");
	conv = make("audioconvert");
	res = make("audioresample");
	sink = make("appsink");
	if (!p->webrtc || !depay || !dec || !conv || !res || !sink) {
		foh_error("rooms: a GStreamer element is missing");
		goto error;
	}
	gst_object_ref(p->webrtc);
	p->tail = gst_object_ref(depay);
	/* the node exists from the start (silent until audio arrives), so
	 * the room's channel can take it as soon as the peer connects */
	p->node = rm_node_new(node_name);
	if (p->node == NULL)
		goto error;
	g_object_set(dec, "plc", TRUE, NULL);
	want = gst_caps_from_string("audio/x-raw,format=F32LE,layout=interleaved,rate=48000,channels=2");
	/* decoded audio goes to the node's ring as it comes: the ring, not a
	 * clock, paces it (network arrival is no clock) */
	g_object_set(sink, "caps", want, "sync", FALSE, "async", FALSE, "max-buffers", 8u,
			"drop", TRUE, NULL);
	gst_caps_unref(want);
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, p->node, NULL);
	/* the jitter buffer drops what is later than its latency rather than
	 * play it late */
	rtpbin = gst_bin_get_by_name(GST_BIN(p->webrtc), "rtpbin");
	if (rtpbin) {
		g_object_set(rtpbin, "drop-on-latency", TRUE, NULL);
		gst_object_unref(rtpbin);
	}
	gst_bin_add_many(GST_BIN(p->pipeline), p->webrtc, depay, dec, conv, res, sink, NULL);
	if (!gst_element_link_many(depay, dec, conv, res, sink, NULL)) {
		foh_error("rooms: cannot link the publisher's decoder chain");
		goto error;
	}
	g_signal_connect(p->webrtc, "pad-added", G_CALLBACK(on_pad_added), p);
	/* Opus only, stereo welcome: the answer names just this codec */
	want = gst_caps_from_string(OPUS_CAPS ",stereo=(string)1,sprop-stereo=(string)1");
	g_signal_emit_by_name(p->webrtc, "add-transceiver",
			GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, want, &trans);
	gst_caps_unref(want);
	if (trans)
		gst_object_unref(trans);
	bus = gst_pipeline_get_bus(GST_PIPELINE(p->pipeline));
	p->bus_watch = gst_bus_add_watch(bus, on_peer_bus, p);
	gst_object_unref(bus);
	if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		foh_error("rooms: the publisher pipeline does not start");
		goto error;
	}
	return p;
error:
	rm_peer_free(p);
	return NULL;
}

/* The programme: encoded once, then every RTP packet goes, by reference,
 * straight from the appsink's thread into each listener's webrtcbin (its
 * own pipeline, so a join or a leave never disturbs the programme or the
 * other listeners). No queue or thread per listener: a packet costs each
 * listener its SRTP and one UDP send, on this one thread; nicesink never
 * blocks, and a listener is fed only once its connection is up
 * (on_connection_state). Every listener pipeline runs on the system clock
 * with the programme's base time, so one stamped buffer fits all. */

static gboolean on_prog_bus(GstBus *bus, GstMessage *m, gpointer data)
{
	struct rm_prog *prog = data;
	GError *err = NULL;

	if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
		gst_message_parse_error(m, &err, NULL);
		foh_warn("room programme from %s: %s (%s)", prog->target, err->message,
				GST_OBJECT_NAME(m->src));
		g_error_free(err);
	}
	return G_SOURCE_CONTINUE;
}

/* Samples (48 kHz) of the monotonic clock, wrapping like an RTP timestamp. */
static guint32 mono_ts(void)
{
	return (guint32)((uint64_t)g_get_monotonic_time() * 6u / 125u);
}

/* The RTP clock locked to the monotonic clock. A packet's sent timestamp
 * follows the encoder's sample count (out_ts); lag is how far the
 * monotonic clock is ahead of it, and the least lag seen is the pace.
 * A packet more than RM_LATE_MS behind that pace is stale:
 *  - in a burst (each packet less behind than the one before: a backlog
 *    draining after a stall upstream, the graph or this process not
 *    scheduled under load) it is dropped, so the backlog never reaches a
 *    listener as delay: to the listener it is packet loss, which it
 *    conceals;
 *  - when RM_BEHIND packets in a row stay that far behind (the programme
 *    lost that much real time: no backlog to drain), the timestamps move on
 *    by the whole frames lost, and the sequence numbers by as many packets.
 * A listener would otherwise see every later packet that late against its
 * timestamp and grow its jitter buffer by as much, for good: NetEq keeps
 * its delay estimate for tens of seconds. After a discontinuity (lost
 * input, a restarted programme) the timestamp starts again from the
 * monotonic clock. Returns false for a packet to drop. */
#define RM_LATE_MS	30
#define RM_LATE		(RM_LATE_MS * 48)
#define RM_BEHIND	3

static bool lock_ts(struct rm_prog *prog, guint32 in_ts, guint32 now, guint32 *ts)
{
	gint32 d = (gint32)(in_ts - prog->in_ts), lag, behind;
	guint32 out;

	if (!prog->started) {
		prog->started = true;
		prog->lag = 0;
		out = now;
	} else if (d > 0 && d <= 4800) {
		out = prog->out_ts + (guint32)d;
	} else {
		out = now - (guint32)prog->lag;
	}
	lag = (gint32)(now - out);
	behind = lag - prog->lag;
	prog->in_ts = in_ts;
	prog->out_ts = out;
	if (behind < 0)
		prog->lag = lag;
	if (behind <= RM_LATE || d <= 0) {
		prog->behind = 0;
		prog->last_behind = 0;
		*ts = out;
		return true;
	}
	/* catching up (a backlog draining): drop, and wait for the pace */
	if (prog->last_behind > 0 && behind < prog->last_behind - d / 2) {
		prog->behind = 0;
		prog->last_behind = behind;
		prog->dropped++;
		return false;
	}
	prog->last_behind = behind;
	if (++prog->behind < RM_BEHIND) {
		prog->dropped++;
		return false;
	}
	/* real time lost for good: move on by the frames lost */
	{
		guint32 lost = (guint32)behind / (guint32)d;
		prog->out_ts = out + lost * (guint32)d;
		prog->seq_off = (guint16)(prog->seq_off + lost);
	}
	prog->behind = 0;
	prog->last_behind = 0;
	prog->rebases++;
	*ts = prog->out_ts;
	return true;
}

/* The appsink's streaming thread. */
static GstFlowReturn on_packet(GstAppSink *sink, gpointer data)
{
	struct rm_prog *prog = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
	GstClockTime now;
	GstBuffer *b;

	if (sample == NULL)
		return GST_FLOW_EOS;
	/* one copy of the packet (a few bytes) for every listener */
	b = gst_sample_get_buffer(sample);
	b = b ? gst_buffer_copy(b) : NULL;
	gst_sample_unref(sample);
	if (b == NULL)
		return GST_FLOW_OK;
	g_mutex_lock(&prog->lock);
	prog->packets++;
	if (gst_rtp_buffer_map(b, GST_MAP_READWRITE, &rtp)) {
		guint32 ts;
		bool send = lock_ts(prog, gst_rtp_buffer_get_timestamp(&rtp), mono_ts(), &ts);

		prog->pay_seq = gst_rtp_buffer_get_seq(&rtp);
		prog->pay_seen = true;

		if (send) {
			gst_rtp_buffer_set_timestamp(&rtp, ts);
			gst_rtp_buffer_set_seq(&rtp, (guint16)(gst_rtp_buffer_get_seq(&rtp) +
					prog->seq_off));
		}
		gst_rtp_buffer_unmap(&rtp);
		if (!send) {
			g_mutex_unlock(&prog->lock);
			gst_buffer_unref(b);
			return GST_FLOW_OK;
		}
	}
	for (guint i = 0; i < prog->outs->len; i++)
		g_ptr_array_add(prog->snap, gst_object_ref(prog->outs->pdata[i]));
	g_mutex_unlock(&prog->lock);
	now = gst_clock_get_time(prog->clock);
	GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = now > prog->base ? now - prog->base : 0;
	/* without the lock: a listener leaving meanwhile unlinks its pad
	 * (the push returns not-linked or flushing) */
	for (guint i = 0; i < prog->snap->len; i++)
		(void)gst_pad_push(prog->snap->pdata[i], gst_buffer_ref(b));
	g_ptr_array_set_size(prog->snap, 0);
	gst_buffer_unref(b);
	return GST_FLOW_OK;
}

struct rm_prog *rm_prog_new(const struct rm_conf *c, const char *target)
{
	struct rm_prog *prog = g_new0(struct rm_prog, 1);
	g_autofree char *desc = NULL;
	g_autoptr(GError) err = NULL;
	GstAppSinkCallbacks cb = { .new_sample = on_packet };
	GstElement *sink;
	GstBus *bus;

	prog->target = g_strdup(target);
	prog->ssrc = g_random_int();
	g_mutex_init(&prog->lock);
	prog->outs = g_ptr_array_new_with_free_func(gst_object_unref);
	prog->snap = g_ptr_array_new_with_free_func(gst_object_unref);
	prog->clock = gst_system_clock_obtain();
	prog->base = gst_clock_get_time(prog->clock);
	/* target is a checked node name (letters, digits, ".-_:"): safe to
	 * quote. always-copy: opusenc keeps input in an adapter, and
	 * pipewiresrc 0.3.65 recycles the PipeWire memory under it otherwise
	 * (a crash) */
	desc = g_strdup_printf("pipewiresrc target-object=\"%s\" client-name=foh-room-programme "
			"always-copy=true "
			"! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2 "
			"! opusenc bitrate=%u frame-size=%u audio-type=restricted-lowdelay "
			"! rtpopuspay name=pay pt=%d ssrc=%u ! appsink name=out sync=false async=false "
			"max-buffers=64 drop=true",
			target, c->bitrate, c->frame_ms, PROG_PT, prog->ssrc);
	prog->pipeline = gst_parse_launch(desc, &err);
	if (prog->pipeline == NULL) {
		foh_error("rooms: programme pipeline: %s", err ? err->message : "?");
		g_ptr_array_free(prog->outs, TRUE);
		g_ptr_array_free(prog->snap, TRUE);
		gst_object_unref(prog->clock);
		g_free(prog->target);
		g_free(prog);
		return NULL;
	}
	gst_object_ref_sink(prog->pipeline);
	sink = gst_bin_get_by_name(GST_BIN(prog->pipeline), "out");
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, prog, NULL);
	gst_object_unref(sink);
	bus = gst_pipeline_get_bus(GST_PIPELINE(prog->pipeline));
	prog->bus_watch = gst_bus_add_watch(bus, on_prog_bus, prog);
	gst_object_unref(bus);
	if (gst_element_set_state(prog->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		foh_error("rooms: the programme pipeline from %s does not start", target);
		rm_prog_free(prog);
		return NULL;
	}
	return prog;
}

void rm_prog_free(struct rm_prog *prog)
{
	if (prog == NULL)
		return;
	if (prog->bus_watch)
		g_source_remove(prog->bus_watch);
	gst_element_set_state(prog->pipeline, GST_STATE_NULL);
	foh_debug("room programme from %s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
			" stale ones dropped, fell behind real time %" G_GUINT64_FORMAT " times",
			prog->target, prog->packets, prog->dropped, prog->rebases);
	gst_object_unref(prog->pipeline);
	g_ptr_array_free(prog->outs, TRUE);
	g_ptr_array_free(prog->snap, TRUE);
	gst_object_unref(prog->clock);
	g_mutex_clear(&prog->lock);
	g_free(prog->target);
	g_free(prog);
}

void rm_prog_restart(struct rm_prog *prog)
{
	GstElement *pay = gst_bin_get_by_name(GST_BIN(prog->pipeline), "pay");
	guint seq = 0, ts = 0;

	/* the RTP stream goes on where it stopped: a payloader restarted at a
	 * random sequence number would look like a replay to every listener's
	 * SRTP encoder (libsrtp's replay_old, a media error) whenever the new
	 * number is lower. Where it stopped is known once it has: the
	 * payloader's "seqnum" read while it runs may be followed by packets
	 * already on their way, which the restart then numbered again (a
	 * duplicate: libsrtp's replay_fail, "protect failed code 9", the
	 * listener dropped; seen once under the sanitizer) */
	gst_element_set_state(prog->pipeline, GST_STATE_NULL);
	g_object_get(pay, "seqnum", &seq, "timestamp", &ts, NULL);
	g_mutex_lock(&prog->lock);
	if (prog->pay_seen)
		seq = prog->pay_seq;
	g_mutex_unlock(&prog->lock);
	g_object_set(pay, "seqnum-offset", (gint)((seq + 1) & 0xffff),
			"timestamp-offset", ts + 48000u, NULL);
	gst_object_unref(pay);
	if (gst_element_set_state(prog->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		foh_warn("rooms: the programme from %s does not restart", prog->target);
}

unsigned int rm_prog_listeners(const struct rm_prog *prog)
{
	return prog->listeners;
}

uint64_t rm_prog_packets(struct rm_prog *prog)
{
	uint64_t n;

	g_mutex_lock(&prog->lock);
	n = prog->packets;
	g_mutex_unlock(&prog->lock);
	return n;
}

struct rm_peer *rm_listener_new(struct rm_prog *prog, const struct rm_conf *c,
		const struct rm_events *ev, void *data)
{
	struct rm_peer *p = peer_new(ev, data, false);
	GstWebRTCRTPTransceiver *trans = NULL;
	GstCaps *caps = NULL;
	GstPad *sink = NULL;
	GstSegment seg;
	GstBus *bus;

	p->prog = prog;
	prog->listeners++;		/* rm_peer_free counts it out again */
	p->pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	p->webrtc = new_webrtc(c, p);
	if (p->webrtc == NULL) {
		foh_error("rooms: a GStreamer element is missing");
		goto error;
	}
	gst_object_ref(p->webrtc);
	g_signal_connect(p->webrtc, "notify::connection-state", G_CALLBACK(on_connection_state), p);
	/* the programme's clock and base time: on_packet stamps once for all */
	gst_pipeline_use_clock(GST_PIPELINE(p->pipeline), prog->clock);
	gst_element_set_start_time(p->pipeline, GST_CLOCK_TIME_NONE);
	gst_element_set_base_time(p->pipeline, prog->base);
	caps = gst_caps_from_string(OPUS_CAPS ",payload=(int)96,encoding-params=(string)2,"
			"stereo=(string)1,sprop-stereo=(string)1");
	/* the browser tells streams apart by the SSRC the offer announces */
	gst_caps_set_simple(caps, "ssrc", G_TYPE_UINT, prog->ssrc, NULL);
	gst_bin_add(GST_BIN(p->pipeline), p->webrtc);
	/* the requested pad makes the one transceiver, its codec from the
	 * caps event on it (adding one as well would offer a second m-line) */
	sink = gst_element_request_pad_simple(p->webrtc, "sink_%u");
	p->out = gst_object_ref_sink(gst_pad_new("out", GST_PAD_SRC));
	if (sink == NULL || !gst_pad_set_active(p->out, TRUE) ||
	    gst_pad_link(p->out, sink) != GST_PAD_LINK_OK) {
		foh_error("rooms: cannot link a listener to its webrtcbin");
		goto error;
	}
	g_object_get(sink, "transceiver", &trans, NULL);
	if (trans) {
		g_object_set(trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
				"codec-preferences", caps, NULL);
		gst_object_unref(trans);
	}
	gst_object_unref(sink);
	sink = NULL;
	bus = gst_pipeline_get_bus(GST_PIPELINE(p->pipeline));
	p->bus_watch = gst_bus_add_watch(bus, on_peer_bus, p);
	gst_object_unref(bus);
	if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		foh_error("rooms: a listener's pipeline does not start");
		goto error;
	}
	/* what an appsrc would say before its first buffer (the sink pad
	 * blocks buffers only) */
	gst_segment_init(&seg, GST_FORMAT_TIME);
	if (!gst_pad_push_event(p->out, gst_event_new_stream_start("foh-room-programme")) ||
	    !gst_pad_push_event(p->out, gst_event_new_caps(caps)) ||
	    !gst_pad_push_event(p->out, gst_event_new_segment(&seg))) {
		foh_error("rooms: a listener's webrtcbin refuses the programme's caps");
		goto error;
	}
	gst_caps_unref(caps);
	caps = NULL;
	return p;
error:
	if (caps)
		gst_caps_unref(caps);
	if (sink)
		gst_object_unref(sink);
	rm_peer_free(p);
	return NULL;
}

/* Remote descriptions and candidates */

bool rm_peer_remote_sdp(struct rm_peer *p, const char *type, const char *sdp, char **why)
{
	GstSDPMessage *msg = NULL;
	GstWebRTCSessionDescription *desc;
	GstPromise *promise;
	bool offer = strcmp(type, "offer") == 0;

	if (offer != p->publisher) {
		*why = g_strdup(p->publisher ? "a publisher sends an offer" :
				"a listener sends an answer to foh's offer");
		return false;
	}
	if (gst_sdp_message_new_from_text(sdp, &msg) != GST_SDP_OK || msg == NULL ||
	    gst_sdp_message_medias_len(msg) == 0) {
		if (msg)
			gst_sdp_message_free(msg);
		*why = g_strdup("the SDP does not parse or has no media");
		return false;
	}
	desc = gst_webrtc_session_description_new(offer ? GST_WEBRTC_SDP_TYPE_OFFER :
			GST_WEBRTC_SDP_TYPE_ANSWER, msg);
	g_atomic_int_inc(&p->refs);
	promise = gst_promise_new_with_change_func(on_remote_set, p, promise_unref_peer);
	g_signal_emit_by_name(p->webrtc, "set-remote-description", desc, promise);
	gst_webrtc_session_description_free(desc);
	return true;
}

void rm_peer_add_candidate(struct rm_peer *p, unsigned int mline, const char *candidate)
{
	if (candidate[0] != '\0')
		g_signal_emit_by_name(p->webrtc, "add-ice-candidate", mline, candidate);
}

/* Teardown */

void rm_peer_free(struct rm_peer *p)
{
	if (p == NULL)
		return;
	g_mutex_lock(&peer_lock);
	p->dead = true;
	g_mutex_unlock(&peer_lock);
	if (p->webrtc)
		g_signal_handlers_disconnect_by_data(p->webrtc, p);
	if (p->bus_watch)
		g_source_remove(p->bus_watch);
	p->bus_watch = 0;
	if (p->prog) {
		g_mutex_lock(&p->prog->lock);
		if (p->fed)
			(void)g_ptr_array_remove(p->prog->outs, p->out);
		p->fed = false;
		g_mutex_unlock(&p->prog->lock);
		p->prog->listeners--;
		p->prog = NULL;
	}
	if (p->pipeline)
		gst_element_set_state(p->pipeline, GST_STATE_NULL);
	if (p->out) {
		GstPad *peer = gst_pad_get_peer(p->out);
		if (peer) {
			gst_pad_unlink(p->out, peer);
			gst_object_unref(peer);
		}
		gst_pad_set_active(p->out, FALSE);
	}
	/* its writer, the appsink's thread, has stopped */
	if (p->node) {
		uint64_t skipped, silent;
		rm_node_counts(p->node, &skipped, &silent);
		foh_debug("room node: %.1f s skipped to bound the backlog, %.1f s silent",
				(double)skipped / 48000.0, (double)silent / 48000.0);
		rm_node_free(p->node);
		p->node = NULL;
	}
	peer_unref(p);
}
