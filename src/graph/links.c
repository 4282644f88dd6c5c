/* Links fohd makes itself, by node name; see links.h.
 *
 * The registry's nodes and ports are mirrored in two lists (main thread,
 * so plain allocation). Every registry change signals one loop event; its
 * handler compares, for every want, the port pairs it should have with the
 * links it has, destroys the links no longer wanted and asks the
 * link-factory for the missing ones. A link's proxy is its handle: the
 * link is object.linger = false, so destroying the proxy (or fohd ending)
 * removes it from the graph. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/utils/json.h>
#include <spa/utils/list.h>

#include "graph/links.h"
#include "util/log.h"

#define NAME_MAX_LEN	256u
#define MAX_PORTS	64u	/* per node side; more are ignored */

struct node {
	struct spa_list link;
	uint32_t id;
	char *name;
	bool sink;		/* media.class names a sink: capture its monitor */
};

struct port {
	struct spa_list link;
	uint32_t id, node;
	enum spa_direction dir;
	char *name, *channel;
	bool monitor;
};

struct want {
	struct spa_list link;
	uint32_t id;
	char own[NAME_MAX_LEN], prefix[NAME_MAX_LEN], target[NAME_MAX_LEN];
	enum spa_direction dir;
	bool passive;
};

struct made {
	struct spa_list link;
	struct foh_links *owner;
	uint32_t want;
	uint32_t out_port, in_port;
	bool passive;
	struct pw_proxy *proxy;
	struct spa_hook listener;
	bool bound;		/* PipeWire made it */
	bool failed;		/* PipeWire refused it: not asked again while its ports last */
	bool gone;		/* removed from the graph: forget it at the next sync */
	bool keep;		/* sync: still wanted */
};

struct foh_links {
	struct pw_core *core;
	struct pw_loop *loop;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	struct spa_source *sync_event;
	struct spa_list nodes, ports, wants, made;
	/* the "default" metadata: where FOH_LINKS_DEFAULT points */
	struct pw_metadata *metadata;
	struct spa_hook metadata_listener;
	uint32_t metadata_id;
	char default_sink[NAME_MAX_LEN], default_source[NAME_MAX_LEN];
};

static void schedule(struct foh_links *l)
{
	pw_loop_signal_event(l->loop, l->sync_event);
}

/* ---- the links it made ------------------------------------------------ */

static void made_free(struct made *m)
{
	spa_list_remove(&m->link);
	if (m->proxy != NULL) {
		spa_hook_remove(&m->listener);
		pw_proxy_destroy(m->proxy);
	}
	free(m);
}

static void made_bound(void *data, uint32_t global_id)
{
	struct made *m = data;

	m->bound = true;
}

static void made_removed(void *data)
{
	struct made *m = data;

	m->gone = true;
	schedule(m->owner);
}

static void made_error(void *data, int seq, int res, const char *message)
{
	struct made *m = data;

	foh_warn("graph: cannot link port %u to port %u: %s", m->out_port, m->in_port,
			message ? message : strerror(-res));
	m->failed = true;
	m->bound = false;
}

static const struct pw_proxy_events made_events = {
	PW_VERSION_PROXY_EVENTS,
	.bound = made_bound,
	.removed = made_removed,
	.error = made_error,
};

static void make_link(struct foh_links *l, const struct want *w, uint32_t out_node,
		uint32_t out_port, uint32_t in_node, uint32_t in_port)
{
	struct made *m = calloc(1, sizeof(*m));
	struct pw_properties *p = pw_properties_new(NULL, NULL);

	if (m == NULL || p == NULL)
		goto error;
	pw_properties_setf(p, PW_KEY_LINK_OUTPUT_NODE, "%u", out_node);
	pw_properties_setf(p, PW_KEY_LINK_OUTPUT_PORT, "%u", out_port);
	pw_properties_setf(p, PW_KEY_LINK_INPUT_NODE, "%u", in_node);
	pw_properties_setf(p, PW_KEY_LINK_INPUT_PORT, "%u", in_port);
	pw_properties_set(p, PW_KEY_OBJECT_LINGER, "false");
	pw_properties_set(p, PW_KEY_LINK_PASSIVE, w->passive ? "true" : "false");
	m->proxy = pw_core_create_object(l->core, "link-factory", PW_TYPE_INTERFACE_Link,
			PW_VERSION_LINK, &p->dict, 0);
	pw_properties_free(p);
	if (m->proxy == NULL) {
		foh_warn("graph: cannot ask for a link: %s", strerror(errno));
		free(m);
		return;
	}
	m->owner = l;
	m->want = w->id;
	m->out_port = out_port;
	m->in_port = in_port;
	m->passive = w->passive;
	m->keep = true;
	pw_proxy_add_listener(m->proxy, &m->listener, &made_events, m);
	spa_list_append(&l->made, &m->link);
	return;
error:
	free(m);
	pw_properties_free(p);
	foh_warn("graph: no memory for a link");
}

