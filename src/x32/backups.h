/* The default X32 backup directory's rotation: Backup("") writes
 * x32-YYYYMMDDTHHMMSSZ[-N].json there, and only the newest [x32]
 * backups-keep of those are kept. Files of any other name are the user's
 * and never touched. */
#pragma once

#include <stddef.h>

/* Most bytes a backup may have. 55 slots with 31-byte desk names, every
 * byte escaped as \u00XX, stay under 24 KiB; more means a bug, and the
 * backup is refused rather than written. */
#define FOH_X32_BACKUP_MAX_BYTES (64 * 1024)

/* Whether name is one Backup("") makes; *stamp (16 bytes + NUL) and *n
 * (0 for no "-N") order it. */
int foh_x32_backup_name_parse(const char *name, char stamp[17], int *n);

/* The N for the next backup made in the second stamp: one above the
 * highest there is, so that names sort by age even after removals. */
int foh_x32_backup_next_n(const char *dir, const char *stamp);
#define FOH_X32_BACKUP_MAX_N 999

/* Removes the oldest of dir's backups (regular files of that naming, no
 * link followed) until keep are left. Returns how many it removed or a
 * negative errno (a missing dir is 0). */
int foh_x32_backups_prune(const char *dir, unsigned keep);
