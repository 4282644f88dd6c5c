/* lufs-series: the short-term and momentary loudness of a WAV file every
 * 100 ms, measured by libebur128 (an implementation independent of foh's
 * own meter), for tests that judge a recording's loudness over time.
 *
 *   lufs-series IN.wav   →  lines "t_s short_term_lufs momentary_lufs"
 *
 * Reads the RIFF chunks itself (PCM 16-bit or IEEE float 32-bit, any
 * channel count up to 8, as pw-record writes them). -inf is printed as
 * -200. */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static double clean(double v)
{
	return isfinite(v) ? v : -200.0;
}

int main(int argc, char **argv)
{
	unsigned char hdr[12], ck[8], fmt[16] = { 0 };
	uint16_t format = 0, channels = 0, bits = 0;
	uint32_t rate = 0;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: lufs-series IN.wav\n");
		return 2;
	}
	if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4)) {
		fprintf(stderr, "lufs-series: %s is not a WAV file\n", argv[1]);
		return 1;
	}
	while (fread(ck, 1, 8, f) == 8) {
		uint32_t len = le32(ck + 4);
		if (memcmp(ck, "fmt ", 4) == 0) {
			if (len < 16 || fread(fmt, 1, 16, f) != 16)
				break;
			format = le16(fmt);
			channels = le16(fmt + 2);
			rate = le32(fmt + 4);
			bits = le16(fmt + 14);
			if (format == 0xfffe && len >= 26) {
				unsigned char ext[10];
				if (fread(ext, 1, 10, f) != 10)
					break;
				format = le16(ext + 8);	/* the sub-format GUID's first two bytes */
				len -= 10;
			}
			fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR);
			continue;
		}
		if (memcmp(ck, "data", 4) != 0) {
			fseek(f, (long)(len + (len & 1)), SEEK_CUR);
			continue;
		}
		if (!((format == 1 && bits == 16) || (format == 3 && bits == 32)) ||
		    channels < 1 || channels > 8 || rate < 8000) {
			fprintf(stderr, "lufs-series: format %u/%u bits/%u channels not supported\n",
					format, bits, channels);
			return 1;
		}
		ebur128_state *st = ebur128_init(channels, rate, EBUR128_MODE_S | EBUR128_MODE_M);
		size_t block = rate / 10, bytes = bits / 8 * channels;
		unsigned char *raw = malloc(block * bytes);
		float *x = malloc(block * channels * sizeof(float));
		double t = 0.0;
		size_t n;
		while ((n = fread(raw, bytes, block, f)) > 0) {
			for (size_t i = 0; i < n * channels; i++) {
				if (bits == 16) {
					x[i] = (int16_t)le16(raw + 2 * i) / 32768.0f;
				} else {
					uint32_t u = le32(raw + 4 * i);
					memcpy(&x[i], &u, 4);
				}
			}
			ebur128_add_frames_float(st, x, n);
			t += (double)n / rate;
			double s, m;
			if (ebur128_loudness_shortterm(st, &s) == EBUR128_SUCCESS &&
			    ebur128_loudness_momentary(st, &m) == EBUR128_SUCCESS)
				printf("%.1f %.2f %.2f\n", t, clean(s), clean(m));
		}
		free(raw);
		free(x);
		ebur128_destroy(&st);
		fclose(f);
		return 0;
	}
	fprintf(stderr, "lufs-series: %s has no audio data\n", argv[1]);
	return 1;
}
