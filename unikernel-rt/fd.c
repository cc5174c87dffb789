/*
 * The descriptor table and the life of files (fd.h): descriptors map to
 * reference-counted struct ember_file objects, allocated lowest-free as
 * POSIX requires. The table starts small and static (the console's 0, 1
 * and 2 are in it from the first instruction) and grows on demand up to
 * EMBER_MAX_FDS, so an image that opens nothing pays nothing.
 *
 * Also the readiness broadcast: one wait queue for every thread blocked
 * in poll/select/epoll_wait or a blocking read or write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fd_impl.h"
#include "rt.h"

struct slot {
	struct ember_file *f;
	int cloexec;
};

#define INITIAL_SLOTS 16

static struct slot initial[INITIAL_SLOTS] = {
    {&ember_console_files[0], 0},
    {&ember_console_files[1], 0},
    {&ember_console_files[2], 0},
};
static struct slot *slots = initial;
static int nslots = INITIAL_SLOTS;
static int lowest_free = 3; /* no free descriptor below this one */

static struct ember_waitq pollq;
unsigned ember_poll_generation;
void (*ember_epoll_file_notified)(struct ember_file *f);
void (*ember_epoll_file_gone)(struct ember_file *f);

struct ember_file *ember_file_new(const struct ember_file_ops *ops, int kind,
				  int flags, void *priv)
{
	struct ember_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->kind = kind;
	f->flags = flags;
	f->priv = priv;
	return f;
}

void ember_file_get(struct ember_file *f)
{
	f->refs++;
}

void ember_file_put(struct ember_file *f)
{
	if (--f->refs > 0)
		return;
	if (f->watchers && ember_epoll_file_gone)
		ember_epoll_file_gone(f);
	if (f->ops->close)
		f->ops->close(f);
	free(f);
}

/* Room for descriptor fd in the table; 0 or -EMFILE. */
static int grow(int fd)
{
	int n = nslots;
	struct slot *s;

	if (fd >= EMBER_MAX_FDS)
		return -EMFILE;
	if (fd < nslots)
		return 0;
	while (n <= fd)
		n *= 2;
	if (n > EMBER_MAX_FDS)
		n = EMBER_MAX_FDS;
	s = calloc((size_t)n, sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, slots, (size_t)nslots * sizeof(*s));
	if (slots != initial)
		free(slots);
	slots = s;
	nslots = n;
	return 0;
}

int ember_fd_install_from(struct ember_file *f, int min, int cloexec)
{
	int fd = min > lowest_free ? min : lowest_free, r;

	if (min < 0)
		return -EINVAL;
	while (fd < nslots && slots[fd].f)
		fd++;
	r = grow(fd);
	if (r < 0)
		return r;
	slots[fd].f = f;
	slots[fd].cloexec = cloexec != 0;
	if (fd == lowest_free) {
		while (lowest_free < nslots && slots[lowest_free].f)
			lowest_free++;
	}
	return fd;
}

int ember_fd_install(struct ember_file *f, int cloexec)
{
	return ember_fd_install_from(f, 0, cloexec);
}

int ember_fd_install_at(struct ember_file *f, int fd, int cloexec)
{
	struct ember_file *old;
	int r;

	if (fd < 0 || fd >= EMBER_MAX_FDS)
		return -EBADF;
	r = grow(fd);
	if (r < 0)
		return r;
	old = slots[fd].f;
	slots[fd].f = f;
	slots[fd].cloexec = cloexec != 0;
	if (fd == lowest_free) {
		while (lowest_free < nslots && slots[lowest_free].f)
			lowest_free++;
	}
	if (old)
		ember_file_put(old);
	return fd;
}

struct ember_file *ember_fd_file(int fd)
{
	return fd >= 0 && fd < nslots ? slots[fd].f : NULL;
}

struct ember_file *ember_fd_get(int fd)
{
	struct ember_file *f = ember_fd_file(fd);

	if (f)
		f->refs++;
	return f;
}

int ember_fd_close(int fd)
{
	struct ember_file *f = ember_fd_file(fd);

	if (!f)
		return -EBADF;
	slots[fd].f = NULL;
	slots[fd].cloexec = 0;
	if (fd < lowest_free)
		lowest_free = fd;
	ember_file_put(f);
	return 0;
}

int ember_fd_cloexec(int fd)
{
	return ember_fd_file(fd) ? slots[fd].cloexec : -EBADF;
}

int ember_fd_set_cloexec(int fd, int on)
{
	if (!ember_fd_file(fd))
		return -EBADF;
	slots[fd].cloexec = on != 0;
	return 0;
}

void ember_poll_notify(void)
{
	ember_poll_generation++;
	ember_wake(&pollq, -1);
}

void ember_file_notify(struct ember_file *f)
{
	f->gen++;
	if (f->watchers && ember_epoll_file_notified)
		ember_epoll_file_notified(f);
	ember_wake(&pollq, -1);
}

int ember_poll_wait(uint64_t deadline_ns)
{
	return ember_wait(&pollq, deadline_ns);
}
