/*
 * Data transfer: sendmsg/recvmsg and the calls built on them. lwIP is
 * always called with MSG_DONTWAIT; a blocking socket waits for an event
 * and retries (sock.h). A blocking stream send returns only when all of
 * it is queued (or on error/timeout, with what was queued), as Linux's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "../syscalls.h"
#include "lwip/sockets.h"
#include "sock.h"

/* lwIP rejects empty iovecs and takes at most IOV_MAX: we hand it a
 * window of the non-empty ones, starting where the last call stopped. */
#define WIN 16

struct cursor {
	const struct iovec *iov;
	size_t cnt, i, off;
};

static int window(const struct cursor *c, struct iovec *out)
{
	int n = 0;

	for (size_t i = c->i; i < c->cnt && n < WIN; i++) {
		size_t off = i == c->i ? c->off : 0;
		if (c->iov[i].iov_len <= off)
			continue;
		out[n].iov_base = (char *)c->iov[i].iov_base + off;
		out[n].iov_len = c->iov[i].iov_len - off;
		n++;
	}
	return n;
}

static void advance(struct cursor *c, size_t n)
{
	while (c->i < c->cnt) {
		size_t left = c->iov[c->i].iov_len - c->off;
		if (n < left) {
			c->off += n;
			return;
		}
		n -= left;
		c->i++;
		c->off = 0;
	}
}

/* Total length, or -EINVAL (Linux: more than SSIZE_MAX or IOV_MAX). */
static long total_len(const struct msghdr *m)
{
	size_t total = 0;

	if (m->msg_iovlen < 0 || m->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (m->msg_iovlen && !m->msg_iov)
		return -EFAULT;
	for (int i = 0; i < m->msg_iovlen; i++) {
		if (m->msg_iov[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += m->msg_iov[i].iov_len;
	}
	return (long)total;
}

static long send_dgram(struct ember_sock *sk, const struct msghdr *m,
		       long flags, int nonblock)
{
	uint64_t deadline = ember_sock_deadline(sk->sndtimeo);
	int lwflags = (int)(flags & MSG_MORE) | MSG_DONTWAIT;
	long r;

	for (;;) {
		if (m->msg_iovlen)
			r = lwip_sendmsg(sk->s, m, lwflags);
		else /* an empty datagram: lwIP's sendmsg wants an iovec */
			r = lwip_sendto(sk->s, "", 0, lwflags, m->msg_name,
					m->msg_namelen);
		if (r >= 0)
			return r;
		if (errno != EWOULDBLOCK)
			return ember_sock_error(sk, errno, 1);
		if ((r = ember_sock_wait(sk, nonblock, deadline)) < 0)
			return r;
	}
}

/* Linux: EPIPE on a stream also raises SIGPIPE unless MSG_NOSIGNAL (as
 * signal_syscalls.c delivers it: default action ends the program). */
static long sent(long r, long flags)
{
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		ember_sys_kill(1, SIGPIPE);
	return r;
}

long ember_sock_sendmsg(struct ember_sock *sk, const struct msghdr *m,
			long flags)
{
	long total = total_len(m), r;
	int nonblock = !!(flags & MSG_DONTWAIT);

	if (total < 0)
		return total;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (sk->type == SOCK_DGRAM)
		return send_dgram(sk, m, flags, nonblock);

	uint64_t deadline = ember_sock_deadline(sk->sndtimeo);
	struct cursor c = {m->msg_iov, (size_t)m->msg_iovlen, 0, 0};
	struct iovec iov[WIN];
	struct msghdr part = {.msg_iov = iov};
	long done = 0;

	while (done < total) {
		part.msg_iovlen = window(&c, iov);
		r = lwip_sendmsg(sk->s, &part,
				 (int)(flags & MSG_MORE) | MSG_DONTWAIT);
		if (r > 0) {
			done += r;
			advance(&c, (size_t)r);
			sk->connecting = 0; /* data moved: connected */
			sk->established = 1;
			continue;
		}
		if (r < 0 && errno != EWOULDBLOCK)
			return done ? done
				    : sent(ember_sock_error(sk, errno, 1),
					   flags);
		if ((r = ember_sock_wait(sk, nonblock, deadline)) < 0)
			return done ? done : r;
	}
	return done;
}

long ember_sock_recvmsg(struct ember_sock *sk, struct msghdr *m, long flags)
{
	long total = total_len(m), r;
	int nonblock = !!(flags & MSG_DONTWAIT);
	int stream = sk->type == SOCK_STREAM;
	int waitall = stream && (flags & MSG_WAITALL) && !(flags & MSG_PEEK);

	if (total < 0)
		return total;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	uint64_t deadline = ember_sock_deadline(sk->rcvtimeo);
	struct cursor c = {m->msg_iov, (size_t)m->msg_iovlen, 0, 0};
	struct iovec iov[WIN];
	struct msghdr part = {.msg_iov = iov,
			      .msg_name = stream ? NULL : m->msg_name,
			      .msg_namelen = stream ? 0 : m->msg_namelen};
	long done = 0;

	m->msg_controllen = 0;
	m->msg_flags = 0;
	if (stream)
		m->msg_namelen = 0;
	for (;;) {
		part.msg_iovlen = window(&c, iov);
		if (!part.msg_iovlen)
			return done; /* nothing (more) to fill */
		r = lwip_recvmsg(sk->s, &part,
				 (int)(flags & MSG_PEEK) | MSG_DONTWAIT);
		if (r > 0) {
			done += r;
			advance(&c, (size_t)r);
			sk->connecting = 0; /* data moved: connected */
			sk->established = 1;
			if (!stream) {
				m->msg_namelen = part.msg_namelen;
				m->msg_flags = part.msg_flags;
			}
			if (!waitall || done >= total)
				return done;
			continue;
		}
		if (r == 0 || (errno == ENOTCONN && sk->eof)) {
			if (stream)
				sk->eof = 1;
			return done;
		}
		if (errno != EWOULDBLOCK)
			return done ? done : ember_sock_error(sk, errno, 0);
		if ((r = ember_sock_wait(sk, nonblock, deadline)) < 0)
			return done ? done : r;
	}
}

long ember_sock_sendmsg_fd(long fd, const struct msghdr *m, long flags)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (!m)
		return -EFAULT;
	return ember_sock_sendmsg(sk, m, flags);
}

long ember_sock_recvmsg_fd(long fd, struct msghdr *m, long flags)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (!m)
		return -EFAULT;
	return ember_sock_recvmsg(sk, m, flags);
}

long ember_sock_sendto(long fd, const void *buf, size_t len, long flags,
		       const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_name = (void *)to,
			   .msg_namelen = to ? tolen : 0,
			   .msg_iov = &iov,
			   .msg_iovlen = 1};

	return ember_sock_sendmsg_fd(fd, &m, flags);
}

