/* fohctl osc: foh-osc's counters (org.foh.Osc1 Stats) and addresses. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define OSC_BUS_NAME "org.foh.Osc1"
#define OSC_PATH "/org/foh/Osc1"
#define OSC_IFACE "org.foh.Osc1"

static int osc_stats(struct ctx *c)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *name;
	uint64_t v;
	int r;

	r = sd_bus_call_method(c->bus, OSC_BUS_NAME, OSC_PATH, OSC_IFACE, "Stats", &e, &reply, "");
	if (r < 0) {
		if (sd_bus_error_has_names(&e, "org.freedesktop.DBus.Error.ServiceUnknown",
					"org.freedesktop.DBus.Error.NameHasNoOwner"))
			fprintf(stderr, "fohctl: foh-osc is not running (no %s on the user bus)\n",
					OSC_BUS_NAME);
		else
			report_bus_error("osc stats", &e, r);
		sd_bus_error_free(&e);
		return EXIT_FAILURE;
	}
	json_builder_begin_object(b);
	if ((r = sd_bus_message_enter_container(reply, 'a', "{st}")) < 0)
		goto bad;
	while ((r = sd_bus_message_read(reply, "{st}", &name, &v)) > 0) {
		if (c->json) {
			json_builder_set_member_name(b, name);
			json_builder_add_int_value(b, (gint64)v);
		} else {
			printf("%-24s %" PRIu64 "\n", name, v);
		}
	}
	if (r < 0)
		goto bad;
	json_builder_end_object(b);
	if (c->json)
		print_json(b);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(reply);
	return report_bad_reply("osc stats", r);
}

int cmd_osc(struct ctx *c, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "stats") != 0) {
		fprintf(stderr, "Usage: fohctl [--json] osc stats\n");
		return EXIT_USAGE;
	}
	return osc_stats(c);
}
