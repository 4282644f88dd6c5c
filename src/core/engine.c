/* PipeWire connection management for fohd; see engine.h.
 *
 * PipeWire's main loop is driven from sd-event: its epoll fd is an sd-event
 * I/O source, dispatched with pw_loop_enter/iterate(0)/leave. The core error
 * callback only records that the connection broke and arms a timer; the
 * teardown runs from that timer, outside PipeWire's dispatch, and the same
 * timer then retries the connection every reconnect interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/utils/result.h>

#include "core/engine.h"
#include "util/cleanup.h"
#include "util/log.h"

#define FOH_DEVICES_MAX	1024	/* audio devices listed (README "Limits") */
#define FOH_LINKS_MAX	16384	/* PipeWire links followed (README "Limits") */

enum link_state { LINK_DOWN, LINK_SYNCING, LINK_UP, LINK_BROKEN };

/* A link between two nodes, from the registry. */
struct link {
	uint32_t id, out_node, in_node;
};

struct foh_engine {
	sd_event *event;
	sd_event_source *loop_source;
	sd_event_source *retry_timer;
	sd_event_source *graph_defer;	/* reports graph changes after dispatch */
	struct pw_loop *loop;
	struct pw_context *context;

	char *remote;
	uint32_t reconnect_ms;
	const struct foh_engine_events *events;
	void *data;

	enum link_state state;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	struct pw_metadata *settings;
	uint32_t settings_id;
	struct spa_hook settings_listener;
	int sync_seq;

	uint32_t rate, force_rate, quantum, force_quantum;

	struct foh_device *devices;
	size_t n_devices, cap_devices, n_devices_dropped;

	struct link *links;
	size_t n_links, cap_links, n_links_dropped;
};

static void arm_retry(struct foh_engine *e, uint64_t delay_usec)
{
	(void)sd_event_source_set_time_relative(e->retry_timer, delay_usec);
	(void)sd_event_source_set_enabled(e->retry_timer, SD_EVENT_ONESHOT);
}

static void device_clear(struct foh_device *d)
{
	free(d->name);
	free(d->description);
	free(d->media_class);
}

static void devices_clear(struct foh_engine *e)
{
	for (size_t i = 0; i < e->n_devices; i++)
		device_clear(&e->devices[i]);
	e->n_devices = 0;
	e->n_devices_dropped = 0;
}

static bool is_audio_device_class(const char *c)
{
	return c != NULL && (spa_strstartswith(c, "Audio/Source") ||
			spa_strstartswith(c, "Audio/Sink") ||
			spa_strstartswith(c, "Audio/Duplex"));
}

static void device_add(struct foh_engine *e, uint32_t id, const struct spa_dict *props)
{
	const char *name = spa_dict_lookup(props, PW_KEY_NODE_NAME);
	const char *desc = spa_dict_lookup(props, PW_KEY_NODE_DESCRIPTION);
	const char *klass = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
	struct foh_device *d;

	if (!is_audio_device_class(klass))
		return;
	if (e->n_devices >= FOH_DEVICES_MAX) {
		/* any PipeWire client can make nodes: the list is capped */
		if (e->n_devices_dropped++ == 0)
			foh_warn("more than %d audio devices: ListDevices leaves out the rest",
					FOH_DEVICES_MAX);
		return;
	}
	if (e->n_devices == e->cap_devices) {
		size_t cap = e->cap_devices ? e->cap_devices * 2 : 16;
		struct foh_device *n = realloc(e->devices, cap * sizeof(*n));
		if (n == NULL)
			return;
		e->devices = n;
		e->cap_devices = cap;
	}
	/* Registry ids grow, so appending keeps the list sorted by id. */
	d = &e->devices[e->n_devices++];
	d->id = id;
	d->name = strdup(name ? name : "");
	d->description = strdup(desc ? desc : (name ? name : ""));
	d->media_class = strdup(klass);
	if (d->name == NULL || d->description == NULL || d->media_class == NULL) {
		device_clear(d);
		e->n_devices--;
	}
}

