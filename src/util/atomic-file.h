/* Crash-safe file replacement: write a temporary file beside the target,
 * fsync it, rename it over the target and fsync the directory, so a reader
 * sees either the old or the new content, never a mix, even after power loss. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Returns 0 or a negative errno; on failure the target is untouched and no
 * temporary file is left behind. */
int foh_atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/* Creates every missing directory of path's parent (mode 0700). */
int foh_mkdir_parents(const char *path);