long ember_sock_recvfrom(long fd, void *buf, size_t len, long flags,
			 struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_name = from && fromlen ? from : NULL,
			   .msg_namelen = from && fromlen ? *fromlen : 0,
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	long r = ember_sock_recvmsg_fd(fd, &m, flags);

	if (r >= 0 && from && fromlen)
		*fromlen = m.msg_namelen;
	return r;
}

long ember_sock_sendmmsg(long fd, struct mmsghdr *v, unsigned n, long flags)
{
	unsigned i;
	long r = 0;

	if (n > IOV_MAX)
		n = IOV_MAX;
	for (i = 0; i < n; i++) {
		r = ember_sock_sendmsg_fd(fd, &v[i].msg_hdr, flags);
		if (r < 0)
			break;
		v[i].msg_len = (unsigned)r;
	}
	return i ? (long)i : r;
}

/* As with MSG_WAITFORONE: only the first message may wait. */
long ember_sock_recvmmsg(long fd, struct mmsghdr *v, unsigned n, long flags,
			 const struct timespec *timeout)
{
	unsigned i;
	long r = 0;

	(void)timeout;
	flags &= ~0x10000L; /* MSG_WAITFORONE: what we do anyway */
	for (i = 0; i < n; i++) {
		r = ember_sock_recvmsg_fd(fd, &v[i].msg_hdr,
					  flags | (i ? MSG_DONTWAIT : 0));
		if (r < 0)
			break;
		v[i].msg_len = (unsigned)r;
	}
	return i ? (long)i : r;
}
