/*
 * epoll. An instance keeps its interest list, a hash of it by
 * descriptor for epoll_ctl, and a ready list of items that may be ready.
 * epoll_wait polls only the ready list, so its cost follows the number
 * of ready descriptors, not the size of the interest list:
 *
 *  - ember_file_notify(f) puts f's items (f->watchers) on their ready
 *    lists: the precise path, used by pipes, eventfds and sockets;
 *  - ember_poll_notify() does not say which file changed, so every
 *    instance puts its whole interest list on the ready list at its next
 *    look (ember_poll_generation changed);
 *  - a level-triggered item that was reported stays on the ready list
 *    until a check finds it not ready, as in Linux.
 *
 * Edge-triggered items report when readiness rises: a bit that was not
 * set at the previous report, or a new ember_file_notify() of the file
 * since then (more data on an already readable socket). EPOLLONESHOT
 * disables the item after one report until EPOLL_CTL_MOD.
 *
 * An item does not keep its file open: when the file's last reference
 * goes (all descriptors to it closed) its items leave every instance,
 * which is what Linux does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "epoll_impl.h"
#include "rt.h"
#include "syscalls.h"

/* Flags that are not readiness bits. */
#define EP_FLAGS  (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define MAX_NESTS 4 /* Linux's EP_MAX_NESTS */

static void item_free(struct ember_epitem *it);

static struct ember_epitem **slot(struct epoll *ep, int fd)
{
	return &ep->hash[(unsigned)fd & (ep->nhash - 1)];
}

static struct ember_epitem *find(struct epoll *ep, int fd,
				 const struct ember_file *f)
{
	for (struct ember_epitem *it = *slot(ep, fd); it; it = it->hnext)
		if (it->fd == fd && it->file == f)
			return it;
	return NULL;
}

/* Double the hash table when it gets crowded; on failure keep the old
 * one (longer chains, still correct). */
static void maybe_grow(struct epoll *ep)
{
	unsigned n = ep->nhash * 2;
	struct ember_epitem **h, *it;

	if (ep->nitems < 2 * ep->nhash)
		return;
	h = calloc(n, sizeof(*h));
	if (!h)
		return;
	for (it = ep->interest; it; it = it->inext) {
		it->hnext = h[(unsigned)it->fd & (n - 1)];
		h[(unsigned)it->fd & (n - 1)] = it;
	}
	free(ep->hash);
	ep->hash = h;
	ep->nhash = n;
}

/* ---- the ready list ---- */

static void ready_add(struct ember_epitem *it)
{
	struct epoll *ep = it->ep;

	if (it->ready)
		return;
	it->ready = 1;
	it->rnext = NULL;
	it->rprev = ep->rtail;
	if (ep->rtail)
		ep->rtail->rnext = it;
	else
		ep->rhead = it;
	ep->rtail = it;
}

static void ready_remove(struct ember_epitem *it)
{
	struct epoll *ep = it->ep;

	if (!it->ready)
		return;
	if (it->rprev)
		it->rprev->rnext = it->rnext;
	else
		ep->rhead = it->rnext;
	if (it->rnext)
		it->rnext->rprev = it->rprev;
	else
		ep->rtail = it->rprev;
	it->ready = 0;
	it->rnext = it->rprev = NULL;
}

/* f's readiness changed: its items may be ready. An instance that is
 * itself watched tells its own watchers (nesting is bounded: ELOOP). */
static void file_notified(struct ember_file *f)
{
	for (struct ember_epitem *it = f->watchers; it; it = it->wnext) {
		ready_add(it);
		if (it->ep->file->watchers)
			ember_file_notify(it->ep->file);
	}
}

static void file_gone(struct ember_file *f)
{
	while (f->watchers)
		item_free(f->watchers);
}

/* After an ember_poll_notify(): anything may be ready. */
static void catch_up(struct epoll *ep)
{
	if (ep->gen_seen == ember_poll_generation)
		return;
	ep->gen_seen = ember_poll_generation;
	for (struct ember_epitem *it = ep->interest; it; it = it->inext)
		ready_add(it);
}

/* The item's readiness bits now, within its interest. */
static uint32_t bits_now(const struct ember_epitem *it)
{
	uint32_t want = it->events & ~(uint32_t)EP_FLAGS;

	if (!want)
		return 0; /* a disabled EPOLLONESHOT item */
	return ember_file_readiness(it->file) & (want | EPOLLERR | EPOLLHUP);
}

/* Is m worth a report? Edge-triggered: only a rising edge. */
static int reportable(const struct ember_epitem *it, uint32_t m)
{
	if (!m)
		return 0;
	return !(it->events & EPOLLET) || (m & ~it->seen) ||
	       it->gen != it->file->gen;
}

