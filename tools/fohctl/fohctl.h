/* fohctl's shared pieces: the command context, how a command is described,
 * error reporting and JSON output. */
#pragma once

#include <stdbool.h>

#include <json-glib/json-glib.h>
#include <systemd/sd-bus.h>

#define BUS_NAME "org.foh.Foh1"
#define MANAGER_PATH "/org/foh/Foh1"
#define MANAGER_IFACE "org.foh.Foh1.Manager"
#define CHANNEL_IFACE "org.foh.Foh1.Channel"

#define EXIT_USAGE 2

struct ctx {
	sd_bus *bus;
	bool json;
};

struct command {
	const char *name;
	const char *args;	/* usage of the arguments, "" if none */
	const char *summary;
	const char *help;	/* more for `fohctl CMD --help`, or NULL */
	bool reads;		/* prints what it read: --json makes that JSON */
	int (*run)(struct ctx *c, int argc, char **argv);
	bool local;		/* works on files: no bus needed */
};

/* One line on stderr for a failure to reach fohd or a refusal by it;
 * returns the exit status (1). */
int report_bus_error(const char *what, const sd_bus_error *e, int r);
int report_bad_reply(const char *what, int r);
/* A foh program's Stats() counters (foh-osc, foh-web): see util.c. */
int print_stats(struct ctx *c, const char *program, const char *bus_name,
		const char *path, const char *iface, const char *what);
void print_json_node(JsonNode *root);
/* After a change: a warning on stderr when fohd says its settings could not
 * be saved (Manager.UnsavedChanges), so the change lives in memory only. */
void warn_if_unsaved(struct ctx *c);
/* A double as JSON: null when it is NaN or infinite (JSON has neither). */
void json_add_double(JsonBuilder *b, double v);
void print_json(JsonBuilder *b);
/* The same on one line, flushed: one document per tick of a live view. */
void print_json_line(JsonBuilder *b);

/* "manager", "channel/2", "analyzer", ... → object path; NULL if malformed. */
char *object_path(const char *name);
/* The org.foh.* interface the object serves, from introspection. */
int object_interface(struct ctx *c, const char *path, char **iface, char **xml);

/* Reads the next complete value of m as JSON (any D-Bus type). */
int read_json_value(sd_bus_message *m, JsonNode **out);
/* Text for a JSON value as people read it: strings bare, numbers plain. */
char *json_value_text(JsonNode *n);

int cmd_status(struct ctx *c, int argc, char **argv);
int cmd_devices(struct ctx *c, int argc, char **argv);
int cmd_reload(struct ctx *c, int argc, char **argv);
int cmd_test_tone(struct ctx *c, int argc, char **argv);
int cmd_self_check(struct ctx *c, int argc, char **argv);
int cmd_list(struct ctx *c, int argc, char **argv);
int cmd_describe(struct ctx *c, int argc, char **argv);
int cmd_get(struct ctx *c, int argc, char **argv);
int cmd_set(struct ctx *c, int argc, char **argv);
int cmd_call(struct ctx *c, int argc, char **argv);
int cmd_meters(struct ctx *c, int argc, char **argv);
int cmd_object(struct ctx *c, int argc, char **argv);
int cmd_osc(struct ctx *c, int argc, char **argv);
int cmd_web(struct ctx *c, int argc, char **argv);
int cmd_room(struct ctx *c, int argc, char **argv);
int cmd_x32(struct ctx *c, int argc, char **argv);
int cmd_stabilizer(struct ctx *c, int argc, char **argv);
int cmd_deck(struct ctx *c, int argc, char **argv);
int cmd_content(struct ctx *c, int argc, char **argv);
int cmd_profile(struct ctx *c, int argc, char **argv);