/* ---- what a want should have ------------------------------------------ */

static const struct node *node_named(const struct foh_links *l, const char *name)
{
	const struct node *n, *best = NULL;

	/* two nodes of one name: the older one, as target.object does */
	spa_list_for_each(n, &l->nodes, link)
		if (strcmp(n->name, name) == 0 && (best == NULL || n->id < best->id))
			best = n;
	return best;
}

/* The node's ports in direction dir, by id (creation order). */
static uint32_t ports_of(const struct foh_links *l, uint32_t node, enum spa_direction dir,
		const char *prefix, int monitor, const struct port **out)
{
	const struct port *p;
	uint32_t n = 0;

	spa_list_for_each(p, &l->ports, link) {
		uint32_t i;

		if (p->node != node || p->dir != dir || n == MAX_PORTS)
			continue;
		if (prefix != NULL && strncmp(p->name, prefix, strlen(prefix)) != 0)
			continue;
		if (monitor >= 0 && p->monitor != (monitor > 0))
			continue;
		for (i = n; i > 0 && out[i - 1]->id > p->id; i--)
			out[i] = out[i - 1];
		out[i] = p;
		n++;
	}
	return n;
}

static bool is_mono(const struct port *p)
{
	return strcmp(p->channel, "MONO") == 0;
}

/* Calls pair(own port, target port) for every pair the want should have. */
static void plan(const struct port *const *own, uint32_t n_own,
		const struct port *const *tgt, uint32_t n_tgt,
		void (*pair)(void *, const struct port *, const struct port *), void *data)
{
	for (uint32_t i = 0; i < n_own && n_tgt > 0; i++) {
		bool matched = false;

		for (uint32_t j = 0; j < n_tgt; j++) {
			if (own[i]->channel[0] != '\0' && strcmp(own[i]->channel, tgt[j]->channel) == 0) {
				pair(data, own[i], tgt[j]);
				matched = true;
			}
		}
		if (matched)
			continue;
		if (is_mono(own[i])) {
			for (uint32_t j = 0; j < n_tgt; j++)
				pair(data, own[i], tgt[j]);
		} else if (n_tgt == 1 && is_mono(tgt[0])) {
			pair(data, own[i], tgt[0]);
		} else {
			pair(data, own[i], tgt[i % n_tgt]);
		}
	}
}

struct sync_ctx {
	struct foh_links *l;
	const struct want *w;
	uint32_t own_node, tgt_node;
};

static void sync_pair(void *data, const struct port *own, const struct port *tgt)
{
	struct sync_ctx *c = data;
	bool own_is_in = c->w->dir == SPA_DIRECTION_INPUT;
	uint32_t out_port = own_is_in ? tgt->id : own->id;
	uint32_t in_port = own_is_in ? own->id : tgt->id;
	struct made *m;

	spa_list_for_each(m, &c->l->made, link) {
		if (m->want == c->w->id && m->out_port == out_port && m->in_port == in_port &&
		    m->passive == c->w->passive && !m->gone) {
			m->keep = true;
			return;
		}
	}
	make_link(c->l, c->w, own_is_in ? c->tgt_node : c->own_node, out_port,
			own_is_in ? c->own_node : c->tgt_node, in_port);
}

static void sync_want(struct foh_links *l, const struct want *w)
{
	const struct port *own[MAX_PORTS], *tgt[MAX_PORTS];
	const struct node *on, *tn;
	struct sync_ctx c = { l, w, 0, 0 };
	uint32_t n_own, n_tgt;
	int monitor = -1;
	const char *target = w->target;

	if (strcmp(target, FOH_LINKS_DEFAULT) == 0)
		target = w->dir == SPA_DIRECTION_INPUT ? l->default_source : l->default_sink;
	if (target[0] == '\0' || (on = node_named(l, w->own)) == NULL ||
	    (tn = node_named(l, target)) == NULL)
		return;
	/* a sink's outputs to take are its monitor, not anything else it may
	 * have; a source's or a stream's are all of its outputs (a virtual
	 * source's capture ports are monitor ports too) */
	if (w->dir == SPA_DIRECTION_INPUT && tn->sink)
		monitor = 1;
	n_own = ports_of(l, on->id, w->dir, w->prefix, -1, own);
	n_tgt = ports_of(l, tn->id, w->dir == SPA_DIRECTION_INPUT ?
			SPA_DIRECTION_OUTPUT : SPA_DIRECTION_INPUT, NULL, monitor, tgt);
	c.own_node = on->id;
	c.tgt_node = tn->id;
	plan(own, n_own, tgt, n_tgt, sync_pair, &c);
}