int ember_epoll_harvest(struct epoll *ep, struct epoll_event *out, int max)
{
	struct ember_epitem *it, *next, *last;
	int n = 0;

	catch_up(ep);
	last = ep->rtail;
	for (it = ep->rhead; it && n < max; it = next) {
		uint32_t m = bits_now(it);
		int end = it == last;

		next = it->rnext;
		ready_remove(it);
		if (reportable(it, m)) {
			out[n].events = m;
			out[n].data.u64 = it->data;
			n++;
			it->gen = it->file->gen;
			if (it->events & EPOLLONESHOT)
				it->events &= EP_FLAGS;
			else if (!(it->events & EPOLLET))
				ready_add(it); /* level: look again next time */
		}
		it->seen =
		    m; /* bits that fell are forgotten: next rise shows */
		if (end)
			break;
	}
	return n;
}

unsigned ember_epoll_readiness(struct epoll *ep)
{
	catch_up(ep);
	for (struct ember_epitem *it = ep->rhead; it; it = it->rnext)
		if (reportable(it, bits_now(it)))
			return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* ---- items ---- */

static void item_free(struct ember_epitem *it)
{
	struct epoll *ep = it->ep;
	struct ember_epitem **pp = slot(ep, it->fd);

	ready_remove(it);
	while (*pp != it)
		pp = &(*pp)->hnext;
	*pp = it->hnext;
	if (it->iprev)
		it->iprev->inext = it->inext;
	else
		ep->interest = it->inext;
	if (it->inext)
		it->inext->iprev = it->iprev;
	if (it->wprev)
		it->wprev->wnext = it->wnext;
	else
		it->file->watchers = it->wnext;
	if (it->wnext)
		it->wnext->wprev = it->wprev;
	ep->nitems--;
	free(it);
}

static int item_add(struct epoll *ep, int fd, struct ember_file *f,
		    const struct epoll_event *ev)
{
	struct ember_epitem *it = calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = f;
	it->fd = fd;
	it->events = ev->events;
	it->data = ev->data.u64;
	it->gen = f->gen;
	it->hnext = *slot(ep, fd);
	*slot(ep, fd) = it;
	it->inext = ep->interest;
	if (ep->interest)
		ep->interest->iprev = it;
	ep->interest = it;
	it->wnext = f->watchers;
	if (f->watchers)
		f->watchers->wprev = it;
	f->watchers = it;
	ep->nitems++;
	maybe_grow(ep);
	ready_add(it);
	return 0;
}

void ember_epoll_free(struct epoll *ep)
{
	while (ep->interest)
		item_free(ep->interest);
	free(ep->hash);
	free(ep);
}

/* Would watching target from ep close a loop, or nest too deep? */
static int loops(const struct epoll *target, const struct epoll *ep, int depth)
{
	if (depth > MAX_NESTS)
		return 1;
	for (const struct ember_epitem *it = target->interest; it;
	     it = it->inext) {
		const struct epoll *sub;

		if (it->file->kind != EMBER_FILE_EPOLL)
			continue;
		sub = it->file->priv;
		if (sub == ep || loops(sub, ep, depth + 1))
			return 1;
	}
	return 0;
}

int ember_epoll_ctl(struct epoll *ep, int op, int fd, struct ember_file *f,
		    const struct epoll_event *ev)
{
	struct ember_epitem *it = find(ep, fd, f);
	int excl = ev && (ev->events & EPOLLEXCLUSIVE);

	if (f == ep->file)
		return -EINVAL;
	if (f->kind == EMBER_FILE_MEMFILE)
		return -EPERM; /* regular files cannot be polled */
	switch (op) {
	case EPOLL_CTL_ADD:
		if (excl &&
		    (f->kind == EMBER_FILE_EPOLL ||
		     (ev->events &
		      ~(uint32_t)(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP |
				  EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE))))
			return -EINVAL;
		if (it)
			return -EEXIST;
		if (f->kind == EMBER_FILE_EPOLL && loops(f->priv, ep, 1))
			return -ELOOP;
		return item_add(ep, fd, f, ev);
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (excl || (it->events & EPOLLEXCLUSIVE))
			return -EINVAL;
		it->events = ev->events;
		it->data = ev->data.u64;
		it->seen = 0; /* report what is ready now, as Linux does */
		ready_add(it);
		return 0;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(it);
		return 0;
	default:
		return -EINVAL;
	}
}

void ember_epoll_hooks(void)
{
	ember_epoll_file_notified = file_notified;
	ember_epoll_file_gone = file_gone;
}
