/* graph-profile: PipeWire's own view of nodes, from the profiler the server
 * publishes (libpipewire-module-profiler, what pw-top shows). pw-top 0.3.65
 * has no batch mode, so the graph tests read the same data here.
 *
 *   graph-profile [--prefix P]... [--seconds S] [--trace N] [--explain N]
 *
 * Until SIGTERM/SIGINT (or --seconds), it counts for every node whose name
 * starts with one of the prefixes (all nodes without --prefix):
 *   cycles    cycles whose profile carried the node (it was scheduled);
 *   errors    profiles in which it had not finished when the driver
 *             completed the cycle (status != FINISHED): pw-top's ERR column
 *             without the driver's xrun count, which is reported apart;
 *   late      cycles in which it finished after the cycle's deadline
 *             (clock.next_nsec);
 *   busy_max  its longest process time (finish - awake);
 * and for each driver its cycles and the increase of its xrun counter; and
 * for the graph, the cycles that started late: the first node was signalled
 * more than STALL_US after the instant the cycle was due (clock.nsec),
 * i.e. the driver's RT thread itself woke late, which no client can make
 * up for (the machine's scheduling latency, not any node's doing). It
 * prints "# profiling" on stdout once the first profile has arrived, then,
 * at the end, one line per node and one for the graph:
 *   node NAME id=ID cycles=N errors=N late=N busy_max_us=X
 *   driver NAME id=ID cycles=N xruns=N
 *   graph cycles=N stalls=N stall_max_us=X
 *
 * A caution on "errors" with PipeWire 0.3.65: the server takes the profile
 * while pw_stream clients may still be updating their activation records,
 * so even a trivial stream shows a few (about one cycle in a thousand on an
 * idle machine), without being late. "late" and the driver's xruns come
 * from timestamps and counters and have no such noise.
 * --trace N also prints the first N cycles' timings of the matching nodes
 * (µs after the cycle's start: signal, awake, finish); --explain N prints
 * the timings of all nodes of the first N cycles in which a matching node
 * was late:
 *   explain cycle=NSEC deadline=US
 *   explain NAME cycle=NSEC signal=US awake=US finish=US status=S */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>
#include <pipewire/extensions/profiler.h>
#include <spa/param/profiler.h>
#include <spa/pod/parser.h>

#define MAX_PREFIXES		8
#define MAX_BLOCKS		512
#define STALL_US		1000
#define STATUS_FINISHED		3	/* PW_NODE_ACTIVATION_FINISHED */

struct node {
	struct spa_list link;
	uint32_t id;
	char name[128];
	bool matches;
	bool is_driver;
	uint64_t cycles, errors, late, last_cycle, last_late;
	int64_t busy_max;
	bool have_xruns;
	uint32_t xruns_first, xruns_last;
};

struct data {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook registry_listener, core_listener;
	struct pw_proxy *profiler;
	struct spa_hook profiler_listener;
	struct spa_list nodes;
	const char *prefixes[MAX_PREFIXES];
	int n_prefixes;
	long trace, explain;
	bool announced;
	uint64_t graph_cycles, stalls, last_cycle;
	int64_t stall_max;
	int check_seq;
	int failed;
};

struct block {
	uint32_t id;
	const char *name;
	int64_t prev_signal, signal, awake, finish;
	int32_t status;
};

static struct node *find_node(struct data *d, uint32_t id)
{
	struct node *n;

	spa_list_for_each(n, &d->nodes, link)
		if (n->id == id)
			return n;
	return NULL;
}

static bool name_matches(struct data *d, const char *name)
{
	if (d->n_prefixes == 0)
		return true;
	for (int i = 0; i < d->n_prefixes; i++)
		if (strncmp(name, d->prefixes[i], strlen(d->prefixes[i])) == 0)
			return true;
	return false;
}

static int parse_block(const struct spa_pod *pod, struct block *b)
{
	struct spa_fraction latency;

	memset(b, 0, sizeof(*b));
	return spa_pod_parse_struct(pod,
			SPA_POD_Int(&b->id),
			SPA_POD_String(&b->name),
			SPA_POD_Long(&b->prev_signal),
			SPA_POD_Long(&b->signal),
			SPA_POD_Long(&b->awake),
			SPA_POD_Long(&b->finish),
			SPA_POD_Int(&b->status),
			SPA_POD_Fraction(&latency));
}

static void print_block(const char *what, const struct block *b, uint64_t cycle_nsec)
{
	printf("%s %s cycle=%" PRIu64 " signal=%.1f awake=%.1f finish=%.1f status=%d\n",
			what, b->name ? b->name : "?", cycle_nsec,
			(double)(b->signal - (int64_t)cycle_nsec) / 1e3,
			(double)(b->awake - (int64_t)cycle_nsec) / 1e3,
			(double)(b->finish - (int64_t)cycle_nsec) / 1e3, b->status);
}

