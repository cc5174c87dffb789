/*
 * File descriptors. There is no file system: the only descriptors are
 * 0, 1 and 2, a console that reads as end-of-file and writes to the
 * monitor's stdout/stderr. A three-entry table records what each refers
 * to, so close() and dup2() behave as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "rt.h"
#include "syscalls.h"

enum target { CLOSED = -1, IN = 0, OUT = 1, ERR = 2 };
static int fds[3] = {IN, OUT, ERR};

/* writev gathers small vectors into one hypercall through this buffer
 * (musl's stdio writes buffered data and the new bytes as two iovecs). */
#define BOUNCE_SIZE 65536u
static char bounce[BOUNCE_SIZE];

static int target(long fd)
{
	return fd >= 0 && fd < 3 ? fds[fd] : CLOSED;
}

long ember_sys_read(long fd, void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return target(fd) == IN ? 0 : -EBADF;
}

long ember_sys_readv(long fd, const struct iovec *iov, long cnt)
{
	(void)iov;
	if (target(fd) != IN)
		return -EBADF;
	return cnt < 0 || cnt > IOV_MAX ? -EINVAL : 0;
}

long ember_sys_write(long fd, const void *buf, size_t len)
{
	int t = target(fd);

	if (t != OUT && t != ERR)
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	return len ? ember_console_write((unsigned)t, buf, len) : 0;
}

/* One hypercall per non-empty iovec; stops at the first short write. */
static long writev_each(int t, const struct iovec *iov, long cnt)
{
	long done = 0;

	for (long i = 0; i < cnt; i++) {
		long r;

		if (iov[i].iov_len == 0)
			continue;
		r = ember_console_write((unsigned)t, iov[i].iov_base,
					iov[i].iov_len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

long ember_sys_writev(long fd, const struct iovec *iov, long cnt)
{
	int t = target(fd);
	size_t total = 0, used = 0;
	long nonempty = 0;

	if (t != OUT && t != ERR)
		return -EBADF;
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
		nonempty += iov[i].iov_len != 0;
	}
	if (nonempty <= 1 || total > BOUNCE_SIZE)
		return writev_each(t, iov, cnt);
	for (long i = 0; i < cnt; i++) {
		if (!ember_range_readable(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		memcpy(bounce + used, iov[i].iov_base, iov[i].iov_len);
		used += iov[i].iov_len;
	}
	return ember_console_write((unsigned)t, bounce, used);
}

/* pread/pwrite and friends: consoles are not seekable. */
long ember_sys_pread_pwrite(long fd)
{
	return target(fd) == CLOSED ? -EBADF : -ESPIPE;
}

long ember_sys_lseek(long fd)
{
	return target(fd) == CLOSED ? -EBADF : -ESPIPE;
}

long ember_sys_close(long fd)
{
	if (target(fd) == CLOSED)
		return -EBADF;
	fds[fd] = CLOSED;
	return 0;
}

long ember_sys_fstat(long fd, struct stat *st)
{
	if (target(fd) == CLOSED)
		return -EBADF;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	st->st_nlink = 1;
	st->st_ino = (ino_t)fd + 1;
	st->st_rdev = (5u << 8) | 1u; /* like /dev/console */
	st->st_blksize = 4096;
	return 0;
}

long ember_sys_fstatat(long dirfd, const char *path, struct stat *st,
		       long flags)
{
	if (!ember_range_readable(path, 1))
		return -EFAULT;
	if ((flags & AT_EMPTY_PATH) && path[0] == '\0')
		return ember_sys_fstat(dirfd, st);
	return ember_sys_no_file(path);
}

long ember_sys_no_file(const char *path)
{
	return ember_range_readable(path, 1) ? -ENOENT : -EFAULT;
}

/* Not a terminal: isatty() is false, so musl fully buffers stdout and
 * writes it in large pieces (fewer exits). */
long ember_sys_ioctl(long fd, unsigned long req)
{
	(void)req;
	return target(fd) == CLOSED ? -EBADF : -ENOTTY;
}

/* The lowest free descriptor >= min, now referring to t. */
static long dup_from(int t, long min)
{
	if (min < 0)
		return -EINVAL;
	for (long i = min; i < 3; i++) {
		if (fds[i] == CLOSED) {
			fds[i] = t;
			return i;
		}
	}
	return -EMFILE;
}

long ember_sys_fcntl(long fd, long cmd, long arg)
{
	int t = target(fd);

	if (t == CLOSED)
		return -EBADF;
	switch (cmd) {
	case F_GETFD:
	case F_SETFD:
	case F_SETFL:
		return 0;
	case F_GETFL:
		return t == IN ? O_RDONLY : O_WRONLY;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dup_from(t, arg);
	default:
		return -EINVAL;
	}
}

long ember_sys_dup(long fd)
{
	int t = target(fd);

	return t == CLOSED ? -EBADF : dup_from(t, 0);
}

/* dup2 (flags -1) and dup3. Only 0..2 exist, so newfd must be one. */
long ember_sys_dup3(long fd, long newfd, long flags)
{
	int t = target(fd);

	if (t == CLOSED)
		return -EBADF;
	if (fd == newfd)
		return flags == -1 ? newfd : -EINVAL;
	if (flags != -1 && (flags & ~(long)O_CLOEXEC))
		return -EINVAL;
	if (newfd < 0 || newfd >= 3)
		return newfd < 0 ? -EBADF : -EMFILE;
	fds[newfd] = t;
	return newfd;
}
