/*
 * The console as a file kind: descriptor 0 reads as end-of-file, 1 and 2
 * write to the monitor's stdout and stderr as whole buffers. Not a
 * terminal (every ioctl is ENOTTY), so isatty() is false and musl fully
 * buffers stdout and writes it in large pieces: fewer exits.
 *
 * The three files are static and hold one reference that is never
 * dropped, so closing every descriptor to them frees nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "fd_impl.h"
#include "rt.h"

/* writev gathers small vectors into one hypercall through this buffer
 * (musl's stdio writes buffered data and the new bytes as two iovecs). */
#define BOUNCE_SIZE 65536u
static char bounce[BOUNCE_SIZE];

static unsigned target(const struct ember_file *f)
{
	return (unsigned)(uintptr_t)f->priv;
}

static long con_read(struct ember_file *f, void *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	return 0;
}

static long con_write(struct ember_file *f, const void *buf, size_t len)
{
	return len ? ember_console_write(target(f), buf, len) : 0;
}

/* One hypercall per non-empty iovec; stops at the first short write. */
static long writev_each(unsigned t, const struct iovec *iov, int cnt)
{
	long done = 0;

	for (int i = 0; i < cnt; i++) {
		long r;

		if (iov[i].iov_len == 0)
			continue;
		r = ember_console_write(t, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

/* The caller checked cnt and that the lengths do not overflow. */
static long con_writev(struct ember_file *f, const struct iovec *iov, int cnt)
{
	size_t total = 0, used = 0;
	int nonempty = 0;

	for (int i = 0; i < cnt; i++) {
		total += iov[i].iov_len;
		nonempty += iov[i].iov_len != 0;
	}
	if (nonempty <= 1 || total > BOUNCE_SIZE)
		return writev_each(target(f), iov, cnt);
	for (int i = 0; i < cnt; i++) {
		if (!ember_range_readable(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		memcpy(bounce + used, iov[i].iov_base, iov[i].iov_len);
		used += iov[i].iov_len;
	}
	return ember_console_write(target(f), bounce, used);
}

static unsigned con_poll(struct ember_file *f)
{
	return target(f) == 0 ? POLLIN : POLLOUT;
}

static long con_fstat(struct ember_file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	st->st_nlink = 1;
	st->st_ino = (ino_t)target(f) + 1;
	st->st_rdev = (5u << 8) | 1u; /* like /dev/console */
	st->st_blksize = 4096;
	return 0;
}

static const struct ember_file_ops console_ops = {
    .read = con_read,
    .write = con_write,
    .writev = con_writev,
    .poll = con_poll,
    .fstat = con_fstat,
};

struct ember_file ember_console_files[3] = {
    {.ops = &console_ops,
     .refs = 2,
     .flags = O_RDONLY,
     .kind = EMBER_FILE_CONSOLE,
     .priv = (void *)0},
    {.ops = &console_ops,
     .refs = 2,
     .flags = O_WRONLY,
     .kind = EMBER_FILE_CONSOLE,
     .priv = (void *)1},
    {.ops = &console_ops,
     .refs = 2,
     .flags = O_WRONLY,
     .kind = EMBER_FILE_CONSOLE,
     .priv = (void *)2},
};
