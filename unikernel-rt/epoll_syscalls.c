/*
 * epoll_create1, epoll_ctl, epoll_wait/epoll_pwait: Linux's argument
 * checks and errno values, and the epoll instance as a file kind (it is
 * pollable, so it can sit in poll, select or another epoll). The
 * instance logic is in epoll.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "epoll_impl.h"
#include "rt.h"
#include "syscalls.h"

#define INITIAL_HASH 16u

static unsigned ep_poll(struct ember_file *f)
{
	return ember_epoll_readiness(f->priv);
}

static void ep_close(struct ember_file *f)
{
	ember_epoll_free(f->priv);
}

static const struct ember_file_ops epoll_ops = {
    .poll = ep_poll,
    .close = ep_close,
};

long ember_sys_epoll_create1(long flags)
{
	struct epoll *ep;
	struct ember_file *f = NULL;
	int fd;

	if (flags & ~(long)EPOLL_CLOEXEC)
		return -EINVAL;
	ember_epoll_hooks();
	ep = calloc(1, sizeof(*ep));
	if (ep) {
		ep->hash = calloc(INITIAL_HASH, sizeof(*ep->hash));
		ep->nhash = INITIAL_HASH;
		ep->gen_seen = ember_poll_generation;
	}
	if (ep && ep->hash)
		f = ember_file_new(&epoll_ops, EMBER_FILE_EPOLL, O_RDWR, ep);
	if (!f) {
		if (ep)
			free(ep->hash);
		free(ep);
		return -ENOMEM;
	}
	ep->file = f;
	fd = ember_fd_install(f, (flags & EPOLL_CLOEXEC) != 0);
	if (fd < 0)
		ember_file_put(f);
	return fd;
}

static struct ember_file *file_at(long fd)
{
	return fd >= 0 && fd < EMBER_MAX_FDS ? ember_fd_file((int)fd) : NULL;
}

long ember_sys_epoll_ctl(long epfd, long op, long fd, struct epoll_event *ev)
{
	struct ember_file *ef, *f;

	if (op != EPOLL_CTL_DEL && !ember_range_readable(ev, sizeof(*ev)))
		return -EFAULT;
	ef = file_at(epfd);
	f = file_at(fd);
	if (!ef || !f)
		return -EBADF;
	if (ef->kind != EMBER_FILE_EPOLL || epfd == fd)
		return -EINVAL;
	return ember_epoll_ctl(ef->priv, (int)op, (int)fd, f,
			       op == EPOLL_CTL_DEL ? NULL : ev);
}

long ember_sys_epoll_wait(long epfd, struct epoll_event *evs, long max,
			  long timeout_ms)
{
	struct ember_file *ef;
	uint64_t deadline;
	long n;

	if (max <= 0 || max > INT32_MAX / (long)sizeof(*evs))
		return -EINVAL;
	if (!ember_range_readable(evs, (size_t)max * sizeof(*evs)))
		return -EFAULT;
	ef = file_at(epfd);
	if (!ef)
		return -EBADF;
	if (ef->kind != EMBER_FILE_EPOLL)
		return -EINVAL;
	deadline = ember_deadline_ms((int)timeout_ms);
	ember_file_get(ef); /* another thread may close epfd meanwhile */
	for (;;) {
		n = ember_epoll_harvest(ef->priv, evs, (int)max);
		if (n)
			break;
		if (deadline <= ember_monotonic_ns()) {
			ember_yield(); /* as poll.c: no starving the others */
			n = ember_epoll_harvest(ef->priv, evs, (int)max);
			break;
		}
		n = ember_poll_wait(deadline);
		if (n == -EINTR) /* pthread_cancel */
			break;
		if (n == -ETIMEDOUT) {
			n = ember_epoll_harvest(ef->priv, evs, (int)max);
			break;
		}
	}
	ember_file_put(ef);
	return n;
}
