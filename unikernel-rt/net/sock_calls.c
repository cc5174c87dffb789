/*
 * socket, socketpair, bind, listen, accept4, connect, shutdown,
 * getsockname, getpeername: Linux semantics over lwIP's sockets API.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lwip/sockets.h"
#include "net.h"
#include "sock.h"

#define TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

long ember_sock_socket(long domain, long type, long proto)
{
	int base = (int)(type & ~TYPE_FLAGS);
	long r;

	if (domain != AF_INET)
		return -EAFNOSUPPORT; /* no IPv6, no AF_UNIX/AF_NETLINK */
	if (type & ~(TYPE_FLAGS | 0xf))
		return -EINVAL;
	if (base != SOCK_STREAM && base != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if ((base == SOCK_STREAM && proto && proto != IPPROTO_TCP) ||
	    (base == SOCK_DGRAM && proto && proto != IPPROTO_UDP))
		return -EPROTONOSUPPORT;
	if ((r = ember_net_stack_up()) < 0)
		return r;
	int s = lwip_socket(AF_INET, base, (int)proto);
	if (s < 0)
		return errno == ENOBUFS || errno == ENFILE ? -ENFILE : -errno;
	return ember_sock_install(s, base, (int)(type & TYPE_FLAGS), 0);
}

long ember_sock_socketpair(long domain, long type, long proto, int *sv)
{
	(void)type;
	(void)proto;
	(void)sv;
	/* Linux has no AF_INET pairs; AF_UNIX is not implemented. */
	return domain == AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
}

long ember_sock_bind(long fd, const struct sockaddr *a, socklen_t len)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (!a || len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (a->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	return lwip_bind(sk->s, a, len) < 0 ? -errno : 0;
}

long ember_sock_listen(long fd, long backlog)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (sk->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	/* lwIP's backlog is a u8 and counts only connections not yet
	 * accepted; a small one refuses bursts that Linux's SYN queue
	 * absorbs, so every listener gets the most lwIP allows. */
	(void)backlog;
	return lwip_listen(sk->s, 0xff) < 0 ? -errno : 0;
}

long ember_sock_accept4(long fd, struct sockaddr *a, socklen_t *len, long flags)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);
	int s;

	if (!sk)
		return err;
	if (flags & ~TYPE_FLAGS)
		return -EINVAL;
	if (a && !len)
		return -EFAULT;
	uint64_t deadline = ember_sock_deadline(sk->rcvtimeo);
	while ((s = lwip_accept(sk->s, a, a ? len : NULL)) < 0) {
		err = errno;
		if (err != EWOULDBLOCK)
			return err == ENOTCONN ? -EINVAL
					       : -err; /* not listening */
		if ((err = ember_sock_wait(sk, 0, deadline)) < 0)
			return err;
	}
	return ember_sock_install(s, SOCK_STREAM, (int)flags, 1);
}

/* Wait for a connect under way to finish: 0 or -errno. */
static long finish_connect(struct ember_sock *sk)
{
	uint64_t deadline = ember_sock_deadline(sk->sndtimeo);
	long r;

	while (!(ember_sock_poll(sk) & (POLLOUT | POLLERR))) {
		if ((r = ember_sock_wait(sk, 0, deadline)) < 0)
			return r == -EBADF ? r : -EINPROGRESS; /* SO_SNDTIMEO */
	}
	r = ember_sock_so_error(sk);
	sk->connecting = 0;
	sk->established = r == 0;
	return -r;
}

long ember_sock_connect(long fd, const struct sockaddr *a, socklen_t len)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (!a || len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->sa_family != AF_INET &&
	    !(sk->type == SOCK_DGRAM && a->sa_family == AF_UNSPEC))
		return -EAFNOSUPPORT;
	if (sk->connecting)
		return -EALREADY;
	if (lwip_connect(sk->s, a, len) == 0) {
		sk->established = 1;
		return 0;
	}
	err = errno;
	if (err != EINPROGRESS)
		return -err;
	sk->connecting = 1;
	if (sk->file->flags & O_NONBLOCK)
		return -EINPROGRESS;
	return finish_connect(sk);
}

long ember_sock_shutdown(long fd, long how)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (lwip_shutdown(sk->s, (int)how) < 0)
		return -errno;
	if (how != SHUT_RD)
		sk->wr_shut = 1;
	if (how != SHUT_WR)
		sk->eof = 1;
	ember_wake(&sk->waiters, -1); /* blocked readers see EOF */
	ember_file_notify(sk->file);
	return 0;
}

long ember_sock_name(long fd, struct sockaddr *a, socklen_t *len, int peer)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);
	int r;

	if (!sk)
		return err;
	if (!a || !len)
		return -EFAULT;
	r = peer ? lwip_getpeername(sk->s, a, len)
		 : lwip_getsockname(sk->s, a, len);
	return r < 0 ? -errno : 0;
}
