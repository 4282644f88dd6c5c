/* node-cost: what a channel's PipeWire nodes cost, apart from its DSP.
 * Runs N channels that copy a stereo input to a stereo output, built one
 * of these ways, so a benchmark can weigh the graph designs side by side:
 *
 *   node-cost streams N SOURCE SINK
 *     today's channel: per channel a capture pw_stream (target.object =
 *     SOURCE, stream.capture.sink, so a sink's monitor) and a playback
 *     pw_stream (target.object = SINK, PW_STREAM_FLAG_TRIGGER), in one
 *     node.group/node.link-group; WirePlumber links them. Two nodes.
 *   node-cost filter N SOURCE SINK
 *     per channel one pw_filter node "node-cost.chI" with DSP ports
 *     input_FL/FR and output_FL/FR, read and written in one process
 *     callback. WirePlumber 0.4.13 cannot link it ("no usable format"), so
 *     fohd's link manager (src/graph/links.c) links it to SOURCE (a sink's
 *     monitor) and SINK. One node.
 *   node-cost shared N SOURCE SINK
 *     one pw_filter node "node-cost.all" with the ports of all N channels
 *     (input_I_FL ...), linked the same way, a want per channel and
 *     direction by port-name prefix. One node in all.
 *   node-cost server N SOURCE SINK
 *     "filter", with the names a channel offers other streams kept by
 *     in-server null nodes (support.null-audio-sink in an adapter, run in
 *     PipeWire's own thread): SOURCE → sink node-cost.chI.capture, its
 *     monitor → the filter → virtual source node-cost.chI.playback → SINK,
 *     all linked by the link manager. One client node and two in-server.
 *   node-cost server-sink N SOURCE SINK
 *     the same with only the null sink in front, the filter's outputs
 *     linked straight to SINK (a channel that is a virtual sink).
 *   node-cost sinkfmt N SOURCE SINK
 *     a probe, not in the benchmark: the "filter" node with a node-level
 *     EnumFormat given to pw_filter_connect and media.class from
 *     $NODE_COST_CLASS, and no links of its own, to see whether
 *     WirePlumber will then link streams that target it. With PipeWire
 *     0.3.65 and WirePlumber 0.4.13 it does not: the node still lists no
 *     EnumFormat (pw-cli enum-params: ENOENT), and si-audio-adapter says
 *     "no usable format" (tried Audio/Sink, Audio/Duplex,
 *     Stream/Input/Audio).
 *
 * Runs until SIGTERM/SIGINT. The process callbacks only copy, so the
 * difference between the designs is what the nodes cost. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/filter.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#include "graph/links.h"
#include "../tools/filter-copy.h"

#define MAX_CHANNELS	256

struct channel {
	struct pw_stream *capture, *playback;
	struct spa_hook capture_listener, playback_listener;
	void *in[2], *out[2];		/* filter ports */
};

struct app {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct pw_filter *filters[MAX_CHANNELS];
	struct spa_hook filter_listeners[MAX_CHANNELS];
	struct channel channels[MAX_CHANNELS];
	struct foh_links *links;
	const char *source, *sink;
	uint32_t n;
	bool shared, server, sink_only, fmt;
};

/* data thread */
static void copy_buffers(struct pw_buffer *in, struct pw_buffer *out)
{
	for (uint32_t c = 0; c < 2 && c < in->buffer->n_datas && c < out->buffer->n_datas; c++) {
		struct spa_data *s = &in->buffer->datas[c], *d = &out->buffer->datas[c];
		uint32_t off = SPA_MIN(s->chunk->offset, s->maxsize);
		uint32_t size = SPA_MIN(s->chunk->size, s->maxsize - off);

		size = SPA_MIN(size, d->maxsize);

		if (s->data == NULL || d->data == NULL)
			continue;
		memcpy(d->data, SPA_PTROFF(s->data, off, void), size);
		d->chunk->offset = 0;
		d->chunk->size = size;
		d->chunk->stride = sizeof(float);
	}
}

