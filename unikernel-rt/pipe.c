/*
 * pipe/pipe2: a 64 KiB ring shared by a read-end and a write-end file.
 * Writes of up to PIPE_BUF bytes are atomic; larger blocking writes go
 * in pieces until done. Writing with no reader left raises SIGPIPE (as
 * signal_syscalls.c delivers it) and fails with EPIPE; reading with no
 * writer left is end-of-file, and poll shows POLLHUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

#define PIPE_SIZE 65536u

struct pipe {
	char *buf;
	size_t head, count; /* the bytes are buf[head .. head+count) mod size */
	struct ember_file *reader, *writer; /* NULL once that end is closed */
};

static void copy_out(struct pipe *p, char *dst, size_t n)
{
	size_t first = PIPE_SIZE - p->head;

	if (first > n)
		first = n;
	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, n - first);
	p->head = (p->head + n) % PIPE_SIZE;
	p->count -= n;
}

static void copy_in(struct pipe *p, const char *src, size_t n)
{
	size_t tail = (p->head + p->count) % PIPE_SIZE;
	size_t first = PIPE_SIZE - tail;

	if (first > n)
		first = n;
	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->count += n;
}

static long pipe_read(struct ember_file *f, void *buf, size_t len)
{
	struct pipe *p = f->priv;

	if (len == 0)
		return 0;
	while (p->count == 0) {
		if (!p->writer)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (ember_poll_wait(EMBER_NO_DEADLINE) == -EINTR)
			return -EINTR; /* pthread_cancel */
	}
	if (len > p->count)
		len = p->count;
	copy_out(p, buf, len);
	if (p->writer)
		ember_file_notify(p->writer);
	return (long)len;
}

static long broken(void)
{
	ember_sys_kill(1, SIGPIPE);
	return -EPIPE;
}

static long pipe_write(struct ember_file *f, const void *buf, size_t len)
{
	struct pipe *p = f->priv;
	const char *src = buf;
	size_t done = 0;

	if (!p->reader)
		return broken();
	while (done < len) {
		size_t space = PIPE_SIZE - p->count, n = len - done;

		if (!p->reader)
			return done ? (long)done : broken();
		/* Up to PIPE_BUF bytes go in at once or not at all. */
		if ((len <= PIPE_BUF && space < len) || space == 0) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (ember_poll_wait(EMBER_NO_DEADLINE) == -EINTR)
				return done ? (long)done : -EINTR;
			continue;
		}
		if (n > space)
			n = space;
		copy_in(p, src + done, n);
		done += n;
		ember_file_notify(p->reader);
		if (f->flags & O_NONBLOCK)
			break;
	}
	return (long)done;
}

static unsigned pipe_poll(struct ember_file *f)
{
	struct pipe *p = f->priv;

	if (f == p->reader)
		return (p->count ? POLLIN | POLLRDNORM : 0) |
		       (p->writer ? 0 : POLLHUP);
	return (PIPE_SIZE - p->count >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0) |
	       (p->reader ? 0 : POLLERR);
}

static long pipe_ioctl(struct ember_file *f, unsigned long req, void *arg)
{
	struct pipe *p = f->priv;

	if (req != FIONREAD)
		return -ENOTTY;
	if (!ember_range_readable(arg, sizeof(int)))
		return -EFAULT;
	*(int *)arg = (int)p->count;
	return 0;
}

static long pipe_fstat(struct ember_file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_ino = (ino_t)(uintptr_t)f->priv;
	st->st_blksize = 4096;
	return 0;
}

static void pipe_close(struct ember_file *f)
{
	struct pipe *p = f->priv;
	struct ember_file *other;

	if (f == p->reader)
		p->reader = NULL;
	else
		p->writer = NULL;
	other = p->reader ? p->reader : p->writer;
	if (other) {
		ember_file_notify(other); /* POLLHUP or POLLERR */
		return;
	}
	free(p->buf);
	free(p);
}

static const struct ember_file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .fstat = pipe_fstat,
    .close = pipe_close,
};

long ember_sys_pipe2(int *fds, long flags)
{
	struct pipe *p;
	struct ember_file *r = NULL, *w = NULL;
	int nb = flags & O_NONBLOCK, rfd, wfd;

	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!ember_range_readable(fds, 2 * sizeof(int)))
		return -EFAULT;
	p = calloc(1, sizeof(*p));
	if (p)
		p->buf = malloc(PIPE_SIZE);
	if (p && p->buf)
		r = ember_file_new(&pipe_ops, EMBER_FILE_PIPE, O_RDONLY | nb,
				   p);
	if (r)
		w = ember_file_new(&pipe_ops, EMBER_FILE_PIPE, O_WRONLY | nb,
				   p);
	if (!w) {
		free(r);
		if (p)
			free(p->buf);
		free(p);
		return -ENFILE;
	}
	p->reader = r;
	p->writer = w;
	rfd = ember_fd_install(r, (flags & O_CLOEXEC) != 0);
	wfd = rfd < 0 ? rfd : ember_fd_install(w, (flags & O_CLOEXEC) != 0);
	if (wfd < 0) {
		if (rfd >= 0)
			ember_fd_close(rfd);
		else
			ember_file_put(r);
		ember_file_put(w);
		return wfd;
	}
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
}
