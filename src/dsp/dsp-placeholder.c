/* placeholder until the DSP blocks land */
int foh_dsp_placeholder(void);
int foh_dsp_placeholder(void) { return 0; }