static void capture_process(void *data)
{
	struct channel *ch = data;
	struct pw_buffer *in = pw_stream_dequeue_buffer(ch->capture);
	struct pw_buffer *out = pw_stream_dequeue_buffer(ch->playback);

	if (in != NULL && out != NULL)
		copy_buffers(in, out);
	if (in != NULL)
		pw_stream_queue_buffer(ch->capture, in);
	if (out != NULL)
		pw_stream_queue_buffer(ch->playback, out);
	pw_stream_trigger_process(ch->playback);
}

static void copy_ports(struct channel *ch, uint32_t n)
{
	filter_copy_ports(ch->in, ch->out, 2, n);
}

static void filter_process(void *data, struct spa_io_position *pos)
{
	struct channel *ch = data;

	copy_ports(ch, pos->clock.duration);
}

static void shared_process(void *data, struct spa_io_position *pos)
{
	struct app *app = data;

	for (uint32_t i = 0; i < app->n; i++)
		copy_ports(&app->channels[i], pos->clock.duration);
}

static const struct pw_stream_events capture_events = {
	PW_VERSION_STREAM_EVENTS,
	.process = capture_process,
};
static const struct pw_stream_events playback_events = {
	PW_VERSION_STREAM_EVENTS,
};
static const struct pw_filter_events filter_events = {
	PW_VERSION_FILTER_EVENTS,
	.process = filter_process,
};
static const struct pw_filter_events shared_events = {
	PW_VERSION_FILTER_EVENTS,
	.process = shared_process,
};

/* main thread */
static int connect_stream(struct pw_stream *s, enum pw_direction dir, enum pw_stream_flags extra)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32P,
			.channels = 2);
	const struct spa_pod *params[1];

	info.position[0] = SPA_AUDIO_CHANNEL_FL;
	info.position[1] = SPA_AUDIO_CHANNEL_FR;
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	return pw_stream_connect(s, dir, PW_ID_ANY, PW_STREAM_FLAG_AUTOCONNECT |
			PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS | extra, params, 1);
}

static int make_streams(struct app *app, uint32_t i, const char *source, const char *sink)
{
	struct channel *ch = &app->channels[i];
	char group[64], name[64];

	snprintf(group, sizeof(group), "node-cost.ch%u", i + 1);
	snprintf(name, sizeof(name), "node-cost.ch%u.capture", i + 1);
	ch->capture = pw_stream_new(app->core, name, pw_properties_new(
			PW_KEY_NODE_NAME, name, PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CLASS, "Stream/Input/Audio", PW_KEY_TARGET_OBJECT, source,
			PW_KEY_STREAM_CAPTURE_SINK, "true", PW_KEY_NODE_GROUP, group,
			PW_KEY_NODE_LINK_GROUP, group, NULL));
	snprintf(name, sizeof(name), "node-cost.ch%u.playback", i + 1);
	ch->playback = pw_stream_new(app->core, name, pw_properties_new(
			PW_KEY_NODE_NAME, name, PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CLASS, "Stream/Output/Audio", PW_KEY_TARGET_OBJECT, sink,
			PW_KEY_NODE_GROUP, group, PW_KEY_NODE_LINK_GROUP, group, NULL));
	if (ch->capture == NULL || ch->playback == NULL)
		return -1;
	pw_stream_add_listener(ch->capture, &ch->capture_listener, &capture_events, ch);
	pw_stream_add_listener(ch->playback, &ch->playback_listener, &playback_events, ch);
	if (connect_stream(ch->capture, PW_DIRECTION_INPUT, 0) < 0 ||
	    connect_stream(ch->playback, PW_DIRECTION_OUTPUT, PW_STREAM_FLAG_TRIGGER) < 0)
		return -1;
	return 0;
}

static struct pw_filter *new_filter(struct app *app, const char *name)
{
	const char *cls = getenv("NODE_COST_CLASS");
	struct pw_properties *p = pw_properties_new(
			PW_KEY_NODE_NAME, name, PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Filter", PW_KEY_MEDIA_ROLE, "DSP", NULL);
	if (cls != NULL)
		pw_properties_set(p, PW_KEY_MEDIA_CLASS, cls);
	return pw_filter_new(app->core, name, p);
}

/* An in-server null node (support.null-audio-sink in an adapter), run in
 * PipeWire's own data thread. */
static struct pw_proxy *server_node(struct app *app, const char *name, const char *cls)
{
	struct spa_dict_item items[] = {
		{ "factory.name", "support.null-audio-sink" },
		{ PW_KEY_NODE_NAME, name },
		{ PW_KEY_MEDIA_CLASS, cls },
		{ "audio.position", "FL,FR" },
		{ PW_KEY_OBJECT_LINGER, "false" },
		{ "monitor.channel-volumes", "true" },
	};
	struct spa_dict dict = SPA_DICT_INIT_ARRAY(items);

