/*
 * epoll's data structures, shared by epoll.c (the instance logic) and
 * epoll_syscalls.c (the system calls and the file kind).
 */
#ifndef EMBER_RT_EPOLL_IMPL_H
#define EMBER_RT_EPOLL_IMPL_H

#include <stdint.h>

#include "fd_impl.h"

struct epoll_event;
struct epoll;

/* One watched (descriptor, file) pair of one instance. */
struct ember_epitem {
	struct epoll *ep;
	struct ember_file *file;
	int fd;
	uint32_t events; /* interest and EPOLLET/EPOLLONESHOT/... flags */
	uint64_t data;
	uint32_t seen; /* readiness at the last look (edge detection) */
	unsigned gen;  /* file->gen at the last report */
	int ready;     /* on the ready list */
	struct ember_epitem *inext, *iprev; /* interest list */
	struct ember_epitem *rnext, *rprev; /* ready list */
	struct ember_epitem *hnext;	    /* hash chain by fd */
	struct ember_epitem *wnext, *wprev; /* file->watchers */
};

struct epoll {
	struct ember_file *file; /* the instance's own file */
	struct ember_epitem *interest;
	struct ember_epitem *rhead, *rtail;
	struct ember_epitem **hash;
	unsigned nhash; /* a power of two */
	unsigned nitems;
	unsigned gen_seen; /* ember_poll_generation at the last rescan */
};

/* Up to max ready events into out; 0 if none. */
int ember_epoll_harvest(struct epoll *ep, struct epoll_event *out, int max);
/* EPOLLIN if an epoll_wait would return something now. */
unsigned ember_epoll_readiness(struct epoll *ep);
/* EPOLL_CTL_*: 0 or -errno (ev is NULL for EPOLL_CTL_DEL). */
int ember_epoll_ctl(struct epoll *ep, int op, int fd, struct ember_file *f,
		    const struct epoll_event *ev);
void ember_epoll_free(struct epoll *ep);
/* Install the fd layer's hooks (file_notify, file gone). */
void ember_epoll_hooks(void);

#endif
