/* Helpers the libFuzzer targets in tests/fuzz share: a private scratch
 * directory under $TMPDIR, writing and reading whole files, and a check
 * that aborts (so libFuzzer keeps the input) when an invariant breaks. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

/* abort() with a message: the input that got here is a finding. */
#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz invariant broken at %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A directory of this process's own under $TMPDIR (made once, kept: the
 * runner points TMPDIR at a scratch directory it removes). */
static inline const char *fuzz_scratch_dir(void)
{
	static char *dir;

	if (dir == NULL) {
		dir = g_dir_make_tmp("foh-fuzz-XXXXXX", NULL);
		if (dir == NULL)
			abort();
	}
	return dir;
}

static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

/* The bytes as a file: a memfd named by /proc/self/fd/N, for readers that
 * only open and read a path. Returns the fd (close it after). */
static inline int fuzz_memfd(const void *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("foh-fuzz", MFD_CLOEXEC);
	const char *p = data;
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, p + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

/* The whole file, NUL-terminated; aborts when it cannot be read. */
static inline char *fuzz_read_file(const char *path, size_t *len)
{
	char *text = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &text, &n, NULL))
		abort();
	if (len)
		*len = n;
	return text;
}
