/*
 * The socket file kind: descriptors over lwIP sockets, their readiness,
 * and the event callback that wakes whoever waits on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "../rt.h"
#include "lwip/api.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "sock.h"

/* lwIP socket index -> our socket, for the event callback. */
static struct ember_sock *by_index[MEMP_NUM_NETCONN];
/* lwIP's own event_callback (static in sockets.c), which ours wraps. */
static netconn_callback lwip_event;

static struct lwip_sock *lwsock(const struct ember_sock *sk)
{
	return lwip_socket_dbg_get_socket(sk->s);
}

/* Called by lwIP (tcpip thread or an API call, core lock held) when a
 * socket's counters change. lwIP's callback keeps rcvevent/sendevent/
 * errevent; we wake the socket's blocked threads and tell poll/epoll.
 * Every arrival of data counts (an edge for EPOLLET), but losing
 * readiness needs nobody woken, and neither does "writable" when it
 * already was (lwIP says so on every ACK). */
static void sock_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
	int s = conn->socket;
	struct ember_sock *sk =
	    s >= 0 && s < MEMP_NUM_NETCONN ? by_index[s] : NULL;
	int was_writable = sk && evt == NETCONN_EVT_SENDPLUS && lwsock(sk) &&
			   lwsock(sk)->sendevent;

	lwip_event(conn, evt, len);
	if (!sk || was_writable || evt == NETCONN_EVT_RCVMINUS ||
	    evt == NETCONN_EVT_SENDMINUS)
		return; /* !sk: accepted, not yet returned by accept() */
	ember_wake(&sk->waiters, -1);
	ember_file_notify(sk->file);
}

/* A TCP connection whose peer has sent FIN (read side at its end once
 * the data queued before it is read). */
static int fin_received(const struct lwip_sock *ls)
{
	const struct tcp_pcb *pcb;

	if (NETCONNTYPE_GROUP(netconn_type(ls->conn)) != NETCONN_TCP)
		return 0;
	pcb = ls->conn->pcb.tcp;
	return pcb && (pcb->state == CLOSE_WAIT || pcb->state == CLOSING ||
		       pcb->state == LAST_ACK || pcb->state == TIME_WAIT);
}

unsigned ember_sock_poll(struct ember_sock *sk)
{
	struct lwip_sock *ls = lwsock(sk);
	unsigned ev = 0;

	if (!ls || !ls->conn)
		return POLLNVAL;
	if (ls->lastdata.pbuf || ls->rcvevent > 0)
		ev |= POLLIN | POLLRDNORM;
	if (ls->sendevent)
		ev |= POLLOUT | POLLWRNORM;
	if (sk->eof || fin_received(ls))
		ev |= POLLIN | POLLRDNORM | POLLRDHUP;
	if ((sk->eof || fin_received(ls)) && sk->wr_shut)
		ev |= POLLHUP;
	if (ls->errevent)
		ev |= POLLERR | POLLHUP | POLLIN | POLLRDNORM;
	if (sk->connecting && (ls->sendevent || ls->errevent)) {
		sk->connecting = 0;
		sk->established = !ls->errevent;
	}
	return ev;
}

uint64_t ember_sock_deadline(uint64_t timeo_ns)
{
	if (!timeo_ns)
		return EMBER_NO_DEADLINE;
	return ember_monotonic_ns() + timeo_ns;
}

long ember_sock_wait(struct ember_sock *sk, int nonblock, uint64_t deadline)
{
	struct ember_file *f = sk->file;
	long r;

	if (nonblock || (f->flags & O_NONBLOCK))
		return -EAGAIN;
	/* Another thread may close the descriptor meanwhile: our reference
	 * keeps the socket alive until we are back. */
	ember_file_get(f);
	r = ember_wait(&sk->waiters, deadline) == -ETIMEDOUT ? -EAGAIN : 0;
	if (f->refs == 1)
		r = -EBADF; /* closed while we waited: sk goes with f now */
	ember_file_put(f);
	return r;
}

