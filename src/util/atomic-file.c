/* Atomic file replacement (temp, fsync, rename, fsync dir) and the removal
 * of the temporary files an interrupted one leaves; see atomic-file.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "cleanup.h"
#include "log.h"

/* what mkostemp puts after ".tmp-": six letters or digits */
#define TMP_MARK ".tmp-"
#define TMP_RANDOM 6

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_parent_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1;
	char *slash;

	if (dir == NULL)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

/* Whether name is "<prefix>.tmp-XXXXXX" where prefix is target or, with
 * target NULL, any name ending in suffix. */
static bool is_our_tmp(const char *name, const char *target, const char *suffix)
{
	size_t len = strlen(name), mark = strlen(TMP_MARK), plen;

	if (len < mark + TMP_RANDOM + 1)
		return false;
	plen = len - mark - TMP_RANDOM;
	if (strncmp(name + plen, TMP_MARK, mark) != 0)
		return false;
	for (size_t i = plen + mark; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	if (target != NULL)
		return plen == strlen(target) && strncmp(name, target, plen) == 0;
	return plen > strlen(suffix) &&
		strncmp(name + plen - strlen(suffix), suffix, strlen(suffix)) == 0;
}

static int clean(const char *dir, const char *target, const char *suffix)
{
	DIR *d;
	struct dirent *e;
	int n = 0, res = 0;

	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((errno = 0, e = readdir(d)) != NULL) {
		struct stat st;

		if (!is_our_tmp(e->d_name, target, suffix))
			continue;
		/* a symbolic link, directory or device of that name is not ours */
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			if (errno != ENOENT)
				res = -errno;
			continue;
		}
		n++;
	}
	if (errno != 0 && res == 0)
		res = -errno;
	closedir(d);
	if (n > 0)
		foh_info("removed %d stale temporary file%s of %s/%s%s (left by an interrupted save)",
				n, n == 1 ? "" : "s", dir, target ? target : "*", target ? "" : suffix);
	return res < 0 && n == 0 ? res : n;
}

int foh_atomic_clean(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (dir == NULL)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return clean(".", dir, NULL);
	*slash = '\0';
	return clean(slash == dir ? "/" : dir, slash + 1, NULL);
}

int foh_atomic_clean_dir(const char *dir, const char *suffix)
{
	return clean(dir, NULL, suffix);
}

int foh_atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int res;

	/* an earlier save killed before its rename left one behind */
	(void)foh_atomic_clean(path);
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((res = write_all(fd, data, len)) < 0)
		goto error;
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		res = -errno;
		goto error;
	}
	if (close(FOH_TAKE_FD(fd)) < 0) {
		res = -errno;
		goto error;
	}
	if (rename(tmp, path) < 0) {
		res = -errno;
		goto error;
	}
	return fsync_parent_dir(path);
error:
	(void)unlink(tmp);
	return res;
}

int foh_mkdir_parents(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);

	if (dir == NULL)
		return -ENOMEM;
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}