	return pw_core_create_object(app->core, "adapter", PW_TYPE_INTERFACE_Node,
			PW_VERSION_NODE, &dict, 0);
}

/* The link manager's two wants for a channel: prog into its inputs, its
 * outputs into the sink. */
static int want_links(struct app *app, uint32_t i, const char *node, const char *prefix)
{
	char in[32], out[32];

	snprintf(in, sizeof(in), "input%s_", prefix);
	snprintf(out, sizeof(out), "output%s_", prefix);
	if (foh_links_set(app->links, 2 * i, node, in, SPA_DIRECTION_INPUT, app->source,
				false) < 0 ||
	    foh_links_set(app->links, 2 * i + 1, node, out, SPA_DIRECTION_OUTPUT, app->sink,
				false) < 0)
		return -1;
	return 0;
}

static int add_ports(struct pw_filter *f, struct channel *ch, const char *prefix)
{
	static const char *const pos[2] = { "FL", "FR" };

	for (int c = 0; c < 4; c++) {
		char name[64];
		bool in = c < 2;
		void *port;

		snprintf(name, sizeof(name), "%s%s_%s", in ? "input" : "output", prefix, pos[c % 2]);
		port = pw_filter_add_port(f, in ? PW_DIRECTION_INPUT : PW_DIRECTION_OUTPUT,
				PW_FILTER_PORT_FLAG_MAP_BUFFERS, 0,
				pw_properties_new(PW_KEY_FORMAT_DSP, "32 bit float mono audio",
					PW_KEY_PORT_NAME, name, PW_KEY_AUDIO_CHANNEL, pos[c % 2],
					NULL), NULL, 0);
		if (port == NULL)
			return -1;
		if (in)
			ch->in[c] = port;
		else
			ch->out[c - 2] = port;
	}
	return 0;
}

static int make_filters(struct app *app)
{
	char name[64], prefix[16];

	if (app->shared) {
		if ((app->filters[0] = new_filter(app, "node-cost.all")) == NULL)
			return -1;
		pw_filter_add_listener(app->filters[0], &app->filter_listeners[0],
				&shared_events, app);
		for (uint32_t i = 0; i < app->n; i++) {
			snprintf(prefix, sizeof(prefix), "_%u", i + 1);
			if (add_ports(app->filters[0], &app->channels[i], prefix) < 0 ||
			    want_links(app, i, "node-cost.all", prefix) < 0)
				return -1;
		}
		return pw_filter_connect(app->filters[0], PW_FILTER_FLAG_RT_PROCESS, NULL, 0);
	}
	if (app->server) {
		for (uint32_t i = 0; i < app->n; i++) {
			char in_name[64], out_name[64];

			snprintf(name, sizeof(name), "node-cost.ch%u", i + 1);
			snprintf(in_name, sizeof(in_name), "node-cost.ch%u.capture", i + 1);
			snprintf(out_name, sizeof(out_name), "node-cost.ch%u.playback", i + 1);
			if (server_node(app, in_name, "Audio/Sink") == NULL ||
			    (!app->sink_only &&
			     server_node(app, out_name, "Audio/Source/Virtual") == NULL))
				return -1;
			if ((app->filters[i] = new_filter(app, name)) == NULL)
				return -1;
			pw_filter_add_listener(app->filters[i], &app->filter_listeners[i],
					&filter_events, &app->channels[i]);
			if (add_ports(app->filters[i], &app->channels[i], "") < 0 ||
			    foh_links_set(app->links, 4 * i, name, "input", SPA_DIRECTION_INPUT,
					in_name, false) < 0 ||
			    foh_links_set(app->links, 4 * i + 1, name, "output",
					SPA_DIRECTION_OUTPUT,
					app->sink_only ? app->sink : out_name, false) < 0 ||
			    foh_links_set(app->links, 4 * i + 2, in_name, "",
					SPA_DIRECTION_INPUT, app->source, false) < 0 ||
			    (!app->sink_only &&
			     foh_links_set(app->links, 4 * i + 3, out_name, "",
					SPA_DIRECTION_OUTPUT, app->sink, false) < 0) ||
			    pw_filter_connect(app->filters[i], PW_FILTER_FLAG_RT_PROCESS, NULL, 0) < 0)
				return -1;
		}
		return 0;
	}
	for (uint32_t i = 0; i < app->n; i++) {
		snprintf(name, sizeof(name), "node-cost.ch%u", i + 1);
		if ((app->filters[i] = new_filter(app, name)) == NULL)
			return -1;
		pw_filter_add_listener(app->filters[i], &app->filter_listeners[i],
				&filter_events, &app->channels[i]);
		if (add_ports(app->filters[i], &app->channels[i], "") < 0)
			return -1;
		if (app->fmt) {
			/* a node-level EnumFormat, what WirePlumber's
			 * si-audio-adapter looks for; no fohd links */
			uint8_t buffer[1024];
			struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
			struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(
					.format = SPA_AUDIO_FORMAT_F32P, .channels = 2, .rate = 48000);
			const struct spa_pod *params[1];

			info.position[0] = SPA_AUDIO_CHANNEL_FL;
			info.position[1] = SPA_AUDIO_CHANNEL_FR;
			params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
			if (pw_filter_connect(app->filters[i], PW_FILTER_FLAG_RT_PROCESS,
					params, 1) < 0)
				return -1;
			continue;
		}
		if (want_links(app, i, name, "") < 0 ||
		    pw_filter_connect(app->filters[i], PW_FILTER_FLAG_RT_PROCESS, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

static void on_signal(void *data, int sig)
{
	struct app *app = data;

	pw_main_loop_quit(app->loop);
}

int main(int argc, char *argv[])
{
	static struct app app;
	struct pw_context *context;
	int res = 0;

	pw_init(&argc, &argv);
	if (argc != 5 || atoi(argv[2]) < 1 || atoi(argv[2]) > MAX_CHANNELS) {
		fprintf(stderr, "usage: node-cost streams|filter|shared N SOURCE SINK\n");
		return 2;
	}
	app.n = (uint32_t)atoi(argv[2]);
	app.shared = strcmp(argv[1], "shared") == 0;
	app.sink_only = strcmp(argv[1], "server-sink") == 0;
	app.server = strcmp(argv[1], "server") == 0 || app.sink_only;
	app.fmt = strcmp(argv[1], "sinkfmt") == 0;
	app.source = argv[3];
	app.sink = argv[4];
	app.loop = pw_main_loop_new(NULL);
	/* before any thread starts, so they all block them */
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGTERM, on_signal, &app);
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGINT, on_signal, &app);
	context = pw_context_new(pw_main_loop_get_loop(app.loop),
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	app.core = pw_context_connect(context, NULL, 0);
	if (app.core == NULL) {
		fprintf(stderr, "node-cost: cannot connect to PipeWire\n");
		return 1;
	}
	if (strcmp(argv[1], "streams") == 0) {
		for (uint32_t i = 0; i < app.n && res == 0; i++)
			res = make_streams(&app, i, argv[3], argv[4]);
	} else {
		res = foh_links_new(app.core, &app.links);
		if (res == 0)
			res = make_filters(&app);
	}
	if (res < 0) {
		fprintf(stderr, "node-cost: cannot make the %s nodes\n", argv[1]);
		return 1;
	}
	pw_main_loop_run(app.loop);
	foh_links_free(app.links);
	for (uint32_t i = 0; i < app.n; i++) {
		if (app.channels[i].capture != NULL)
			pw_stream_destroy(app.channels[i].capture);
		if (app.channels[i].playback != NULL)
			pw_stream_destroy(app.channels[i].playback);
		if (app.filters[i] != NULL)
			pw_filter_destroy(app.filters[i]);
	}
	pw_core_disconnect(app.core);
	pw_context_destroy(context);
	pw_main_loop_destroy(app.loop);
	return 0;
}
