/* links-probe: one pw_filter node linked by src/graph/links.c, for the
 * link manager's integration test.
 *
 *   links-probe [--passive] NODE CHANNELS CONTROL
 *
 * Makes the pw_filter node NODE with CHANNELS (1: MONO, 2: FL FR) input
 * ports input_X and output ports output_X, whose process callback copies
 * each input to its output. CONTROL is a file of lines "input TARGET" and
 * "output TARGET" (a missing line: no target); it is read at start and on
 * SIGHUP, and each read sets the two wants anew. Every 100 ms while the
 * counts change it prints "links input=N output=M" (foh_links_count), and
 * once at start "ready". Runs until SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/filter.h>
#include <pipewire/pipewire.h>

#include "graph/links.h"
#include "../tools/filter-copy.h"

enum { WANT_INPUT = 1, WANT_OUTPUT = 2 };

struct app {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct pw_filter *filter;
	struct spa_hook filter_listener;
	struct foh_links *links;
	void *in[2], *out[2];
	uint32_t channels;
	const char *node, *control;
	bool passive;
	uint32_t shown_in, shown_out;
};

/* data thread */
static void on_process(void *data, struct spa_io_position *pos)
{
	struct app *app = data;

	filter_copy_ports(app->in, app->out, app->channels, pos->clock.duration);
}

static const struct pw_filter_events filter_events = {
	PW_VERSION_FILTER_EVENTS,
	.process = on_process,
};

/* main thread */
static void read_control(struct app *app)
{
	char line[512], input[512] = "", output[512] = "";
	FILE *f = fopen(app->control, "re");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "input ", 6) == 0)
			snprintf(input, sizeof(input), "%s", line + 6);
		else if (strncmp(line, "output ", 7) == 0)
			snprintf(output, sizeof(output), "%s", line + 7);
	}
	if (f != NULL)
		fclose(f);
	if (foh_links_set(app->links, WANT_INPUT, app->node, "input_", SPA_DIRECTION_INPUT,
				input, app->passive) < 0 ||
	    foh_links_set(app->links, WANT_OUTPUT, app->node, "output_", SPA_DIRECTION_OUTPUT,
				output, app->passive) < 0)
		fprintf(stderr, "links-probe: a target name is too long\n");
}

static void on_hup(void *data, int sig)
{
	read_control(data);
}

static void on_quit(void *data, int sig)
{
	struct app *app = data;

	pw_main_loop_quit(app->loop);
}

static void on_timer(void *data, uint64_t expirations)
{
	struct app *app = data;
	uint32_t in = foh_links_count(app->links, WANT_INPUT);
	uint32_t out = foh_links_count(app->links, WANT_OUTPUT);

	if (in == app->shown_in && out == app->shown_out)
		return;
	app->shown_in = in;
	app->shown_out = out;
	printf("links input=%u output=%u\n", in, out);
	fflush(stdout);
}

static int add_ports(struct app *app)
{
	static const char *const mono[1] = { "MONO" }, *const stereo[2] = { "FL", "FR" };
	const char *const *pos = app->channels == 1 ? mono : stereo;

	for (uint32_t c = 0; c < 2 * app->channels; c++) {
		bool in = c < app->channels;
		const char *ch = pos[c % app->channels];
		char name[64];
		void *port;

		snprintf(name, sizeof(name), "%s_%s", in ? "input" : "output", ch);
		port = pw_filter_add_port(app->filter, in ? PW_DIRECTION_INPUT : PW_DIRECTION_OUTPUT,
				PW_FILTER_PORT_FLAG_MAP_BUFFERS, 0,
				pw_properties_new(PW_KEY_FORMAT_DSP, "32 bit float mono audio",
					PW_KEY_PORT_NAME, name, PW_KEY_AUDIO_CHANNEL, ch, NULL),
				NULL, 0);
		if (port == NULL)
			return -1;
		if (in)
			app->in[c] = port;
		else
			app->out[c - app->channels] = port;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static struct app app;
	struct pw_context *context;
	struct pw_loop *loop;
	struct timespec period = { 0, 100000000 };
	struct spa_source *timer;
	int a = 1;

	pw_init(&argc, &argv);
	if (argc > 1 && strcmp(argv[1], "--passive") == 0) {
		app.passive = true;
		a++;
	}
	if (argc - a != 3 || (atoi(argv[a + 1]) != 1 && atoi(argv[a + 1]) != 2)) {
		fprintf(stderr, "usage: links-probe [--passive] NODE 1|2 CONTROL\n");
		return 2;
	}
	app.node = argv[a];
	app.channels = (uint32_t)atoi(argv[a + 1]);
	app.control = argv[a + 2];
	app.shown_in = app.shown_out = UINT32_MAX;
	app.loop = pw_main_loop_new(NULL);
	loop = pw_main_loop_get_loop(app.loop);
	/* before any thread starts, so they all block them */
	pw_loop_add_signal(loop, SIGTERM, on_quit, &app);
	pw_loop_add_signal(loop, SIGINT, on_quit, &app);
	pw_loop_add_signal(loop, SIGHUP, on_hup, &app);
	context = pw_context_new(loop,
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	app.core = pw_context_connect(context, NULL, 0);
	if (app.core == NULL || foh_links_new(app.core, &app.links) < 0) {
		fprintf(stderr, "links-probe: cannot connect to PipeWire\n");
		return 1;
	}
	app.filter = pw_filter_new(app.core, app.node, pw_properties_new(
			PW_KEY_NODE_NAME, app.node, PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Filter", PW_KEY_MEDIA_ROLE, "DSP", NULL));
	if (app.filter == NULL || add_ports(&app) < 0) {
		fprintf(stderr, "links-probe: cannot make the node\n");
		return 1;
	}
	pw_filter_add_listener(app.filter, &app.filter_listener, &filter_events, &app);
	if (pw_filter_connect(app.filter, PW_FILTER_FLAG_RT_PROCESS, NULL, 0) < 0) {
		fprintf(stderr, "links-probe: cannot connect the node\n");
		return 1;
	}
	read_control(&app);
	timer = pw_loop_add_timer(loop, on_timer, &app);
	pw_loop_update_timer(loop, timer, &period, &period, false);
	printf("ready\n");
	fflush(stdout);
	pw_main_loop_run(app.loop);
	foh_links_free(app.links);
	pw_filter_destroy(app.filter);
	pw_core_disconnect(app.core);
	pw_context_destroy(context);
	pw_main_loop_destroy(app.loop);
	return 0;
}
