/*
 * System calls that take a path. There is no file system: the only
 * files are the memory files (memfile.c); every other path is missing
 * (ENOENT). The working directory is "/", so a relative path is looked
 * up from there; no descriptor is a directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

/* The absolute path for (dirfd, path) in buf: 0 or -errno. */
static int resolve(long dirfd, const char *path, char *buf, size_t size)
{
	size_t len;

	if (!ember_range_readable(path, 1))
		return -EFAULT;
	len = strnlen(path, PATH_MAX);
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (path[0] != '/') {
		if (dirfd != AT_FDCWD)
			return dirfd >= 0 && dirfd < EMBER_MAX_FDS &&
				       ember_fd_file((int)dirfd)
				   ? -ENOTDIR
				   : -EBADF;
		if (len + 2 > size)
			return -ENAMETOOLONG;
		buf[0] = '/';
		memcpy(buf + 1, path, len + 1);
		return 0;
	}
	memcpy(buf, path, len + 1);
	return 0;
}

long ember_sys_openat(long dirfd, const char *path, long flags)
{
	char abs[PATH_MAX + 1];
	int r = resolve(dirfd, path, abs, sizeof(abs));

	return r ? r : ember_memfile_open(abs, flags);
}

long ember_sys_fstatat(long dirfd, const char *path, struct stat *st,
		       long flags)
{
	char abs[PATH_MAX + 1];
	int r;

	if (!ember_range_readable(path, 1))
		return -EFAULT;
	if ((flags & AT_EMPTY_PATH) && path[0] == '\0')
		return ember_sys_fstat(dirfd, st);
	r = resolve(dirfd, path, abs, sizeof(abs));
	if (r)
		return r;
	if (!ember_range_readable(st, sizeof(*st)))
		return -EFAULT;
	return ember_memfile_stat(abs, st);
}

long ember_sys_faccessat(long dirfd, const char *path, long mode)
{
	char abs[PATH_MAX + 1];
	struct stat st;
	int r = resolve(dirfd, path, abs, sizeof(abs));

	if (r)
		return r;
	if (mode & ~(long)(R_OK | W_OK | X_OK))
		return -EINVAL;
	r = ember_memfile_stat(abs, &st);
	if (r)
		return r;
	if (mode & W_OK)
		return -EROFS;
	return mode & X_OK ? -EACCES : 0;
}

long ember_sys_readlinkat(long dirfd, const char *path)
{
	char abs[PATH_MAX + 1];
	struct stat st;
	int r = resolve(dirfd, path, abs, sizeof(abs));

	if (r)
		return r;
	r = ember_memfile_stat(abs, &st);
	return r ? r : -EINVAL; /* exists, but is not a symbolic link */
}
