/*
 * setsockopt/getsockopt. lwIP handles what it implements (SO_REUSEADDR,
 * SO_KEEPALIVE, SO_ERROR, SO_TYPE, SO_RCVBUF, SO_BROADCAST, IP_TOS,
 * IP_TTL, TCP_NODELAY, TCP_KEEPIDLE/INTVL/CNT ...); here are the ones
 * whose meaning is ours (timeouts: blocking is ours) and the ones Linux
 * programs set routinely that lwIP lacks, accepted so that servers
 * start (SO_REUSEPORT, SO_SNDBUF, SO_LINGER, TCP_QUICKACK ...).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "../rt.h"
#include "lwip/opt.h"
#include "lwip/sockets.h"
#include "sock.h"

static int get_int(const void *val, socklen_t len, int *out)
{
	if (!val || len < sizeof(int) ||
	    !ember_range_readable(val, sizeof(int)))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

static long set_timeout(uint64_t *ns, const void *val, socklen_t len)
{
	struct timeval tv;

	if (!val || len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if ((uint64_t)tv.tv_sec > UINT64_MAX / 2000000000u)
		*ns = 0; /* centuries: forever */
	else
		*ns = (uint64_t)tv.tv_sec * 1000000000u +
		      (uint64_t)tv.tv_usec * 1000u;
	return 0;
}

static long put(void *val, socklen_t *len, const void *src, socklen_t n)
{
	if (!val || !len)
		return -EFAULT;
	if (*len < n)
		n = *len;
	memcpy(val, src, n);
	*len = n;
	return 0;
}

static long put_int(void *val, socklen_t *len, int v)
{
	return put(val, len, &v, sizeof(v));
}

static long put_timeout(void *val, socklen_t *len, uint64_t ns)
{
	struct timeval tv = {.tv_sec = (time_t)(ns / 1000000000u),
			     .tv_usec = (suseconds_t)(ns % 1000000000u / 1000)};

	return put(val, len, &tv, sizeof(tv));
}

long ember_sock_setsockopt(long fd, long level, long name, const void *val,
			   socklen_t len)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);
	int v;

	if (!sk)
		return err;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVTIMEO:
			return set_timeout(&sk->rcvtimeo, val, len);
		case SO_SNDTIMEO:
			return set_timeout(&sk->sndtimeo, val, len);
		case SO_REUSEPORT:
			if ((err = get_int(val, len, &v)) < 0)
				return err;
			sk->reuseport = v != 0;
			return 0;
		case SO_SNDBUF:
			if ((err = get_int(val, len, &v)) < 0)
				return err;
			sk->sndbuf = v;
			return 0;
		case SO_LINGER:
		case SO_PRIORITY:
		case SO_OOBINLINE:
			return len ? 0 : -EINVAL; /* accepted, no effect */
		}
	}
	if (level == IPPROTO_TCP && sk->type == SOCK_STREAM) {
		switch (name) {
		case TCP_QUICKACK:
		case TCP_CORK:
		case TCP_DEFER_ACCEPT:
		case TCP_FASTOPEN:
		case TCP_USER_TIMEOUT:
			return len ? 0 : -EINVAL; /* accepted, no effect */
		}
	}
	return lwip_setsockopt(sk->s, (int)level, (int)name, val, len) < 0
		   ? -errno
		   : 0;
}

int ember_sock_so_error(struct ember_sock *sk)
{
	int e = 0;
	socklen_t n = sizeof(e);

	if (lwip_getsockopt(sk->s, SOL_SOCKET, SO_ERROR, &e, &n) < 0)
		return 0;
	/* lwIP reports a refused or timed-out connect as reset/aborted. */
	if (!sk->established && e == ECONNRESET)
		e = ECONNREFUSED;
	else if (!sk->established && e == ECONNABORTED)
		e = ETIMEDOUT;
	return e;
}

long ember_sock_getsockopt(long fd, long level, long name, void *val,
			   socklen_t *len)
{
	long err;
	struct ember_sock *sk = ember_sock_get(fd, &err);

	if (!sk)
		return err;
	if (!val || !len)
		return -EFAULT;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVTIMEO:
			return put_timeout(val, len, sk->rcvtimeo);
		case SO_SNDTIMEO:
			return put_timeout(val, len, sk->sndtimeo);
		case SO_REUSEPORT:
			return put_int(val, len, sk->reuseport);
		case SO_SNDBUF:
			/* Linux reports twice what was set */
			return put_int(val, len,
				       sk->sndbuf ? 2 * sk->sndbuf
						  : TCP_SND_BUF);
		case SO_ERROR:
			ember_sock_poll(sk); /* settles a finished connect */
			return put_int(val, len, ember_sock_so_error(sk));
		case SO_DOMAIN:
			return put_int(val, len, AF_INET);
		case SO_PROTOCOL:
			return put_int(val, len,
				       sk->type == SOCK_STREAM ? IPPROTO_TCP
							       : IPPROTO_UDP);
		case SO_LINGER: {
			struct linger l = {0, 0};
			return put(val, len, &l, sizeof(l));
		}
		}
	}
	return lwip_getsockopt(sk->s, (int)level, (int)name, val, len) < 0
		   ? -errno
		   : 0;
}
