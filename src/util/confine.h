/* Paths confined to folders: where a path from outside really leads, and
 * whether that is inside one of the folders it may use. */
#pragma once

#include <stddef.h>

/* Resolves path (a relative one from roots[0]) with realpath, so ".." and
 * symlinks count where they lead, and checks that the result lies inside
 * one of roots (each already resolved with realpath). 0 with *real set
 * (free() it); -EACCES when it leads outside every root; another -errno
 * from realpath (-ENOENT, ...) when it cannot be resolved; -EINVAL when
 * there is no root. */
int foh_confine(const char *path, const char *const *roots, size_t n_roots, char **real);
