/* foh-web's rooms on D-Bus: the interface org.foh.Web1.Rooms on
 * /org/foh/Web1 (CreateRoom, ListRooms, CloseRoom), the same model and
 * checks as POST /api/rooms (rooms_create), refusals by the same names. */
#include <errno.h>
#include <string.h>

#include "foh-web/rooms.h"

#define ERR_INVALID "org.foh.Foh1.Error.InvalidArgument"

static int refuse(sd_bus_error *error, const char *name, const char *why)
{
	return sd_bus_error_set(error, name, why);
}

static struct web_rooms *rooms_of(void *data, sd_bus_error *error)
{
	struct web *w = data;

	if (w->rooms == NULL || !w->rooms->enabled) {
		refuse(error, "org.foh.Web1.Error.Disabled", "rooms are off ([rooms] enabled)");
		return NULL;
	}
	return w->rooms;
}

/* CreateRoom(a{sv} options) → (s id, s publish_key, s listen_key): options
 * id (s), channel (i, 0 = none), programme (s), listen_key (b),
 * max_peers (u); listen_key is "" when listeners need none. */
static int method_create(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web_rooms *rs = rooms_of(data, error);
	struct room_req q = { .channel = -1 };
	const char *key, *why = NULL, *name = NULL;
	unsigned int status;
	struct room *r;
	int k;

	if (rs == NULL)
		return -EACCES;
	if ((k = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return k;
	while ((k = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((k = sd_bus_message_read(m, "s", &key)) < 0)
			return k;
		if (strcmp(key, "id") == 0 || strcmp(key, "programme") == 0) {
			const char *v;
			if (sd_bus_message_read(m, "v", "s", &v) < 0)
				return refuse(error, ERR_INVALID, "id and programme are strings (s)");
			*(key[0] == 'i' ? &q.id : &q.programme) = v;
		} else if (strcmp(key, "channel") == 0) {
			int32_t v;
			if (sd_bus_message_read(m, "v", "i", &v) < 0 || v < 0)
				return refuse(error, ERR_INVALID,
						"channel: a foh channel number, or 0 for none (i)");
			q.channel = v;
		} else if (strcmp(key, "listen_key") == 0) {
			int v;
			if (sd_bus_message_read(m, "v", "b", &v) < 0)
				return refuse(error, ERR_INVALID, "listen_key is a boolean (b)");
			q.listen_key = v;
		} else if (strcmp(key, "max_peers") == 0) {
			uint32_t v;
			if (sd_bus_message_read(m, "v", "u", &v) < 0 || v < 1)
				return refuse(error, ERR_INVALID, "max_peers: 1 up to [rooms] max-peers (u)");
			q.max_peers = v;
		} else {
			return refuse(error, ERR_INVALID, "unknown option; known: id, channel, "
					"programme, listen_key, max_peers");
		}
		if ((k = sd_bus_message_exit_container(m)) < 0)
			return k;
	}
	if (k < 0 || (k = sd_bus_message_exit_container(m)) < 0)
		return k;
	r = rooms_create(rs, &q, &status, &name, &why);
	if (r == NULL)
		return refuse(error, name, why);
	return sd_bus_reply_method_return(m, "sss", r->id, r->publish_key, r->listen_key);
}

/* ListRooms() → a(ssiuu): id, programme node ("" = none yet), channel
 * (0 = none), publishers, listeners. */
static int method_list(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web_rooms *rs = rooms_of(data, error);
	sd_bus_message *reply = NULL;
	GHashTableIter it;
	gpointer v;
	int k;

	if (rs == NULL)
		return -EACCES;
	if ((k = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (k = sd_bus_message_open_container(reply, 'a', "(ssiuu)")) < 0)
		goto out;
	g_hash_table_iter_init(&it, rs->rooms);
	while (k >= 0 && g_hash_table_iter_next(&it, NULL, &v)) {
		struct room *r = v;
		char buf[64];
		const char *prog = rooms_programme(r, buf, sizeof(buf));
		k = sd_bus_message_append(reply, "(ssiuu)", r->id, prog ? prog : "",
				(int32_t)(r->channel > 0 ? r->channel : 0),
				rooms_count(r, true), rooms_count(r, false));
	}
	if (k < 0 || (k = sd_bus_message_close_container(reply)) < 0)
		goto out;
	k = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return k;
}

/* CloseRoom(s id): its peers leave, its channel gets its Input back. */
static int method_close(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web_rooms *rs = rooms_of(data, error);
	const char *id;
	int k;

	if (rs == NULL)
		return -EACCES;
	if ((k = sd_bus_message_read(m, "s", &id)) < 0)
		return k;
	if (!rooms_valid_id(id))
		return refuse(error, ERR_INVALID, "id: 1 to 32 of a-z, 0-9, '_' and '-'");
	if (!rooms_close(rs, id))
		return refuse(error, "org.foh.Foh1.Error.NotFound", "no such room");
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("CreateRoom", SD_BUS_ARGS("a{sv}", options),
			SD_BUS_RESULT("s", id, "s", publish_key, "s", listen_key),
			method_create, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListRooms", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssiuu)", rooms),
			method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CloseRoom", SD_BUS_ARGS("s", id), SD_BUS_NO_RESULT,
			method_close, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

const sd_bus_vtable *web_rooms_vtable(void)
{
	return vtable;
}
