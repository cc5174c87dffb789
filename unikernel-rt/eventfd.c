/*
 * eventfd/eventfd2: a 64-bit counter. A read takes the whole count (or
 * 1 with EFD_SEMAPHORE) and blocks while it is zero; a write adds and
 * blocks while the sum would pass 2^64 - 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

#define MAX_COUNT (UINT64_MAX - 1)

struct efd {
	uint64_t count;
	int semaphore;
};

static long efd_read(struct ember_file *f, void *buf, size_t len)
{
	struct efd *e = f->priv;
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	while (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (ember_poll_wait(EMBER_NO_DEADLINE) == -EINTR)
			return -EINTR; /* pthread_cancel */
	}
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	ember_file_notify(f);
	return sizeof(v);
}

static long efd_write(struct ember_file *f, const void *buf, size_t len)
{
	struct efd *e = f->priv;
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	while (MAX_COUNT - e->count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (ember_poll_wait(EMBER_NO_DEADLINE) == -EINTR)
			return -EINTR; /* pthread_cancel */
	}
	e->count += v;
	if (v)
		ember_file_notify(f);
	return sizeof(v);
}

static unsigned efd_poll(struct ember_file *f)
{
	const struct efd *e = f->priv;

	return (e->count ? POLLIN | POLLRDNORM : 0) |
	       (e->count < MAX_COUNT ? POLLOUT | POLLWRNORM : 0);
}

static void efd_close(struct ember_file *f)
{
	free(f->priv);
}

static const struct ember_file_ops efd_ops = {
    .read = efd_read,
    .write = efd_write,
    .poll = efd_poll,
    .close = efd_close,
};

long ember_sys_eventfd2(unsigned long initval, long flags)
{
	struct efd *e;
	struct ember_file *f;
	int fd;

	if (flags & ~(long)(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	f = e ? ember_file_new(&efd_ops, EMBER_FILE_EVENTFD,
			       O_RDWR | (flags & EFD_NONBLOCK ? O_NONBLOCK : 0),
			       e)
	      : NULL;
	if (!f) {
		free(e);
		return -ENOMEM;
	}
	e->count = (unsigned)initval;
	e->semaphore = (flags & EFD_SEMAPHORE) != 0;
	fd = ember_fd_install(f, (flags & EFD_CLOEXEC) != 0);
	if (fd < 0)
		ember_file_put(f);
	return fd;
}
