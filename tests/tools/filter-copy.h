/* Copies a pw_filter node's DSP input ports to its output ports, port by
 * port (silence where an input has no buffer): the process body of the
 * copy-only nodes that the graph test and the node-cost bench build. */
#pragma once

#include <stdint.h>
#include <string.h>

#include <pipewire/filter.h>

static inline void filter_copy_ports(void *const *in, void *const *out, uint32_t ports,
		uint32_t frames)
{
	for (uint32_t c = 0; c < ports; c++) {
		float *src = pw_filter_get_dsp_buffer(in[c], frames);
		float *dst = pw_filter_get_dsp_buffer(out[c], frames);

		if (dst == NULL)
			continue;
		if (src != NULL)
			memcpy(dst, src, frames * sizeof(float));
		else
			memset(dst, 0, frames * sizeof(float));
	}
}
