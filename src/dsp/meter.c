/* Level meters: peak with hold, 100 ms RMS, 10 Hz VU, gain reduction. */
#include <math.h>
#include <string.h>

#include "dsp-util.h"
#include "meter.h"

void foh_meter_default_params(struct foh_meter_params *p)
{
	p->hold_ms = 1000.0f;
	p->fall_db_per_s = 20.0f;
}

void foh_meter_init(struct foh_meter *s, uint32_t rate)
{
	struct foh_meter_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->sub_len = s->rate / 100;
	foh_meter_default_params(&p);
	foh_meter_set(s, &p);
	foh_meter_reset(s);
}

void foh_meter_set(struct foh_meter *s, const struct foh_meter_params *p)
{
	float fall = foh_dsp_clampf(p->fall_db_per_s, 0.0f, 1000.0f);

	s->hold_frames = foh_dsp_ms_to_frames(p->hold_ms, s->rate);
	s->fall = foh_db_to_lin(-fall / (float)s->rate);
}

void foh_meter_reset(struct foh_meter *s)
{
	memset(s->ch, 0, sizeof(s->ch));
	s->ch[0].vu_db = s->ch[1].vu_db = FOH_METER_FLOOR_DB;
	s->sub_fill = s->sub_pos = s->subs_done = 0;
	s->gr_acc = s->gr_db = 0.0f;
}

/* Peak and squares of n frames of one channel. */
static void scan(struct foh_meter *s, struct foh_meter_chan *c,
		const float *in, uint32_t n)
{
	float pk = 0.0f, sq = 0.0f;
	float p4[4] = { 0.0f }, s4[4] = { 0.0f };
	uint32_t i = 0;

	/* four lanes: four add chains overlap (one chain is bound by the
	 * add's latency) and the compiler can use one vector register */
	for (; i + 4 <= n; i += 4)
		for (int k = 0; k < 4; k++) {
			float a = fabsf(in[i + k]);
			p4[k] = a > p4[k] ? a : p4[k];
			s4[k] += in[i + k] * in[i + k];
		}
	for (; i < n; i++) {
		pk = foh_maxf(pk, fabsf(in[i]));
		sq += in[i] * in[i];
	}
	for (int k = 0; k < 4; k++)
		pk = foh_maxf(pk, p4[k]);
	sq += (s4[0] + s4[1]) + (s4[2] + s4[3]);
	c->acc += (double)sq;
	if (pk >= c->peak) {
		c->peak = pk;
		c->hold_left = s->hold_frames;
	} else if (c->hold_left >= n) {
		c->hold_left -= n;
	} else {
		uint32_t falling = n - c->hold_left;
		c->hold_left = 0;
		c->peak = foh_maxf(pk, c->peak * powf(s->fall, (float)falling));
	}
}

static void latch_vu(struct foh_meter *s)
{
	for (int i = 0; i < 2; i++) {
		float db = foh_meter_rms_db(s, i);
		s->ch[i].vu_db = foh_dsp_clampf(db, FOH_METER_FLOOR_DB, 0.0f);
	}
	s->gr_db = s->gr_acc;
	s->gr_acc = 0.0f;
	s->vu_seq++;
}

/* Close the current 10 ms sub-block. */
static void close_sub(struct foh_meter *s)
{
	for (int i = 0; i < 2; i++) {
		struct foh_meter_chan *c = &s->ch[i];
		c->win += c->acc - c->sub[s->sub_pos];
		c->sub[s->sub_pos] = c->acc;
		c->acc = 0.0;
		if (c->win < 0.0)
			c->win = 0.0;
	}
	s->sub_pos = (s->sub_pos + 1) % FOH_METER_SUBBLOCKS;
	s->sub_fill = 0;
	if (s->sub_pos == 0) {
		/* exact re-sum once per window: no drift */
		for (int i = 0; i < 2; i++) {
			double w = 0.0;
			for (int k = 0; k < FOH_METER_SUBBLOCKS; k++)
				w += s->ch[i].sub[k];
			s->ch[i].win = w;
		}
	}
	if (++s->subs_done == FOH_METER_SUBBLOCKS) {
		s->subs_done = 0;
		latch_vu(s);
	}
}

void foh_meter_run(struct foh_meter *s, const float *inl, const float *inr,
		uint32_t n)
{
	while (n > 0) {
		uint32_t k = s->sub_len - s->sub_fill;
		k = k < n ? k : n;
		scan(s, &s->ch[0], inl, k);
		if (inr != NULL)
			scan(s, &s->ch[1], inr, k);
		s->sub_fill += k;
		inl += k;
		inr = inr != NULL ? inr + k : NULL;
		n -= k;
		if (s->sub_fill == s->sub_len)
			close_sub(s);
	}
}

void foh_meter_push_gr(struct foh_meter *s, float gr_db)
{
	s->gr_acc = foh_maxf(s->gr_acc, gr_db);
}

float foh_meter_peak_db(const struct foh_meter *s, int ch)
{
	return foh_lin_to_db(s->ch[ch & 1].peak, -120.0f);
}

float foh_meter_rms_db(const struct foh_meter *s, int ch)
{
	double ms = s->ch[ch & 1].win /
		((double)s->sub_len * FOH_METER_SUBBLOCKS);

	if (!(ms > 1e-12))
		return -120.0f;
	return (float)(10.0 * log10(ms));
}

float foh_meter_vu_db(const struct foh_meter *s, int ch)
{
	return s->ch[ch & 1].vu_db;
}

float foh_meter_gr_db(const struct foh_meter *s)
{
	return s->gr_db;
}

uint32_t foh_meter_vu_seq(const struct foh_meter *s)
{
	return s->vu_seq;
}