static void device_remove(struct foh_engine *e, uint32_t id)
{
	for (size_t i = 0; i < e->n_devices; i++) {
		if (e->devices[i].id != id)
			continue;
		device_clear(&e->devices[i]);
		memmove(&e->devices[i], &e->devices[i + 1],
				(e->n_devices - i - 1) * sizeof(e->devices[0]));
		e->n_devices--;
		return;
	}
}

static bool link_add(struct foh_engine *e, uint32_t id, const struct spa_dict *props)
{
	const char *out = spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE);
	const char *in = spa_dict_lookup(props, PW_KEY_LINK_INPUT_NODE);

	if (out == NULL || in == NULL)
		return false;
	if (e->n_links >= FOH_LINKS_MAX) {
		/* any PipeWire client can make links: the list is capped */
		if (e->n_links_dropped++ == 0)
			foh_warn("more than %d PipeWire links: the rest are not counted at foh's "
					"nodes", FOH_LINKS_MAX);
		return false;
	}
	if (e->n_links == e->cap_links) {
		size_t cap = e->cap_links ? e->cap_links * 2 : 32;
		struct link *n = realloc(e->links, cap * sizeof(*n));
		if (n == NULL)
			return false;
		e->links = n;
		e->cap_links = cap;
	}
	e->links[e->n_links++] = (struct link){ id, (uint32_t)strtoul(out, NULL, 10),
		(uint32_t)strtoul(in, NULL, 10) };
	return true;
}

static bool link_remove(struct foh_engine *e, uint32_t id)
{
	for (size_t i = 0; i < e->n_links; i++) {
		if (e->links[i].id != id)
			continue;
		e->links[i] = e->links[--e->n_links];
		return true;
	}
	return false;
}

/* Reported once after PipeWire's dispatch, not from inside its registry
 * callback: a burst of globals is one report, and the handlers may make
 * and destroy streams. */
static void graph_changed(struct foh_engine *e)
{
	if (e->graph_defer != NULL)
		(void)sd_event_source_set_enabled(e->graph_defer, SD_EVENT_ONESHOT);
}

static int on_graph_defer(sd_event_source *s, void *data)
{
	struct foh_engine *e = data;

	if (e->state == LINK_UP && e->events->graph)
		e->events->graph(e->data);
	return 0;
}

static void clock_update(struct foh_engine *e, uint32_t *field, const char *value)
{
	uint32_t v = value ? (uint32_t)strtoul(value, NULL, 10) : 0;

	if (*field == v)
		return;
	*field = v;
	if (e->events->clock)
		e->events->clock(e->data);
}

static int settings_property(void *data, uint32_t subject, const char *key,
		const char *type, const char *value)
{
	struct foh_engine *e = data;

	if (subject != PW_ID_CORE)
		return 0;
	if (key == NULL) {
		clock_update(e, &e->force_rate, NULL);
		clock_update(e, &e->force_quantum, NULL);
	} else if (spa_streq(key, "clock.rate")) {
		clock_update(e, &e->rate, value);
	} else if (spa_streq(key, "clock.force-rate")) {
		clock_update(e, &e->force_rate, value);
	} else if (spa_streq(key, "clock.quantum")) {
		clock_update(e, &e->quantum, value);
	} else if (spa_streq(key, "clock.force-quantum")) {
		clock_update(e, &e->force_quantum, value);
	}
	return 0;
}

static const struct pw_metadata_events settings_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = settings_property,
};

static void bind_settings(struct foh_engine *e, uint32_t id, const char *type)
{
	e->settings = pw_registry_bind(e->registry, id, type, PW_VERSION_METADATA, 0);
	if (e->settings == NULL) {
		foh_warn("cannot bind the settings metadata: %m");
		return;
	}
	e->settings_id = id;
	pw_metadata_add_listener(e->settings, &e->settings_listener, &settings_events, e);
}

static void unbind_settings(struct foh_engine *e)
{
	if (e->settings == NULL)
		return;
	spa_hook_remove(&e->settings_listener);
	pw_proxy_destroy((struct pw_proxy *)e->settings);
	e->settings = NULL;
	e->settings_id = SPA_ID_INVALID;
}

