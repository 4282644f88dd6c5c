/* libFuzzer target: foh-web's JSON → D-Bus conversion (tools/foh-web/
 * json-bus.c), which every PATCH body, method argument and personality
 * message from the network goes through. The input is a signature (first
 * line; skipped unless GLib calls it a valid D-Bus signature) and a JSON
 * text. When web_json_append() accepts the value (one element per complete
 * type when the signature has several, the JSON being an array of them),
 * the sealed message must read back to JSON with web_json_read(), and that
 * JSON must be accepted again for the same signature: what foh-web writes
 * it can read, and what it reads it can write. A refusal must come with a
 * reason. */
#include <sys/socket.h>

#include "foh-web/foh-web.h"
#include "fuzz.h"

static sd_bus *bus;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	/* a bus object that is never spoken to: messages need one to exist */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || sd_bus_new(&bus) < 0 ||
	    sd_bus_set_fd(bus, sv[0], sv[0]) < 0 || sd_bus_start(bus) < 0)
		abort();
	return 0;
}

/* Appends node (or its elements) for every complete type of sig into a new
 * sealed message; NULL when refused. */
static sd_bus_message *build(const char *sig, JsonNode *node, unsigned int n_types)
{
	sd_bus_message *m = NULL;
	char why[256] = "";
	unsigned int i = 0;
	int r = 0;

	FUZZ_CHECK(sd_bus_message_new_method_call(bus, &m, "org.foh.Foh1", "/org/foh/Foh1",
			"org.foh.Foh1.Fuzz", "Fuzz") >= 0, "new message");
	for (const char *p = sig; *p && r >= 0; p = web_sig_next(p), i++) {
		g_autofree char *one = g_strndup(p, (gsize)(web_sig_next(p) - p));
		JsonNode *v = node;
		if (n_types > 1) {
			if (!JSON_NODE_HOLDS_ARRAY(node) || i >= json_array_get_length(json_node_get_array(node))) {
				r = -EINVAL;
				break;
			}
			v = json_array_get_element(json_node_get_array(node), i);
		}
		r = web_json_append(m, one, v, why, sizeof(why));
		FUZZ_CHECK(r >= 0 || why[0] != '\0' || r != -EINVAL, "refused without a reason");
	}
	if (r < 0 || sd_bus_message_seal(m, 1, 0) < 0) {
		sd_bus_message_unref(m);
		return NULL;
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	g_autofree char *sig = NULL;
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) back = NULL;
	sd_bus_message *m, *again;
	unsigned int n_types = 0;

	if (nl == NULL || nl - (const char *)data > 64)
		return 0;
	sig = g_strndup((const char *)data, (gsize)(nl - (const char *)data));
	/* 'h' (fds) would dup whatever small number the input names */
	if (!g_variant_is_signature(sig) || sig[0] == '\0' || strchr(sig, 'h') || strchr(sig, 'm'))
		return 0;
	for (const char *q = sig; *q; q = web_sig_next(q))
		n_types++;
	if (!json_parser_load_from_data(p, nl + 1, (gssize)(size - (size_t)(nl + 1 - (const char *)data)),
			NULL) || json_parser_get_root(p) == NULL)
		return 0;
	if ((m = build(sig, json_parser_get_root(p), n_types)) == NULL)
		return 0;
	json_builder_begin_array(b);
	for (unsigned int i = 0; i < n_types; i++)
		FUZZ_CHECK(web_json_read(m, b) > 0, "an accepted value of %s does not read back", sig);
	json_builder_end_array(b);
	sd_bus_message_unref(m);
	back = json_builder_get_root(b);
	again = build(sig, n_types == 1 ? json_array_get_element(json_node_get_array(back), 0) : back,
			n_types);
	FUZZ_CHECK(again != NULL, "what was read back for %s is refused", sig);
	sd_bus_message_unref(again);
	return 0;
}
