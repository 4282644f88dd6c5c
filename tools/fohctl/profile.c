/* fohctl profile: fohd's content profiles (org.foh.Foh1.Profiles) —
 *   list | show NAME | set NAME KEY=VALUE... | delete NAME
 * set replaces the whole profile with the settings given (config keys of
 * [channel.N]); fohd validates them and writes nothing on a refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define PROFILES_PATH "/org/foh/Foh1/profiles"
#define PROFILES_IFACE "org.foh.Foh1.Profiles"

static int fail_call(const char *what, sd_bus_error *e, int r)
{
	r = report_bus_error(what, e, r);
	sd_bus_error_free(e);
	return r;
}

static int profile_list(struct ctx *c)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char **names = NULL;
	int r;

	if ((r = sd_bus_call_method(c->bus, BUS_NAME, PROFILES_PATH, PROFILES_IFACE, "List", &e,
					&reply, NULL)) < 0)
		return fail_call("List", &e, r);
	if ((r = sd_bus_message_read_strv(reply, &names)) < 0) {
		sd_bus_message_unref(reply);
		return report_bad_reply("List", r);
	}
	if (c->json) {
		JsonBuilder *b = json_builder_new();
		json_builder_begin_array(b);
		for (char **n = names; n && *n; n++)
			json_builder_add_string_value(b, *n);
		json_builder_end_array(b);
		print_json(b);
		g_object_unref(b);
	} else {
		for (char **n = names; n && *n; n++)
			printf("%s\n", *n);
	}
	for (char **n = names; n && *n; n++)
		free(*n);
	free(names);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
}

static int profile_show(struct ctx *c, const char *name)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	JsonBuilder *b = json_builder_new();
	const char *k, *v;
	int r;

	if ((r = sd_bus_call_method(c->bus, BUS_NAME, PROFILES_PATH, PROFILES_IFACE, "Get", &e,
					&reply, "s", name)) < 0) {
		g_object_unref(b);
		return fail_call(name, &e, r);
	}
	json_builder_begin_object(b);
	if ((r = sd_bus_message_enter_container(reply, 'a', "{ss}")) >= 0)
		while ((r = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0) {
			if (c->json) {
				json_builder_set_member_name(b, k);
				json_builder_add_string_value(b, v);
			} else {
				printf("%s=%s\n", k, v);
			}
		}
	json_builder_end_object(b);
	if (r >= 0 && c->json)
		print_json(b);
	g_object_unref(b);
	sd_bus_message_unref(reply);
	return r < 0 ? report_bad_reply("Get", r) : EXIT_SUCCESS;
}

static int profile_set(struct ctx *c, const char *name, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_call(c->bus, &m, BUS_NAME, PROFILES_PATH,
					PROFILES_IFACE, "Set")) < 0 ||
	    (r = sd_bus_message_append(m, "s", name)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "{ss}")) < 0)
		goto bad;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL || eq == argv[i]) {
			fprintf(stderr, "fohctl profile set: '%s' is not KEY=VALUE\n", argv[i]);
			sd_bus_message_unref(m);
			return EXIT_USAGE;
		}
		*eq = '\0';
		if ((r = sd_bus_message_append(m, "{ss}", argv[i], eq + 1)) < 0)
			goto bad;
	}
	if ((r = sd_bus_message_close_container(m)) < 0)
		goto bad;
	r = sd_bus_call(c->bus, m, 0, &e, &reply);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r < 0 ? fail_call(name, &e, r) : EXIT_SUCCESS;
bad:
	sd_bus_message_unref(m);
	return report_bad_reply("Set", r);
}

int cmd_profile(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return profile_list(c);
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return profile_show(c, argv[2]);
	if (argc >= 3 && strcmp(argv[1], "set") == 0)
		return profile_set(c, argv[2], argc - 3, argv + 3);
	if (argc == 3 && strcmp(argv[1], "delete") == 0) {
		r = sd_bus_call_method(c->bus, BUS_NAME, PROFILES_PATH, PROFILES_IFACE, "Delete",
				&e, NULL, "s", argv[2]);
		return r < 0 ? fail_call(argv[2], &e, r) : EXIT_SUCCESS;
	}
	fprintf(stderr, "fohctl profile: list, show NAME, set NAME KEY=VALUE... or delete NAME\n");
	return EXIT_USAGE;
}
