/* fohd's X32 connection: created at start, (re)connected when [x32]
 * address changes, its state changes announced (foh_announce_x32). Main thread. */
#include <string.h>

#include "core/daemon.h"
#include "util/log.h"

static void on_state(void *data, enum foh_x32_state state)
{
	struct foh_daemon *d = data;

	foh_announce_x32(d, "State", "Connected", "Model", "Firmware", NULL);
}

static void on_fader(void *data, const char *id, double db, bool from_desk)
{
	struct foh_daemon *d = data;

	if (from_desk)
		foh_daemon_stabilizer_fader_moved(d, id, db);
	/* a loop waiting to learn its fader can start now */
	if (d->conf->stabilizer.enabled && !d->stab_running &&
	    strcmp(id, d->conf->stabilizer.output) == 0)
		(void)foh_daemon_stabilizer_changed(d, false);
}

static const struct foh_x32_events x32_events = {
	.state = on_state,
	.fader = on_fader,
};

int foh_daemon_x32_start(struct foh_daemon *d)
{
	int r = foh_x32_new(d->event, &x32_events, d, &d->x32);

	if (r < 0)
		return r;
	return foh_x32_connect(d->x32, d->conf->x32.address);
}

int foh_daemon_x32_changed(struct foh_daemon *d, const struct foh_x32_settings *prev, bool persist)
{
	int r = 0;

	if (strcmp(prev->address, d->conf->x32.address) != 0) {
		r = foh_x32_connect(d->x32, d->conf->x32.address);
		foh_announce_x32(d, "Address", NULL);
	}
	if (persist)
		foh_daemon_schedule_save(d);
	return r;
}