static void on_sync(void *data, uint64_t count)
{
	struct foh_links *l = data;
	struct made *m, *t;
	struct want *w;

	spa_list_for_each(m, &l->made, link)
		m->keep = false;
	spa_list_for_each(w, &l->wants, link)
		sync_want(l, w);
	spa_list_for_each_safe(m, t, &l->made, link) {
		/* a refused link is not asked again while it is still wanted */
		if (!m->keep || m->gone)
			made_free(m);
	}
}

/* ---- the defaults ----------------------------------------------------- */

/* The name in a default.audio.* value, {"name":"..."}; "" when none. */
static void default_name(const char *value, char *out, size_t len)
{
	struct spa_json it[2];
	char key[64];
	const char *v;

	out[0] = '\0';
	if (value == NULL)
		return;
	spa_json_init(&it[0], value, strlen(value));
	if (spa_json_enter_object(&it[0], &it[1]) <= 0)
		return;
	while (spa_json_get_string(&it[1], key, sizeof(key)) > 0) {
		if (strcmp(key, "name") == 0) {
			if (spa_json_get_string(&it[1], out, (int)len) <= 0)
				out[0] = '\0';
			return;
		}
		if (spa_json_next(&it[1], &v) <= 0)
			return;
	}
}

static int metadata_property(void *data, uint32_t subject, const char *key, const char *type,
		const char *value)
{
	struct foh_links *l = data;

	if (subject != PW_ID_CORE)
		return 0;
	if (key == NULL) {
		l->default_sink[0] = l->default_source[0] = '\0';
	} else if (strcmp(key, "default.audio.sink") == 0) {
		default_name(value, l->default_sink, sizeof(l->default_sink));
	} else if (strcmp(key, "default.audio.source") == 0) {
		default_name(value, l->default_source, sizeof(l->default_source));
	} else {
		return 0;
	}
	schedule(l);
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = metadata_property,
};

static void bind_defaults(struct foh_links *l, uint32_t id, const struct spa_dict *props)
{
	const char *name = spa_dict_lookup(props, PW_KEY_METADATA_NAME);

	if (l->metadata != NULL || name == NULL || strcmp(name, "default") != 0)
		return;
	l->metadata = pw_registry_bind(l->registry, id, PW_TYPE_INTERFACE_Metadata,
			PW_VERSION_METADATA, 0);
	if (l->metadata == NULL) {
		foh_warn("graph: cannot follow the default sink and source: %s", strerror(errno));
		return;
	}
	l->metadata_id = id;
	pw_metadata_add_listener(l->metadata, &l->metadata_listener, &metadata_events, l);
}

static void unbind_defaults(struct foh_links *l)
{
	if (l->metadata == NULL)
		return;
	spa_hook_remove(&l->metadata_listener);
	pw_proxy_destroy((struct pw_proxy *)l->metadata);
	l->metadata = NULL;
	l->default_sink[0] = l->default_source[0] = '\0';
}

/* ---- the registry ----------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void add_node(struct foh_links *l, uint32_t id, const struct spa_dict *props)
{
	const char *name = spa_dict_lookup(props, PW_KEY_NODE_NAME);
	const char *class = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
	struct node *n;

	if (name == NULL || (n = calloc(1, sizeof(*n))) == NULL)
		return;
	n->id = id;
	n->sink = class != NULL && strstr(class, "Sink") != NULL;
	if ((n->name = strdup(name)) == NULL) {
		free(n);
		return;
	}
	spa_list_append(&l->nodes, &n->link);
}

static void add_port(struct foh_links *l, uint32_t id, const struct spa_dict *props)
{
	const char *node = spa_dict_lookup(props, PW_KEY_NODE_ID);
	const char *dir = spa_dict_lookup(props, PW_KEY_PORT_DIRECTION);
	const char *monitor = spa_dict_lookup(props, PW_KEY_PORT_MONITOR);
	struct port *p;

	if (node == NULL || dir == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return;
	p->id = id;
	p->node = (uint32_t)strtoul(node, NULL, 10);
	p->dir = strcmp(dir, "in") == 0 ? SPA_DIRECTION_INPUT : SPA_DIRECTION_OUTPUT;
	p->monitor = monitor != NULL && spa_atob(monitor);
	p->name = dup_or_empty(spa_dict_lookup(props, PW_KEY_PORT_NAME));
	p->channel = dup_or_empty(spa_dict_lookup(props, PW_KEY_AUDIO_CHANNEL));
	if (p->name == NULL || p->channel == NULL) {
		free(p->name);
		free(p->channel);
		free(p);
		return;
	}
	spa_list_append(&l->ports, &p->link);
}

static void registry_global(void *data, uint32_t id, uint32_t permissions, const char *type,
		uint32_t version, const struct spa_dict *props)
{
	struct foh_links *l = data;

	if (props == NULL)
		return;
	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0)
		add_node(l, id, props);
	else if (strcmp(type, PW_TYPE_INTERFACE_Port) == 0)
		add_port(l, id, props);
	else if (strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0)
		bind_defaults(l, id, props);
	else
		return;
	schedule(l);
}

static void node_free(struct node *n)
{
	spa_list_remove(&n->link);
	free(n->name);
	free(n);
}

static void port_free(struct port *p)
{
	spa_list_remove(&p->link);
	free(p->name);
	free(p->channel);
	free(p);
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct foh_links *l = data;
	struct node *n, *nt;
	struct port *p, *pt;

	if (l->metadata != NULL && id == l->metadata_id) {
		unbind_defaults(l);
		schedule(l);
		return;
	}
	spa_list_for_each_safe(n, nt, &l->nodes, link)
		if (n->id == id) {
			node_free(n);
			schedule(l);
			return;
		}
	spa_list_for_each_safe(p, pt, &l->ports, link)
		if (p->id == id) {
			port_free(p);
			schedule(l);
			return;
		}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* ---- the API ---------------------------------------------------------- */

