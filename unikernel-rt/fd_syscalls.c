/*
 * System calls on descriptors: read/write and their vector and
 * positional forms, close, fstat, lseek, dup*, fcntl and the generic
 * ioctls. What a read or write does is the file kind's business
 * (ember_file_ops); the checks Linux makes before getting there, and
 * its errno values, are here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

/* The file at fd, or NULL; with a reference for calls that may block. */
static struct ember_file *at(long fd)
{
	return fd >= 0 && fd < EMBER_MAX_FDS ? ember_fd_file((int)fd) : NULL;
}

static struct ember_file *get(long fd)
{
	return fd >= 0 && fd < EMBER_MAX_FDS ? ember_fd_get((int)fd) : NULL;
}

/* A non-blocking call that would block: whoever loops on it must not
 * starve the other threads (nothing preempts a thread). */
static long again(long r)
{
	if (r == -EAGAIN)
		ember_yield();
	return r;
}

static int can_read(const struct ember_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static int can_write(const struct ember_file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

long ember_sys_read(long fd, void *buf, size_t len)
{
	struct ember_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (!can_read(f))
		r = -EBADF;
	else if (!f->ops->read)
		r = -EINVAL;
	else if (!ember_range_readable(buf, len))
		r = -EFAULT;
	else
		r = again(f->ops->read(f, buf, len));
	ember_file_put(f);
	return r;
}

long ember_sys_write(long fd, const void *buf, size_t len)
{
	struct ember_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (!can_write(f))
		r = -EBADF;
	else if (!f->ops->write)
		r = -EINVAL;
	else if (!ember_range_readable(buf, len))
		r = -EFAULT;
	else
		r = again(f->ops->write(f, buf, len));
	ember_file_put(f);
	return r;
}

/* Linux's checks on an iovec array: count, addresses, total length. */
static long check_iov(const struct iovec *iov, long cnt)
{
	size_t total = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	if (!ember_range_readable(iov, (size_t)cnt * sizeof(*iov)))
		return -EFAULT;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
		if (!ember_range_readable(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
	}
	return 0;
}

/* A vector operation as a loop of plain ones; stops at the first short
 * transfer or error (an error after some progress is not reported). */
static long each_iov(struct ember_file *f, const struct iovec *iov, long cnt,
		     int writing)
{
	long done = 0;

	for (long i = 0; i < cnt; i++) {
		long r;

		if (iov[i].iov_len == 0)
			continue;
		r = writing ? f->ops->write(f, iov[i].iov_base, iov[i].iov_len)
			    : f->ops->read(f, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

static long rwv(long fd, const struct iovec *iov, long cnt, int writing)
{
	struct ember_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = writing ? can_write(f) : can_read(f);
	if (!r)
		r = -EBADF;
	else if (writing ? !f->ops->write : !f->ops->read)
		r = -EINVAL;
	else if ((r = check_iov(iov, cnt)) == 0) {
		if (writing && f->ops->writev)
			r = f->ops->writev(f, iov, (int)cnt);
		else if (!writing && f->ops->readv)
			r = f->ops->readv(f, iov, (int)cnt);
		else
			r = each_iov(f, iov, cnt, writing);
		again(r);
	}
	ember_file_put(f);
	return r;
}

long ember_sys_readv(long fd, const struct iovec *iov, long cnt)
{
	return rwv(fd, iov, cnt, 0);
}

long ember_sys_writev(long fd, const struct iovec *iov, long cnt)
{
	return rwv(fd, iov, cnt, 1);
}

/* Positional I/O: only memory files have positions. */
long ember_sys_pread(long fd, void *buf, size_t len, long off)
{
	struct ember_file *f = at(fd);

	if (!f)
		return -EBADF;
	if (f->kind != EMBER_FILE_MEMFILE)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	if (!ember_range_readable(buf, len))
		return -EFAULT;
	return ember_memfile_pread(f, buf, len, off);
}

long ember_sys_pread_pwrite(long fd)
{
	struct ember_file *f = at(fd);

	if (!f)
		return -EBADF;
	return f->kind == EMBER_FILE_MEMFILE ? -EBADF : -ESPIPE;
}

long ember_sys_lseek(long fd, long off, long whence)
{
	struct ember_file *f = at(fd);

	if (!f)
		return -EBADF;
	if (f->kind != EMBER_FILE_MEMFILE)
		return -ESPIPE;
	return ember_memfile_lseek(f, off, (int)whence);
}

long ember_sys_close(long fd)
{
	return at(fd) ? ember_fd_close((int)fd) : -EBADF;
}

long ember_sys_fstat(long fd, struct stat *st)
{
	struct ember_file *f = at(fd);

	if (!f)
		return -EBADF;
	if (!ember_range_readable(st, sizeof(*st)))
		return -EFAULT;
	if (f->ops->fstat)
		return f->ops->fstat(f, st);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0600;
	st->st_nlink = 1;
	st->st_ino = (ino_t)(uintptr_t)f;
	st->st_blksize = 4096;
	return 0;
}

static void set_nonblock(struct ember_file *f, int on)
{
	int old = f->flags & O_NONBLOCK;

	f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
	if (old != (f->flags & O_NONBLOCK) && f->ops->set_nonblock)
		f->ops->set_nonblock(f, on);
}

long ember_sys_ioctl(long fd, unsigned long req, void *arg)
{
	struct ember_file *f = at(fd);
	long r;

	if (!f)
		return -EBADF;
	switch (req) {
	case FIONBIO:
		if (!ember_range_readable(arg, sizeof(int)))
			return -EFAULT;
		set_nonblock(f, *(const int *)arg != 0);
		return 0;
	case FIOCLEX:
	case FIONCLEX:
		return ember_fd_set_cloexec((int)fd, req == FIOCLEX);
	default:
		if (!f->ops->ioctl)
			return -ENOTTY;
		ember_file_get(f);
		r = f->ops->ioctl(f, req, arg);
		ember_file_put(f);
		return r;
	}
}

/* Flags F_SETFL may change; Linux ignores the others. */
#define SETFL_MASK O_NONBLOCK

long ember_sys_fcntl(long fd, long cmd, long arg)
{
	struct ember_file *f = at(fd);

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFD:
		return ember_fd_cloexec((int)fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		return ember_fd_set_cloexec((int)fd, (arg & FD_CLOEXEC) != 0);
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		set_nonblock(f, (arg & SETFL_MASK) != 0);
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		int r;

		if (arg < 0 || arg >= EMBER_MAX_FDS)
			return -EINVAL;
		ember_file_get(f);
		r = ember_fd_install_from(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			ember_file_put(f);
		return r;
	}
	default:
		return -EINVAL;
	}
}

long ember_sys_dup(long fd)
{
	return ember_sys_fcntl(fd, F_DUPFD, 0);
}

/* dup2 (flags -1) and dup3. */
long ember_sys_dup3(long fd, long newfd, long flags)
{
	struct ember_file *f = at(fd);
	int r;

	if (flags != -1 && (flags & ~(long)O_CLOEXEC))
		return -EINVAL;
	if (!f)
		return -EBADF;
	if (fd == newfd)
		return flags == -1 ? newfd : -EINVAL;
	if (newfd < 0 || newfd >= EMBER_MAX_FDS)
		return -EBADF;
	ember_file_get(f);
	r = ember_fd_install_at(f, (int)newfd, flags != -1 && flags);
	if (r < 0)
		ember_file_put(f);
	return r;
}
