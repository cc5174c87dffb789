/*
 * Sockets: an ember_file of kind EMBER_FILE_SOCKET over one lwIP
 * socket. lwIP's sockets layer is built on Linux's socket ABI
 * (lwip/posix/sockets.h), so addresses, option numbers, flags and errno
 * values pass through unchanged.
 *
 * Every lwIP socket is non-blocking underneath. Blocking, SO_RCVTIMEO
 * and SO_SNDTIMEO are ours: an operation that would block waits on the
 * socket's own wait queue, which lwIP's event callback wakes (together
 * with poll/epoll waiters, through ember_file_notify) whenever the
 * socket may have become readable, writable or failed. So a thousand
 * threads blocked on a thousand sockets wake one at a time, and epoll
 * learns exactly which socket changed.
 */
#ifndef EMBER_NET_SOCK_H
#define EMBER_NET_SOCK_H

#include <stdint.h>
#include <sys/socket.h>

#include "../fd.h"
#include "../sched.h"

struct ember_sock {
	int s;			     /* lwIP socket index */
	int type;		     /* SOCK_STREAM or SOCK_DGRAM */
	unsigned connecting : 1;     /* non-blocking connect under way */
	unsigned established : 1;    /* connected once (accepted, connect ok) */
	unsigned eof : 1;	     /* a read returned end of stream */
	unsigned wr_shut : 1;	     /* shutdown(SHUT_WR) */
	unsigned reuseport : 1;	     /* accepted and remembered only */
	int sndbuf;		     /* SO_SNDBUF as set (accepted only) */
	uint64_t rcvtimeo, sndtimeo; /* ns; 0 = wait forever */
	struct ember_waitq waiters;  /* threads blocked on this socket */
	struct ember_file *file;
};

/* sock_file.c */
/* A file (and descriptor) for lwIP socket s: flags are SOCK_NONBLOCK
 * and SOCK_CLOEXEC. Returns the fd, or -errno (s is closed then). */
long ember_sock_install(int s, int type, int flags, int established);
/* The socket behind fd: NULL with *err = -EBADF or -ENOTSOCK. */
struct ember_sock *ember_sock_get(long fd, long *err);
/* Readiness right now (POLL* bits), as ops->poll reports it. */
unsigned ember_sock_poll(struct ember_sock *sk);
/* Would-block handling: -EAGAIN if the socket or the call is
 * non-blocking or the deadline passed, else wait for an event on sk
 * and return 0 (the caller retries). -EBADF if the descriptor was
 * closed meanwhile: sk is gone then and must not be touched. */
long ember_sock_wait(struct ember_sock *sk, int nonblock, uint64_t deadline);
/* The absolute deadline for a timeout in ns (0: none). */
uint64_t ember_sock_deadline(uint64_t timeo_ns);
/* -errno from lwIP's errno after a failed call, made Linux-exact for
 * what we know about the socket. */
long ember_sock_error(struct ember_sock *sk, int err, int sending);

/* sock_calls.c */
long ember_sock_socket(long domain, long type, long proto);
long ember_sock_socketpair(long domain, long type, long proto, int *sv);
long ember_sock_bind(long fd, const struct sockaddr *a, socklen_t len);
long ember_sock_listen(long fd, long backlog);
long ember_sock_accept4(long fd, struct sockaddr *a, socklen_t *len,
			long flags);
long ember_sock_connect(long fd, const struct sockaddr *a, socklen_t len);
long ember_sock_shutdown(long fd, long how);
long ember_sock_name(long fd, struct sockaddr *a, socklen_t *len, int peer);

/* sock_opts.c */
long ember_sock_setsockopt(long fd, long level, long name, const void *val,
			   socklen_t len);
long ember_sock_getsockopt(long fd, long level, long name, void *val,
			   socklen_t *len);
/* SO_ERROR with the Linux meaning (ECONNREFUSED for a refused connect). */
int ember_sock_so_error(struct ember_sock *sk);

/* sock_io.c */
long ember_sock_sendmsg(struct ember_sock *sk, const struct msghdr *m,
			long flags);
long ember_sock_recvmsg(struct ember_sock *sk, struct msghdr *m, long flags);
long ember_sock_sendto(long fd, const void *buf, size_t len, long flags,
		       const struct sockaddr *to, socklen_t tolen);
long ember_sock_recvfrom(long fd, void *buf, size_t len, long flags,
			 struct sockaddr *from, socklen_t *fromlen);
long ember_sock_sendmsg_fd(long fd, const struct msghdr *m, long flags);
long ember_sock_recvmsg_fd(long fd, struct msghdr *m, long flags);
long ember_sock_sendmmsg(long fd, struct mmsghdr *v, unsigned n, long flags);
long ember_sock_recvmmsg(long fd, struct mmsghdr *v, unsigned n, long flags,
			 const struct timespec *timeout);

#endif
