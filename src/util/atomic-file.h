/* Crash-safe file replacement: write a temporary file beside the target,
 * fsync it, rename it over the target and fsync the directory, so a reader
 * sees either the old or the new content, never a mix, even after power loss. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Returns 0 or a negative errno; on failure the target is untouched and no
 * temporary file is left behind. */
int foh_atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/* A process killed inside foh_atomic_write leaves its temporary file,
 * "<target>.tmp-XXXXXX" (six letters or digits) beside the target. These
 * remove such files: only regular files (a symbolic link, directory or
 * other file of that name is left alone, and no link is followed), only of
 * that exact naming, and log how many they removed. foh_atomic_write cleans
 * its own target's first; a program cleans its files at start too. Both
 * return the number removed or a negative errno (a missing directory is 0).
 * Never call them while another process may be saving the same target. */
int foh_atomic_clean(const char *path);
/* ...of every target in dir whose name ends in suffix (".conf": presets). */
int foh_atomic_clean_dir(const char *dir, const char *suffix);

/* Creates every missing directory of path's parent (mode 0700). */
int foh_mkdir_parents(const char *path);