/* true when the node matches and was late */
static bool account(struct data *d, const struct block *b, uint64_t cycle_nsec,
		uint64_t deadline)
{
	struct node *n = find_node(d, b->id);
	bool late = false;

	if (n == NULL || !n->matches)
		return false;
	/* the server sends some cycles twice: count each cycle once */
	if (cycle_nsec != n->last_cycle)
		n->cycles++;
	n->last_cycle = cycle_nsec;
	if (b->status != STATUS_FINISHED)
		n->errors++;
	if (deadline != 0 && b->finish > 0 && (uint64_t)b->finish > deadline) {
		if (cycle_nsec != n->last_late)
			n->late++;
		n->last_late = cycle_nsec;
		late = true;
	}
	if (b->finish > b->awake && b->finish - b->awake > n->busy_max)
		n->busy_max = b->finish - b->awake;
	if (d->trace > 0)
		print_block("trace", b, cycle_nsec);
	return late;
}

/* How late the cycle started: the earliest signal of this cycle. Profiles
 * whose blocks all belong to earlier cycles (the server sends some twice)
 * carry no start and count once only. */
static void graph_start(struct data *d, const struct block *blocks, uint32_t n,
		uint64_t cycle_nsec)
{
	int64_t start = INT64_MAX;

	if (cycle_nsec == 0 || cycle_nsec == d->last_cycle)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (blocks[i].signal >= (int64_t)cycle_nsec && blocks[i].signal < start)
			start = blocks[i].signal;
	if (start == INT64_MAX)
		return;
	d->last_cycle = cycle_nsec;
	d->graph_cycles++;
	start -= (int64_t)cycle_nsec;
	if (start > STALL_US * 1000)
		d->stalls++;
	if (start > d->stall_max)
		d->stall_max = start;
}

static void on_profile(void *data, const struct spa_pod *pod)
{
	struct data *d = data;
	struct spa_pod *o;

	if (!d->announced) {
		printf("# profiling\n");
		fflush(stdout);
		d->announced = true;
	}
	SPA_POD_STRUCT_FOREACH(pod, o) {
		struct spa_pod_prop *p;
		uint64_t cycle_nsec = 0, deadline = 0;
		int64_t count = 0;
		float load[3];
		int32_t xruns = 0;
		bool have_info = false, late = false;
		struct block blocks[MAX_BLOCKS];
		uint32_t n_blocks = 0;

		if (!spa_pod_is_object_type(o, SPA_TYPE_OBJECT_Profiler))
			continue;
		SPA_POD_OBJECT_FOREACH((struct spa_pod_object *)o, p) {
			struct block b;
			struct node *n;

			switch (p->key) {
			case SPA_PROFILER_info:
				if (spa_pod_parse_struct(&p->value, SPA_POD_Long(&count),
						SPA_POD_Float(&load[0]), SPA_POD_Float(&load[1]),
						SPA_POD_Float(&load[2]), SPA_POD_Int(&xruns)) >= 0)
					have_info = true;
				break;
			case SPA_PROFILER_clock: {
				struct spa_io_clock c;
				spa_zero(c);
				spa_pod_parse_struct(&p->value,
						SPA_POD_Int(&c.flags), SPA_POD_Int(&c.id),
						SPA_POD_Stringn(c.name, sizeof(c.name)),
						SPA_POD_Long(&c.nsec), SPA_POD_Fraction(&c.rate),
						SPA_POD_Long(&c.position), SPA_POD_Long(&c.duration),
						SPA_POD_Long(&c.delay), SPA_POD_Double(&c.rate_diff),
						SPA_POD_Long(&c.next_nsec));
				cycle_nsec = c.nsec;
				deadline = c.next_nsec;
				break;
			}
			case SPA_PROFILER_driverBlock:
				if (parse_block(&p->value, &b) < 0)
					break;
				if ((n = find_node(d, b.id)) != NULL) {
					n->is_driver = true;
					if (have_info) {
						if (!n->have_xruns)
							n->xruns_first = (uint32_t)xruns;
						n->xruns_last = (uint32_t)xruns;
						n->have_xruns = true;
					}
				}
				late |= account(d, &b, cycle_nsec, deadline);
				if (n_blocks < MAX_BLOCKS)
					blocks[n_blocks++] = b;
				break;
			case SPA_PROFILER_followerBlock:
				if (parse_block(&p->value, &b) < 0)
					break;
				late |= account(d, &b, cycle_nsec, deadline);
				if (n_blocks < MAX_BLOCKS)
					blocks[n_blocks++] = b;
				break;
			default:
				break;
			}
		}
		if (d->trace > 0)
			d->trace--;
		graph_start(d, blocks, n_blocks, cycle_nsec);
		if (late && d->explain > 0) {
			d->explain--;
			printf("explain cycle=%" PRIu64 " deadline=%.1f\n", cycle_nsec,
					(double)(int64_t)(deadline - cycle_nsec) / 1e3);
			for (uint32_t i = 0; i < n_blocks; i++)
				print_block("explain", &blocks[i], cycle_nsec);
		}
	}
}

static const struct pw_profiler_events profiler_events = {
	PW_VERSION_PROFILER_EVENTS,
	.profile = on_profile,
};

