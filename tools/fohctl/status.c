/* fohctl status, devices, reload and self-check: the daemon-wide commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

struct channel_row {
	uint32_t index;
	const char *name, *input, *output, *state;
	uint64_t xruns;
};

struct status {
	char *version;
	uint32_t rate, quantum;
	uint64_t uptime, xruns;
	double cpu;
	int connected, unsaved;
	char *log_level, *config;
	unsigned channels;
	struct channel_row map[64];
	unsigned n_map;
};

static int read_channel_map(sd_bus_message *m, struct status *s)
{
	struct channel_row row;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'v', "a(usssst)")) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "(usssst)")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "(usssst)", &row.index, &row.name, &row.input,
					&row.output, &row.state, &row.xruns)) > 0)
		if (s->n_map < sizeof(s->map) / sizeof(s->map[0]))
			s->map[s->n_map++] = row;
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int read_status(sd_bus_message *m, struct status *s)
{
	const char *name;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &name)) < 0)
			return r;
		if (strcmp(name, "Version") == 0)
			r = sd_bus_message_read(m, "v", "s", &s->version);
		else if (strcmp(name, "SampleRate") == 0)
			r = sd_bus_message_read(m, "v", "u", &s->rate);
		else if (strcmp(name, "Quantum") == 0)
			r = sd_bus_message_read(m, "v", "u", &s->quantum);
		else if (strcmp(name, "Uptime") == 0)
			r = sd_bus_message_read(m, "v", "t", &s->uptime);
		else if (strcmp(name, "Xruns") == 0)
			r = sd_bus_message_read(m, "v", "t", &s->xruns);
		else if (strcmp(name, "CpuLoad") == 0)
			r = sd_bus_message_read(m, "v", "d", &s->cpu);
		else if (strcmp(name, "PipeWireConnected") == 0)
			r = sd_bus_message_read(m, "v", "b", &s->connected);
		else if (strcmp(name, "LogLevel") == 0)
			r = sd_bus_message_read(m, "v", "s", &s->log_level);
		else if (strcmp(name, "UnsavedChanges") == 0)
			r = sd_bus_message_read(m, "v", "b", &s->unsaved);
		else if (strcmp(name, "ConfigPath") == 0)
			r = sd_bus_message_read(m, "v", "s", &s->config);
		else if (strcmp(name, "ChannelMap") == 0)
			r = read_channel_map(m, s);
		else if (strcmp(name, "Channels") == 0) {
			const char *path;
			if ((r = sd_bus_message_enter_container(m, 'v', "ao")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a', "o")) < 0)
				return r;
			while ((r = sd_bus_message_read(m, "o", &path)) > 0)
				s->channels++;
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
				return r;
			r = sd_bus_message_exit_container(m);
		} else
			r = sd_bus_message_skip(m, "v");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static void print_status_json(const struct status *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, s->version ? s->version : "");
	json_builder_set_member_name(b, "pipewire_connected");
	json_builder_add_boolean_value(b, s->connected);
	json_builder_set_member_name(b, "sample_rate");
	json_builder_add_int_value(b, s->rate);
	json_builder_set_member_name(b, "quantum");
	json_builder_add_int_value(b, s->quantum);
	json_builder_set_member_name(b, "uptime_usec");
	json_builder_add_int_value(b, (gint64)s->uptime);
	json_builder_set_member_name(b, "xruns");
	json_builder_add_int_value(b, (gint64)s->xruns);
	json_builder_set_member_name(b, "cpu_load");
	json_add_double(b, s->cpu);
	json_builder_set_member_name(b, "channels");
	json_builder_add_int_value(b, s->channels);
	json_builder_set_member_name(b, "log_level");
	json_builder_add_string_value(b, s->log_level ? s->log_level : "");
	json_builder_set_member_name(b, "config");
	json_builder_add_string_value(b, s->config ? s->config : "");
	json_builder_set_member_name(b, "unsaved_changes");
	json_builder_add_boolean_value(b, s->unsaved);
	json_builder_set_member_name(b, "channel_map");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < s->n_map; i++) {
		const struct channel_row *c = &s->map[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "channel");
		json_builder_add_int_value(b, c->index);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, c->name);
		json_builder_set_member_name(b, "input");
		json_builder_add_string_value(b, c->input);
		json_builder_set_member_name(b, "output");
		json_builder_add_string_value(b, c->output);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, c->state);
		json_builder_set_member_name(b, "xruns");
		json_builder_add_int_value(b, (gint64)c->xruns);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	print_json(b);
}

static void print_status_table(const struct status *s)
{
	uint64_t secs = s->uptime / 1000000u;

	printf("%-12s %s\n", "fohd", s->version ? s->version : "?");
	printf("%-12s %s\n", "PipeWire", s->connected ? "connected" : "not connected (retrying)");
	if (s->rate > 0)
		printf("%-12s %u Hz\n", "Sample rate", s->rate);
	else
		printf("%-12s %s\n", "Sample rate", "-");
	if (s->rate > 0 && s->quantum > 0)
		printf("%-12s %u frames (%.1f ms)\n", "Quantum", s->quantum,
				1000.0 * s->quantum / s->rate);
	else
		printf("%-12s %s\n", "Quantum", "-");
	printf("%-12s %llu:%02llu:%02llu\n", "Uptime", (unsigned long long)(secs / 3600),
			(unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
	printf("%-12s %llu\n", "Xruns", (unsigned long long)s->xruns);
	printf("%-12s %.1f %%\n", "CPU load", s->cpu * 100.0);
	printf("%-12s %u\n", "Channels", s->channels);
	printf("%-12s %s\n", "Log level", s->log_level ? s->log_level : "?");
	printf("%-12s %s\n", "Config", s->config && *s->config ? s->config : "built-in defaults");
	printf("%-12s %s\n", "Settings", s->unsaved ?
			"NOT SAVED: the last save failed, changes live in memory only (see fohd's log)" :
			"saved");
	if (s->n_map == 0)
		return;
	printf("\n%-3s %-16s %-24s %-24s %-12s %s\n", "CH", "NAME", "INPUT", "OUTPUT", "STREAMS",
			"XRUNS");
	for (unsigned i = 0; i < s->n_map; i++) {
		const struct channel_row *c = &s->map[i];
		printf("%-3u %-16s %-24s %-24s %-12s %llu\n", c->index, c->name[0] ? c->name : "-",
				c->input[0] ? c->input : "(virtual sink)",
				c->output[0] ? c->output : "(default sink)", c->state,
				(unsigned long long)c->xruns);
	}
}

int cmd_status(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct status s = { 0 };
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH,
			"org.freedesktop.DBus.Properties", "GetAll", &e, &reply,
			"s", MANAGER_IFACE);
	if (r < 0) {
		r = report_bus_error("status", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = read_status(reply, &s)) < 0) {
		fprintf(stderr, "fohctl: status: unexpected reply: %s\n", strerror(-r));
		sd_bus_message_unref(reply);
		return EXIT_FAILURE;
	}
	if (c->json)
		print_status_json(&s);
	else
		print_status_table(&s);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
}

int cmd_devices(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *name, *desc, *klass;
	uint32_t id;
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
			"ListDevices", &e, &reply, NULL);
	if (r < 0) {
		r = report_bus_error("devices", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = sd_bus_message_enter_container(reply, 'a', "(usss)")) < 0)
		goto bad_reply;
	if (c->json)
		json_builder_begin_array(b);
	else
		printf("%5s  %-22s %-28s %s\n", "ID", "CLASS", "NAME", "DESCRIPTION");
	while ((r = sd_bus_message_read(reply, "(usss)", &id, &name, &desc, &klass)) > 0) {
		if (!c->json) {
			printf("%5u  %-22s %-28s %s\n", id, klass, name, desc);
			continue;
		}
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, id);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, name);
		json_builder_set_member_name(b, "description");
		json_builder_add_string_value(b, desc);
		json_builder_set_member_name(b, "media_class");
		json_builder_add_string_value(b, klass);
		json_builder_end_object(b);
	}
	if (r < 0)
		goto bad_reply;
	if (c->json) {
		json_builder_end_array(b);
		print_json(b);
	}
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad_reply:
	fprintf(stderr, "fohctl: devices: unexpected reply: %s\n", strerror(-r));
	sd_bus_message_unref(reply);
	return EXIT_FAILURE;
}

int cmd_reload(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
			"Reload", &e, NULL, NULL);
	if (r < 0) {
		r = report_bus_error("reload refused", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if (!c->json)
		printf("fohd reloaded its config\n");
	return EXIT_SUCCESS;
}

int cmd_self_check(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *report;
	int passed, r;

	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
			"SelfCheck", &e, &reply, NULL);
	if (r < 0) {
		r = report_bus_error("self-check", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = sd_bus_message_read(reply, "bs", &passed, &report)) < 0) {
		fprintf(stderr, "fohctl: self-check: unexpected reply: %s\n", strerror(-r));
		sd_bus_message_unref(reply);
		return EXIT_FAILURE;
	}
	if (c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "passed");
		json_builder_add_boolean_value(b, passed);
		json_builder_set_member_name(b, "report");
		json_builder_add_string_value(b, report);
		json_builder_end_object(b);
		print_json(b);
	} else {
		fputs(report, stdout);
		printf("self-check %s\n", passed ? "passed" : "FAILED");
	}
	sd_bus_message_unref(reply);
	return passed ? EXIT_SUCCESS : EXIT_FAILURE;
}


/* fohctl test-tone [--channel N] [--hz HZ] [--seconds S] [--level DBFS]:
 * Mission Control's test-tone verb; defaults channel 1, 1 kHz, 5 s,
 * -18 dBFS. "--opt VALUE" and "--opt=VALUE" both work. */