static void registry_global(void *data, uint32_t id, uint32_t permissions,
		const char *type, uint32_t version, const struct spa_dict *props)
{
	struct foh_engine *e = data;

	if (props == NULL)
		return;
	if (spa_streq(type, PW_TYPE_INTERFACE_Node)) {
		size_t had = e->n_devices;
		device_add(e, id, props);
		if (e->n_devices != had)
			graph_changed(e);
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Link)) {
		if (link_add(e, id, props))
			graph_changed(e);
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Metadata) && e->settings == NULL &&
			spa_streq(spa_dict_lookup(props, PW_KEY_METADATA_NAME), "settings"))
		bind_settings(e, id, type);
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct foh_engine *e = data;
	size_t had = e->n_devices;

	device_remove(e, id);
	if (link_remove(e, id) || e->n_devices != had)
		graph_changed(e);
	if (id == e->settings_id)
		unbind_settings(e);
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void core_done(void *data, uint32_t id, int seq)
{
	struct foh_engine *e = data;

	if (id != PW_ID_CORE || seq != e->sync_seq || e->state != LINK_SYNCING)
		return;
	e->state = LINK_UP;
	foh_info("connected to PipeWire");
	if (e->events->connection)
		e->events->connection(e->data, true);
}

static void core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct foh_engine *e = data;

	if (id != PW_ID_CORE || res != -EPIPE) {
		foh_warn("PipeWire error on object %u: %s (%s)", id, message, spa_strerror(res));
		return;
	}
	/* Never tear down from inside PipeWire's own dispatch: defer. */
	if (e->state != LINK_BROKEN) {
		e->state = LINK_BROKEN;
		arm_retry(e, 0);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = core_done,
	.error = core_error,
};

static void disconnect(struct foh_engine *e)
{
	bool was_up = e->state == LINK_UP;

	if (e->core == NULL)
		return;
	unbind_settings(e);
	if (e->registry) {
		spa_hook_remove(&e->registry_listener);
		pw_proxy_destroy((struct pw_proxy *)e->registry);
		e->registry = NULL;
	}
	spa_hook_remove(&e->core_listener);
	/* Modules drop their streams first, while the core still exists. */
	e->state = LINK_DOWN;
	if (was_up && e->events->connection)
		e->events->connection(e->data, false);
	pw_core_disconnect(e->core);
	e->core = NULL;
	devices_clear(e);
	e->n_links = e->n_links_dropped = 0;
	e->rate = e->quantum = e->force_rate = e->force_quantum = 0;
	if (e->events->clock)
		e->events->clock(e->data);
}

static int try_connect(struct foh_engine *e)
{
	struct pw_properties *props = NULL;

	if (e->remote[0] != '\0')
		props = pw_properties_new(PW_KEY_REMOTE_NAME, e->remote, NULL);
	e->core = pw_context_connect(e->context, props, 0);
	if (e->core == NULL)
		return -errno;
	e->state = LINK_SYNCING;
	pw_core_add_listener(e->core, &e->core_listener, &core_events, e);
	e->registry = pw_core_get_registry(e->core, PW_VERSION_REGISTRY, 0);
	if (e->registry == NULL)
		return -errno;
	pw_registry_add_listener(e->registry, &e->registry_listener, &registry_events, e);
	e->sync_seq = pw_core_sync(e->core, PW_ID_CORE, 0);
	return 0;
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_engine *e = data;
	int res;

	if (e->state == LINK_BROKEN) {
		foh_warn("lost the connection to PipeWire; retrying every %u ms", e->reconnect_ms);
		disconnect(e);
	}
	if (e->core != NULL)
		return 0;
	if ((res = try_connect(e)) < 0) {
		foh_debug("PipeWire not reachable: %s", spa_strerror(res));
		disconnect(e);
		arm_retry(e, (uint64_t)e->reconnect_ms * 1000);
	}
	return 0;
}

static int on_loop_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_engine *e = data;
	int res;

	pw_loop_enter(e->loop);
	res = pw_loop_iterate(e->loop, 0);
	pw_loop_leave(e->loop);
	if (res < 0 && res != -EINTR)
		foh_warn("PipeWire loop iteration failed: %s", spa_strerror(res));
	return 0;
}

int foh_engine_new(sd_event *event, const char *remote, uint32_t reconnect_ms,
		const struct foh_engine_events *events, void *data,
		struct foh_engine **out)
{
	struct foh_engine *e;
	int res;