long ember_sock_error(struct ember_sock *sk, int err, int sending)
{
	if (err == EWOULDBLOCK)
		return -EAGAIN;
	/* Linux: writing to a connection that can no longer send. */
	if (sending && err == ENOTCONN && sk->established &&
	    sk->type == SOCK_STREAM)
		return -EPIPE;
	return -err;
}

/* ---- file operations ---------------------------------------------- */

static long sock_read(struct ember_file *f, void *buf, size_t len)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	return ember_sock_recvmsg(f->priv, &m, 0);
}

static long sock_write(struct ember_file *f, const void *buf, size_t len)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	return ember_sock_sendmsg(f->priv, &m, 0);
}

static long sock_readv(struct ember_file *f, const struct iovec *iov, int cnt)
{
	struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = cnt};

	return ember_sock_recvmsg(f->priv, &m, 0);
}

static long sock_writev(struct ember_file *f, const struct iovec *iov, int cnt)
{
	struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = cnt};

	return ember_sock_sendmsg(f->priv, &m, 0);
}

static unsigned sock_poll(struct ember_file *f)
{
	return ember_sock_poll(f->priv);
}

static long sock_ioctl(struct ember_file *f, unsigned long req, void *arg)
{
	struct ember_sock *sk = f->priv;
	int n = 0;

	if (req != FIONREAD)
		return -ENOTTY;
	if (!ember_range_readable(arg, sizeof(int)))
		return -EFAULT;
	if (lwip_ioctl(sk->s, FIONREAD, &n) < 0)
		return sk->eof ? (*(int *)arg = 0) : -errno;
	*(int *)arg = n;
	return 0;
}

static long sock_fstat(struct ember_file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	st->st_blksize = 4096;
	return 0;
}

static void sock_close(struct ember_file *f)
{
	struct ember_sock *sk = f->priv;

	by_index[sk->s] = NULL;
	lwip_close(sk->s);
	free(sk);
}

static const struct ember_file_ops sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .readv = sock_readv,
    .writev = sock_writev,
    .poll = sock_poll,
    .ioctl = sock_ioctl,
    .fstat = sock_fstat,
    .close = sock_close,
};

long ember_sock_install(int s, int type, int flags, int established)
{
	struct lwip_sock *ls = lwip_socket_dbg_get_socket(s);
	struct ember_sock *sk = calloc(1, sizeof(*sk));
	long fd = -ENOMEM;

	if (!ls || s >= MEMP_NUM_NETCONN || !sk)
		goto fail;
	sk->s = s;
	sk->type = type;
	sk->established = !!established;
	sk->file = ember_file_new(
	    &sock_ops, EMBER_FILE_SOCKET,
	    O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), sk);
	if (!sk->file)
		goto fail;
	fd = ember_fd_install(sk->file, !!(flags & SOCK_CLOEXEC));
	if (fd < 0) {
		static const struct ember_file_ops unowned;

		sk->file->ops = &unowned; /* closed below, not by the file */
		ember_file_put(sk->file);
		goto fail;
	}
	/* Every socket is non-blocking in lwIP; blocking is ours. */
	lwip_fcntl(s, F_SETFL, O_NONBLOCK);
	if (ls->conn->callback != sock_event) {
		lwip_event = ls->conn->callback;
		ls->conn->callback = sock_event; /* accepted ones inherit it */
	}
	by_index[s] = sk;
	return fd;
fail:
	free(sk);
	lwip_close(s);
	return fd;
}

struct ember_sock *ember_sock_get(long fd, long *err)
{
	struct ember_file *f =
	    fd >= 0 && fd < EMBER_MAX_FDS ? ember_fd_file((int)fd) : NULL;

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->kind != EMBER_FILE_SOCKET) {
		*err = -ENOTSOCK;
		return NULL;
	}
	return f->priv;
}
