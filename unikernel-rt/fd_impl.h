/*
 * Internals of the descriptor layer shared by fd.c, the system calls on
 * descriptors and the file kinds implemented in the runtime core
 * (console, memory files, pipes, eventfd, epoll). The network layer uses
 * fd.h only.
 */
#ifndef EMBER_RT_FD_IMPL_H
#define EMBER_RT_FD_IMPL_H

#include <poll.h>

#include "fd.h"

struct timespec;

/* A file's readiness now (ops->poll, or always ready without one),
 * with POLLRDNORM/POLLWRNORM added to POLLIN/POLLOUT as Linux shows. */
static inline unsigned ember_file_readiness(struct ember_file *f)
{
	unsigned m = f->ops->poll ? f->ops->poll(f) : POLLIN | POLLOUT;

	if (m & POLLIN)
		m |= POLLRDNORM;
	if (m & POLLOUT)
		m |= POLLWRNORM;
	return m;
}

/* poll.c: the deadline of a wait from a timeout in ms (negative:
 * none) or a relative timespec (NULL: none); 0 or -EINVAL/-EFAULT. */
uint64_t ember_deadline_ms(long ms);
int ember_deadline_ts(const struct timespec *ts, uint64_t *deadline);

/* The file at fd with a reference taken, or NULL: for system calls that
 * may block. Pair with ember_file_put(). */
struct ember_file *ember_fd_get(int fd);

/* Install f (taking over one reference) at the lowest free descriptor
 * >= min, or exactly at fd (closing what was there): fd or -errno. */
int ember_fd_install_from(struct ember_file *f, int min, int cloexec);
int ember_fd_install_at(struct ember_file *f, int fd, int cloexec);
int ember_fd_close(int fd);
/* FD_CLOEXEC of an open descriptor: 0/1, or -EBADF. */
int ember_fd_cloexec(int fd);
int ember_fd_set_cloexec(int fd, int on);

/* Bumped by every ember_poll_notify(): epoll rescans its whole
 * interest list when it changed since the last look. */
extern unsigned ember_poll_generation;

/* epoll.c's hooks, set when the first epoll instance is made so that
 * images without epoll do not link it: mark f's items as maybe ready;
 * forget the items of a file that is going away. */
extern void (*ember_epoll_file_notified)(struct ember_file *f);
extern void (*ember_epoll_file_gone)(struct ember_file *f);

/* console_file.c: descriptors 0, 1 and 2 at boot. */
extern struct ember_file ember_console_files[3];

/* memfile.c */
int ember_memfile_open(const char *path, long flags);
int ember_memfile_stat(const char *path, struct stat *st);
long ember_memfile_lseek(struct ember_file *f, long off, int whence);
long ember_memfile_pread(struct ember_file *f, void *buf, size_t len, long off);

#endif
