/* org.foh.Foh1.Profiles at /org/foh/Foh1/profiles: the content profiles
 * (content/profiles.h) — list, read, write and delete them:
 *   List() → as names
 *   Get(s name) → a{ss} settings (config key → value)
 *   Set(s name, a{ss} settings)   validated whole; a bad key or value is
 *       refused (InvalidArgument naming file, key and reason), nothing
 *       written
 *   Delete(s name)
 * A channel whose profile is rewritten picks it up the next time it is
 * applied. */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/bus.h"
#include "util/log.h"

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_auto(GStrv) names = foh_profile_list();
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_append_strv(reply, names)) < 0 ||
	    (r = sd_bus_send(NULL, reply, NULL)) < 0) {
		sd_bus_message_unref(reply);
		return r;
	}
	sd_bus_message_unref(reply);
	return 1;
}

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autofree char *why = NULL;
	sd_bus_message *reply = NULL;
	struct foh_profile *p = g_new0(struct foh_profile, 1);
	const char *name;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0)
		goto out;
	if ((r = foh_profile_load(name, p, &why)) < 0) {
		r = sd_bus_error_setf(error, r == -ENOENT ? FOH_ERROR_NOT_FOUND :
				FOH_ERROR_INVALID_CONFIG, "%s", why);
		goto out;
	}
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{ss}")) < 0)
		goto out;
	for (size_t i = 0; i < foh_channel_n_params && i < FOH_PROFILE_KEYS_MAX; i++) {
		g_autofree char *v = NULL;
		if (!p->set[i])
			continue;
		v = foh_profile_value(p, i);
		if ((r = sd_bus_message_append(reply, "{ss}", foh_channel_params[i].key,
						v ? v : "")) < 0)
			goto out;
	}
	if ((r = sd_bus_message_close_container(reply)) < 0 ||
	    (r = sd_bus_send(NULL, reply, NULL)) < 0)
		goto out;
	r = 1;
out:
	sd_bus_message_unref(reply);
	g_free(p);
	return r;
}

static int method_set(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *why = NULL;
	const char *name, *k, *v;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "{ss}")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
		if (keys->len >= FOH_PROFILE_KEYS_MAX)
			return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
					"more than %d settings", FOH_PROFILE_KEYS_MAX);
		g_ptr_array_add(keys, g_strdup(k));
		g_ptr_array_add(values, g_strdup(v));
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	if ((r = foh_profile_save(name, (const char *const *)keys->pdata,
					(const char *const *)values->pdata, keys->len, &why)) < 0)
		return sd_bus_error_setf(error, r == -EINVAL ? FOH_ERROR_INVALID_ARGUMENT :
				FOH_ERROR_CANNOT_SAVE, "%s; nothing was changed", why);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autofree char *why = NULL;
	const char *name;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0)
		return r;
	if ((r = foh_profile_delete(name, &why)) < 0)
		return sd_bus_error_setf(error, r == -ENOENT ? FOH_ERROR_NOT_FOUND :
				FOH_ERROR_INVALID_ARGUMENT, "%s", why);
	return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable profiles_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("List", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", names),
			method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Get", SD_BUS_ARGS("s", name), SD_BUS_RESULT("a{ss}", settings),
			method_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Set", SD_BUS_ARGS("s", name, "a{ss}", settings),
			SD_BUS_NO_RESULT, method_set, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
			method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int foh_bus_profiles_register(struct foh_daemon *d)
{
	return sd_bus_add_object_vtable(d->bus, &d->profiles_slot, FOH_PROFILES_PATH,
			FOH_PROFILES_INTERFACE, profiles_vtable, d);
}