int cmd_test_tone(struct ctx *c, int argc, char **argv)
{
	static const char *const names[] = { "--channel", "--hz", "--seconds", "--level" };
	double v[4] = { 1, 1000, 5, -18 };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *val = NULL;
		size_t k;
		char *end;

		for (k = 0; k < 4; k++) {
			size_t len = strlen(names[k]);
			if (strcmp(argv[i], names[k]) == 0 && i + 1 < argc) {
				val = argv[++i];
				break;
			}
			if (strncmp(argv[i], names[k], len) == 0 && argv[i][len] == '=') {
				val = argv[i] + len + 1;
				break;
			}
		}
		if (val == NULL) {
			fprintf(stderr, "usage: fohctl test-tone [--channel N] [--hz HZ] "
					"[--seconds S] [--level DBFS]\n");
			return EXIT_USAGE;
		}
		v[k] = strtod(val, &end);
		if (end == val || *end != '\0' || (k == 0 && (v[0] < 1 || v[0] != (uint32_t)v[0]))) {
			fprintf(stderr, "fohctl: test-tone: '%s' is not a valid %s\n", val,
					names[k] + 2);
			return EXIT_USAGE;
		}
	}
	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "PlayTestTone",
			&e, NULL, "uddd", (uint32_t)v[0], v[1], v[2], v[3]);
	if (r < 0) {
		r = report_bus_error("test-tone", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	printf("playing %g Hz at %g dBFS for %g s through channel %u\n", v[1], v[3], v[2],
			(uint32_t)v[0]);
	return EXIT_SUCCESS;
}
