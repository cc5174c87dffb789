/*
 * File descriptors and the objects behind them. A descriptor refers to an
 * ember_file; each kind of file (console, pipe, eventfd, epoll instance,
 * socket, read-only memory file such as /etc/resolv.conf) supplies its
 * ops. dup() shares the file (refs), close() drops a reference and the
 * last one calls ops->close.
 *
 * Readiness: ops->poll reports POLLIN/POLLOUT/POLLERR/POLLHUP (and
 * POLLRDHUP) for the file right now. Whenever a file's readiness may
 * have changed, its owner calls ember_poll_notify(): every thread blocked
 * in poll/select/epoll_wait (or in a blocking read/write on such a file)
 * re-checks. Blocking reads and writes are the file's own business: a
 * file whose operation would block and which is not O_NONBLOCK waits on
 * ember_poll_wait() and retries.
 *
 * ember_file_notify(f) is the precise form of ember_poll_notify(): it
 * says which file changed, so epoll_wait rechecks only that file's items
 * (O(ready) instead of O(interest list)) and edge-triggered epoll
 * reports f again even when its readiness bits look the same (new data
 * on an already readable socket). Owners should prefer it.
 */
#ifndef EMBER_RT_FD_H
#define EMBER_RT_FD_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"

#define EMBER_MAX_FDS 4096

struct ember_file;
struct ember_epitem;
struct iovec;
struct stat;

struct ember_file_ops {
	/* Bytes read/written or -errno (-EAGAIN when it would block and
	 * the file is non-blocking). NULL: -EINVAL. */
	long (*read)(struct ember_file *f, void *buf, size_t len);
	long (*write)(struct ember_file *f, const void *buf, size_t len);
	/* Optional; without them readv/writev loop over read/write. */
	long (*readv)(struct ember_file *f, const struct iovec *iov, int cnt);
	long (*writev)(struct ember_file *f, const struct iovec *iov, int cnt);
	/* Current readiness: POLL* bits from <poll.h>. NULL: always
	 * readable and writable. */
	unsigned (*poll)(struct ember_file *f);
	/* ioctl after the generic ones (FIONBIO, FIOCLEX) are handled.
	 * NULL: -ENOTTY. */
	long (*ioctl)(struct ember_file *f, unsigned long req, void *arg);
	/* fstat; NULL: a character device. */
	long (*fstat)(struct ember_file *f, struct stat *st);
	/* O_NONBLOCK changed through fcntl/FIONBIO (already stored in
	 * f->flags); NULL if the file only needs f->flags. */
	void (*set_nonblock)(struct ember_file *f, int on);
	/* The last reference went away: release everything. */
	void (*close)(struct ember_file *f);
};

struct ember_file {
	const struct ember_file_ops *ops;
	int refs;
	int flags;  /* O_NONBLOCK, O_RDONLY/O_WRONLY/O_RDWR as F_GETFL shows */
	int kind;   /* EMBER_FILE_* */
	void *priv; /* the kind's own state */
	/* Bookkeeping of fd.c and epoll.c; the kinds leave it alone. */
	unsigned gen;		       /* ember_file_notify() count */
	struct ember_epitem *watchers; /* epoll items on this file */
};

enum {
	EMBER_FILE_CONSOLE = 1,
	EMBER_FILE_PIPE,
	EMBER_FILE_EVENTFD,
	EMBER_FILE_EPOLL,
	EMBER_FILE_SOCKET,
	EMBER_FILE_MEMFILE,
};

/* Install f at the lowest free descriptor (>= 0), taking over one
 * reference. Returns the fd, or -EMFILE (f untouched). */
int ember_fd_install(struct ember_file *f, int cloexec);
/* The file behind fd, or NULL (EBADF). No reference is taken: one
 * thread runs at a time, but the caller must not keep it across a
 * blocking point without ember_file_get(). */
struct ember_file *ember_fd_file(int fd);
void ember_file_get(struct ember_file *f);
void ember_file_put(struct ember_file *f);
/* A new file with refs = 1, zeroed priv; NULL when out of memory. */
struct ember_file *ember_file_new(const struct ember_file_ops *ops, int kind,
				  int flags, void *priv);

/* Readiness changed somewhere: wake every poll/select/epoll waiter. */
void ember_poll_notify(void);
/* Readiness of f changed: as ember_poll_notify(), and tells epoll
 * which file it was (see above). */
void ember_file_notify(struct ember_file *f);
/* Block until the next ember_poll_notify()/ember_file_notify() or the
 * deadline (monotonic ns; EMBER_NO_DEADLINE). Returns 0, -ETIMEDOUT, or
 * -EINTR when the thread is being cancelled (see ember_wait). */
int ember_poll_wait(uint64_t deadline_ns);

/* Read-only files served from memory at fixed paths (open/openat with
 * O_RDONLY finds them; everything else is -ENOENT as before). The
 * network layer registers /etc/resolv.conf and /etc/hosts. data must
 * stay valid for the life of the program. Returns 0 or -ENOMEM. */
int ember_memfile_register(const char *path, const char *data, size_t len);

#endif
