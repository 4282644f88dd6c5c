/* fohctl osc: foh-osc's counters (org.foh.Osc1 Stats) and addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define OSC_BUS_NAME "org.foh.Osc1"
#define OSC_PATH "/org/foh/Osc1"
#define OSC_IFACE "org.foh.Osc1"


int cmd_osc(struct ctx *c, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "stats") != 0) {
		fprintf(stderr, "Usage: fohctl [--json] osc stats\n");
		return EXIT_USAGE;
	}
	return print_stats(c, "foh-osc", OSC_BUS_NAME, OSC_PATH, OSC_IFACE, "osc stats");
}