	pw_init(NULL, NULL);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	e->event = sd_event_ref(event);
	e->events = events;
	e->data = data;
	e->settings_id = SPA_ID_INVALID;
	e->reconnect_ms = reconnect_ms;
	if ((e->remote = strdup(remote ? remote : "")) == NULL) {
		res = -ENOMEM;
		goto error;
	}
	if ((e->loop = pw_loop_new(NULL)) == NULL) {
		res = -errno;
		goto error;
	}
	e->context = pw_context_new(e->loop, pw_properties_new(
				PW_KEY_CONFIG_NAME, "client-rt.conf",
				PW_KEY_APP_NAME, "fohd",
				"cpu.zero.denormals", "true",
				NULL), 0);
	if (e->context == NULL) {
		res = -errno;
		goto error;
	}
	res = sd_event_add_io(event, &e->loop_source, pw_loop_get_fd(e->loop),
			EPOLLIN, on_loop_io, e);
	if (res < 0)
		goto error;
	res = sd_event_add_time_relative(event, &e->retry_timer, CLOCK_MONOTONIC,
			0, 1000, on_retry_timer, e);
	if (res < 0)
		goto error;
	if ((res = sd_event_add_defer(event, &e->graph_defer, on_graph_defer, e)) < 0)
		goto error;
	(void)sd_event_source_set_enabled(e->graph_defer, SD_EVENT_OFF);
	*out = e;
	return 0;
error:
	foh_engine_free(e);
	return res;
}

void foh_engine_free(struct foh_engine *e)
{
	if (e == NULL)
		return;
	disconnect(e);
	sd_event_source_disable_unref(e->retry_timer);
	sd_event_source_disable_unref(e->graph_defer);
	sd_event_source_disable_unref(e->loop_source);
	if (e->context)
		pw_context_destroy(e->context);
	if (e->loop)
		pw_loop_destroy(e->loop);
	sd_event_unref(e->event);
	free(e->devices);
	free(e->links);
	free(e->remote);
	free(e);
	pw_deinit();
}

int foh_engine_configure(struct foh_engine *e, const char *remote, uint32_t reconnect_ms)
{
	bool remote_changed = !spa_streq(e->remote, remote);

	e->reconnect_ms = reconnect_ms;
	if (!remote_changed)
		return 0;
	free(e->remote);
	if ((e->remote = strdup(remote)) == NULL)
		return -ENOMEM;
	if (e->core != NULL) {
		foh_info("PipeWire remote changed to \"%s\"; reconnecting", remote);
		e->state = LINK_BROKEN;
		arm_retry(e, 0);
	}
	return 0;
}

bool foh_engine_connected(const struct foh_engine *e)
{
	return e->state == LINK_UP;
}

struct pw_core *foh_engine_core(const struct foh_engine *e)
{
	return e->state == LINK_UP ? e->core : NULL;
}

struct pw_loop *foh_engine_data_loop(const struct foh_engine *e)
{
	return pw_data_loop_get_loop(pw_context_get_data_loop(e->context));
}

uint32_t foh_engine_sample_rate(const struct foh_engine *e)
{
	return e->force_rate ? e->force_rate : e->rate;
}

uint32_t foh_engine_quantum(const struct foh_engine *e)
{
	return e->force_quantum ? e->force_quantum : e->quantum;
}

const struct foh_device *foh_engine_devices(const struct foh_engine *e, size_t *n)
{
	*n = e->n_devices;
	return e->devices;
}

bool foh_engine_target_is_sink(const struct foh_engine *e, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return false;
	for (size_t i = 0; i < e->n_devices; i++)
		if (spa_streq(e->devices[i].name, name))
			return spa_strstartswith(e->devices[i].media_class, "Audio/Sink");
	return false;
}

uint32_t foh_engine_node_links(const struct foh_engine *e, uint32_t node_id, bool input)
{
	uint32_t n = 0;

	if (node_id == SPA_ID_INVALID)
		return 0;
	for (size_t i = 0; i < e->n_links; i++)
		if ((input ? e->links[i].in_node : e->links[i].out_node) == node_id)
			n++;
	return n;
}
