/* fohd's analyzer: applying changed settings (from D-Bus or a reload),
 * announcing what changed and saving it. Main thread only. */
#include <string.h>


#include "core/daemon.h"
#include "util/log.h"

static void emit_changes(struct foh_daemon *d, const struct foh_analyzer_settings *prev,
		const struct foh_analyzer_settings *next)
{
	for (size_t i = 0; i < foh_analyzer_n_params; i++) {
		const struct foh_param *p = &foh_analyzer_params[i];
		size_t size = p->type == FOH_PARAM_STRING ? (size_t)p->max + 1 :
			p->type == FOH_PARAM_DOUBLE ? sizeof(double) :
			p->type == FOH_PARAM_UINT ? sizeof(uint32_t) : sizeof(bool);
		if (p->property != NULL &&
		    memcmp((const char *)prev + p->offset, (const char *)next + p->offset, size) != 0)
			foh_announce_analyzer(d, p->property);
	}
	if (memcmp(prev->band_lo, next->band_lo, sizeof(prev->band_lo)) != 0 ||
	    memcmp(prev->band_hi, next->band_hi, sizeof(prev->band_hi)) != 0)
		foh_announce_analyzer(d, "Bands");
	if (strcmp(prev->destinations, next->destinations) != 0)
		foh_announce_analyzer(d, "Destinations");
}

int foh_daemon_analyzer_connect(struct foh_daemon *d)
{
	struct pw_core *core = foh_engine_core(d->engine);
	int res;

	if (core == NULL || d->analyzer == NULL)
		return 0;
	res = foh_analyzer_connect(d->analyzer, core, foh_engine_data_loop(d->engine));
	if (res < 0)
		foh_warn("analyzer: cannot create its stream: %s", strerror(-res));
	return res;
}

int foh_daemon_analyzer_changed(struct foh_daemon *d, const struct foh_analyzer_settings *prev,
		bool persist)
{
	const struct foh_analyzer_settings *next = &d->conf->analyzer;
	bool new_source = strcmp(prev->source, next->source) != 0;
	int res;

	if (new_source)
		foh_analyzer_disconnect(d->analyzer);
	res = foh_analyzer_apply(d->analyzer, next);
	if (new_source)
		(void)foh_daemon_analyzer_connect(d);
	emit_changes(d, prev, next);
	if (persist)
		foh_daemon_schedule_save(d);
	return res;
}
