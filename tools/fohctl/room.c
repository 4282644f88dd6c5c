/* fohctl room: foh-web's WebRTC rooms over D-Bus (org.foh.Web1.Rooms on
 * /org/foh/Web1): create, list, close. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define WEB_BUS_NAME "org.foh.Web1"
#define WEB_PATH "/org/foh/Web1"
#define ROOMS_IFACE "org.foh.Web1.Rooms"

static int usage(void)
{
	fprintf(stderr, "Usage: fohctl [--json] room create [--id ID] [--channel N] "
			"[--programme NODE] [--listen-key] [--max-peers N]\n"
			"       fohctl [--json] room list\n"
			"       fohctl room close ID\n");
	return EXIT_USAGE;
}

static int failed(const char *what, sd_bus_error *e, int r)
{
	if (sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.ServiceUnknown",
				"org.freedesktop.DBus.Error.NameHasNoOwner"))
		fprintf(stderr, "fohctl: foh-web is not running (no %s on the user bus)\n",
				WEB_BUS_NAME);
	else
		report_bus_error(what, e, r);
	sd_bus_error_free(e);
	return EXIT_FAILURE;
}

static bool number(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= lo && *out <= hi;
}

static int room_create(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *id, *pk, *lk;
	long n;
	int r;

	if ((r = sd_bus_message_new_method_call(c->bus, &m, WEB_BUS_NAME, WEB_PATH, ROOMS_IFACE,
			"CreateRoom")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		goto bad;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--listen-key") == 0) {
			r = sd_bus_message_append(m, "{sv}", "listen_key", "b", 1);
			continue;
		}
		if (v == NULL) {
			sd_bus_message_unref(m);
			return usage();
		}
		i++;
		if (strcmp(a, "--id") == 0 || strcmp(a, "--programme") == 0) {
			r = sd_bus_message_append(m, "{sv}", a + 2, "s", v);
		} else if (strcmp(a, "--channel") == 0 && number(v, 0, INT32_MAX, &n)) {
			r = sd_bus_message_append(m, "{sv}", "channel", "i", (int32_t)n);
		} else if (strcmp(a, "--max-peers") == 0 && number(v, 1, UINT32_MAX, &n)) {
			r = sd_bus_message_append(m, "{sv}", "max_peers", "u", (uint32_t)n);
		} else {
			sd_bus_message_unref(m);
			return usage();
		}
		if (r < 0)
			goto bad;
	}
	if (r < 0 || (r = sd_bus_message_close_container(m)) < 0)
		goto bad;
	r = sd_bus_call(c->bus, m, 0, &e, &reply);
	sd_bus_message_unref(m);
	m = NULL;
	if (r < 0)
		return failed("CreateRoom", &e, r);
	if ((r = sd_bus_message_read(reply, "sss", &id, &pk, &lk)) < 0)
		goto bad;
	if (c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, id);
		json_builder_set_member_name(b, "publish_key");
		json_builder_add_string_value(b, pk);
		json_builder_set_member_name(b, "listen_key");
		if (lk[0])
			json_builder_add_string_value(b, lk);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
		print_json(b);
	} else {
		printf("id           %s\npublish_key  %s\nlisten_key   %s\n", id, pk, lk[0] ? lk : "-");
	}
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return report_bad_reply("CreateRoom", r);
}

static int room_list(struct ctx *c)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *id, *prog;
	int32_t ch;
	uint32_t pubs, lis;
	int r;

	r = sd_bus_call_method(c->bus, WEB_BUS_NAME, WEB_PATH, ROOMS_IFACE, "ListRooms", &e,
			&reply, "");
	if (r < 0)
		return failed("ListRooms", &e, r);
	if ((r = sd_bus_message_enter_container(reply, 'a', "(ssiuu)")) < 0)
		goto bad;
	json_builder_begin_array(b);
	while ((r = sd_bus_message_read(reply, "(ssiuu)", &id, &prog, &ch, &pubs, &lis)) > 0) {
		if (c->json) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "id");
			json_builder_add_string_value(b, id);
			json_builder_set_member_name(b, "programme");
			json_builder_add_string_value(b, prog);
			json_builder_set_member_name(b, "channel");
			json_builder_add_int_value(b, ch);
			json_builder_set_member_name(b, "publishers");
			json_builder_add_int_value(b, pubs);
			json_builder_set_member_name(b, "listeners");
			json_builder_add_int_value(b, lis);
			json_builder_end_object(b);
		} else {
			printf("%-32s channel %-3" PRIi32 " publishers %-3" PRIu32 " listeners %-3"
					PRIu32 " programme %s\n", id, ch, pubs, lis, prog[0] ? prog : "-");
		}
	}
	if (r < 0)
		goto bad;
	json_builder_end_array(b);
	if (c->json)
		print_json(b);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(reply);
	return report_bad_reply("ListRooms", r);
}

static int room_close(struct ctx *c, const char *id)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(c->bus, WEB_BUS_NAME, WEB_PATH, ROOMS_IFACE, "CloseRoom", &e, NULL,
			"s", id);
	if (r < 0)
		return failed("CloseRoom", &e, r);
	return EXIT_SUCCESS;
}

int cmd_room(struct ctx *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return room_create(c, argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return room_list(c);
	if (argc == 3 && strcmp(argv[1], "close") == 0)
		return room_close(c, argv[2]);
	return usage();
}
