/* Cleanup attributes: scope-bound release of heap memory, fds and sd-bus
 * objects. systemd's own helpers are internal to systemd, so foh keeps its
 * own small set here. */
#pragma once

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void foh_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(foh_freep)

static inline void foh_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(foh_closep)

/* Hand ownership out of a _cleanup_ variable. */
#define FOH_TAKE_PTR(p) ({ __typeof__(p) _tmp = (p); (p) = NULL; _tmp; })
#define FOH_TAKE_FD(fd) ({ int _tmp = (fd); (fd) = -1; _tmp; })

#define FOH_ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