int foh_links_new(struct pw_core *core, struct foh_links **out)
{
	struct foh_links *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return -ENOMEM;
	l->core = core;
	l->loop = pw_context_get_main_loop(pw_core_get_context(core));
	spa_list_init(&l->nodes);
	spa_list_init(&l->ports);
	spa_list_init(&l->wants);
	spa_list_init(&l->made);
	l->sync_event = pw_loop_add_event(l->loop, on_sync, l);
	l->registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0);
	if (l->sync_event == NULL || l->registry == NULL) {
		int res = -errno;

		foh_links_free(l);
		return res < 0 ? res : -ENOMEM;
	}
	pw_registry_add_listener(l->registry, &l->registry_listener, &registry_events, l);
	*out = l;
	return 0;
}

void foh_links_free(struct foh_links *l)
{
	struct made *m;
	struct want *w;
	struct node *n;
	struct port *p;

	if (l == NULL)
		return;
	spa_list_consume(m, &l->made, link)
		made_free(m);
	spa_list_consume(w, &l->wants, link) {
		spa_list_remove(&w->link);
		free(w);
	}
	spa_list_consume(n, &l->nodes, link)
		node_free(n);
	spa_list_consume(p, &l->ports, link)
		port_free(p);
	unbind_defaults(l);
	if (l->registry != NULL) {
		spa_hook_remove(&l->registry_listener);
		pw_proxy_destroy((struct pw_proxy *)l->registry);
	}
	if (l->sync_event != NULL)
		pw_loop_destroy_source(l->loop, l->sync_event);
	free(l);
}

static struct want *want_find(const struct foh_links *l, uint32_t id)
{
	struct want *w;

	spa_list_for_each(w, &l->wants, link)
		if (w->id == id)
			return w;
	return NULL;
}

static bool fits(const char *s)
{
	return s != NULL && strlen(s) < NAME_MAX_LEN;
}

int foh_links_set(struct foh_links *l, uint32_t id, const char *own, const char *prefix,
		enum spa_direction dir, const char *target, bool passive)
{
	struct want *w = want_find(l, id);

	if (!fits(own) || !fits(prefix) || !fits(target) ||
	    (dir != SPA_DIRECTION_INPUT && dir != SPA_DIRECTION_OUTPUT))
		return -EINVAL;
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -ENOMEM;
		w->id = id;
		spa_list_append(&l->wants, &w->link);
	}
	snprintf(w->own, sizeof(w->own), "%s", own);
	snprintf(w->prefix, sizeof(w->prefix), "%s", prefix);
	snprintf(w->target, sizeof(w->target), "%s", target);
	w->dir = dir;
	w->passive = passive;
	schedule(l);
	return 0;
}

void foh_links_unset(struct foh_links *l, uint32_t id)
{
	struct want *w = want_find(l, id);

	if (w == NULL)
		return;
	spa_list_remove(&w->link);
	free(w);
	schedule(l);
}

uint32_t foh_links_count(const struct foh_links *l, uint32_t id)
{
	const struct made *m;
	uint32_t n = 0;

	spa_list_for_each(m, &l->made, link)
		if (m->want == id && m->bound && !m->gone && !m->failed)
			n++;
	return n;
}