static void registry_global(void *data, uint32_t id, uint32_t permissions,
		const char *type, uint32_t version, const struct spa_dict *props)
{
	struct data *d = data;

	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
		const char *name = props ? spa_dict_lookup(props, PW_KEY_NODE_NAME) : NULL;
		struct node *n = calloc(1, sizeof(*n));

		if (n == NULL)
			return;
		n->id = id;
		snprintf(n->name, sizeof(n->name), "%s", name ? name : "?");
		n->matches = name_matches(d, n->name);
		spa_list_append(&d->nodes, &n->link);
	} else if (strcmp(type, PW_TYPE_INTERFACE_Profiler) == 0 && d->profiler == NULL) {
		d->profiler = pw_registry_bind(d->registry, id, type, PW_VERSION_PROFILER, 0);
		if (d->profiler != NULL)
			pw_proxy_add_object_listener(d->profiler, &d->profiler_listener,
					&profiler_events, d);
	}
}

/* A node that goes away keeps its counts: print them at the end too. */
static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
};

static void on_core_done(void *data, uint32_t id, int seq)
{
	struct data *d = data;

	if (id == PW_ID_CORE && seq == d->check_seq && d->profiler == NULL) {
		fprintf(stderr, "graph-profile: the server has no profiler\n");
		d->failed = 1;
		pw_main_loop_quit(d->loop);
	}
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct data *d = data;

	if (id == PW_ID_CORE && res == -EPIPE) {
		fprintf(stderr, "graph-profile: lost the connection to PipeWire\n");
		d->failed = 1;
		pw_main_loop_quit(d->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_core_done,
	.error = on_core_error,
};

static void on_quit(void *data, int signal_number)
{
	struct data *d = data;

	pw_main_loop_quit(d->loop);
}

static void on_timeout(void *data, uint64_t expirations)
{
	struct data *d = data;

	pw_main_loop_quit(d->loop);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "trace", required_argument, NULL, 't' },
		{ "explain", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct data d = { 0 };
	double seconds = 0.0;
	struct pw_context *context;
	struct pw_loop *l;
	struct node *n;
	int c;

	spa_list_init(&d.nodes);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (d.n_prefixes == MAX_PREFIXES) {
				fprintf(stderr, "graph-profile: at most %d prefixes\n", MAX_PREFIXES);
				return 2;
			}
			d.prefixes[d.n_prefixes++] = optarg;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 't':
			d.trace = atol(optarg);
			break;
		case 'x':
			d.explain = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: graph-profile [--prefix P]... [--seconds S] [--trace N] [--explain N]\n");
			return 2;
		}
	}

	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(d.loop);
	pw_loop_add_signal(l, SIGINT, on_quit, &d);
	pw_loop_add_signal(l, SIGTERM, on_quit, &d);
	if (seconds > 0.0) {
		struct timespec value = {
			.tv_sec = (time_t)seconds,
			.tv_nsec = (long)((seconds - floor(seconds)) * 1e9),
		};
		struct spa_source *timer = pw_loop_add_timer(l, on_timeout, &d);

		pw_loop_update_timer(l, timer, &value, NULL, false);
	}
	context = pw_context_new(l,
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (context == NULL) {
		fprintf(stderr, "graph-profile: cannot create a context: %m\n");
		return 1;
	}
	/* the client side of the profiler interface (its marshalling) */
	pw_context_load_module(context, PW_EXTENSION_MODULE_PROFILER, NULL, NULL);
	if ((d.core = pw_context_connect(context, NULL, 0)) == NULL) {
		fprintf(stderr, "graph-profile: cannot connect to PipeWire: %m\n");
		return 1;
	}
	pw_core_add_listener(d.core, &d.core_listener, &core_events, &d);
	d.registry = pw_core_get_registry(d.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(d.registry, &d.registry_listener, &registry_events, &d);
	d.check_seq = pw_core_sync(d.core, PW_ID_CORE, 0);

	pw_main_loop_run(d.loop);

	spa_list_for_each(n, &d.nodes, link) {
		if (!n->matches)
			continue;
		if (n->is_driver)
			printf("driver %s id=%u cycles=%" PRIu64 " xruns=%u\n", n->name, n->id,
					n->cycles, n->xruns_last - n->xruns_first);
		else
			printf("node %s id=%u cycles=%" PRIu64 " errors=%" PRIu64
					" late=%" PRIu64 " busy_max_us=%.1f\n",
					n->name, n->id, n->cycles, n->errors, n->late,
					(double)n->busy_max / 1e3);
	}
	printf("graph cycles=%" PRIu64 " stalls=%" PRIu64 " stall_max_us=%.1f\n",
			d.graph_cycles, d.stalls, (double)d.stall_max / 1e3);
	fflush(stdout);
	spa_list_consume(n, &d.nodes, link) {
		spa_list_remove(&n->link);
		free(n);
	}
	if (d.profiler != NULL)
		pw_proxy_destroy(d.profiler);
	pw_proxy_destroy((struct pw_proxy *)d.registry);
	pw_core_disconnect(d.core);
	pw_context_destroy(context);
	pw_main_loop_destroy(d.loop);
	pw_deinit();
	return d.failed;
}
