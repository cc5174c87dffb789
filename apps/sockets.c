/*
 * sockets: the socket system calls checked over 127.0.0.1, inside one
 * image: lwIP's loopback interface needs no network device and no root
 * on the host. Blocking and non-blocking TCP, refused connects (errno
 * and SO_ERROR), timeouts, MSG_PEEK/MSG_DONTWAIT/MSG_WAITALL, FIONREAD,
 * poll and epoll readiness, shutdown and EOF, EPIPE and SIGPIPE,
 * EADDRINUSE, accept4 flags, UDP with sendmmsg/recvmmsg, and the errors
 * for what is not supported. Each result is checked here; prints
 * "sockets: ok" and exits 0, or one line per failed check and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fails;
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fails++;                                               \
			printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__,     \
			       __LINE__, #c, errno, strerror(errno));          \
		}                                                              \
	} while (0)

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in a = lo(port);
	CHECK(s >= 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(listen(s, 8) == 0);
	return s;
}

static void *echo_thread(void *arg)
{
	int s = (int)(long)arg;
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			break;
		char buf[4096];
		ssize_t r;
		while ((r = recv(c, buf, sizeof buf, 0)) > 0)
			send(c, buf, r, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

int main(void)
{
	/* refused */
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(9);
	errno = 0;
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) < 0 &&
	      errno == ECONNREFUSED);
	close(c);

	/* non-blocking connect refused: EINPROGRESS, then SO_ERROR */
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&a, sizeof a);
	CHECK(r == 0 || errno == EINPROGRESS || errno == ECONNREFUSED);
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd p = {.fd = c, .events = POLLOUT};
		CHECK(poll(&p, 1, 2000) == 1);
		int e = 0;
		socklen_t el = sizeof e;
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el) == 0 &&
		      e == ECONNREFUSED);
	}
	close(c);

	/* echo server thread, blocking client */
	int s = listener(7000);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, echo_thread, (void *)(long)s) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	a = lo(7000);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
	int one = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
	struct sockaddr_in n;
	socklen_t nl = sizeof n;
	CHECK(getsockname(c, (struct sockaddr *)&n, &nl) == 0 &&
	      nl == sizeof n && n.sin_family == AF_INET &&
	      n.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	nl = sizeof n;
	CHECK(getpeername(c, (struct sockaddr *)&n, &nl) == 0 &&
	      ntohs(n.sin_port) == 7000);
	static char big[300000], back[300000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	CHECK(send(c, big, sizeof big, 0) == (ssize_t)sizeof big);
	CHECK(recv(c, back, sizeof back, MSG_WAITALL) == (ssize_t)sizeof back);
	CHECK(memcmp(big, back, sizeof big) == 0);
	/* receive timeout */
	struct timeval tv = {0, 50000};
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
	errno = 0;
	CHECK(recv(c, back, 10, 0) < 0 && errno == EAGAIN);
	struct timeval tv2;
	socklen_t tl = sizeof tv2;
	CHECK(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl) == 0 &&
	      tv2.tv_usec == 50000);
	/* FIONREAD, MSG_PEEK, MSG_DONTWAIT */
	CHECK(send(c, "hello", 5, 0) == 5);
	struct pollfd p = {.fd = c, .events = POLLIN};
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
	int nr = -1;
	CHECK(ioctl(c, FIONREAD, &nr) == 0 && nr == 5);
	CHECK(recv(c, back, 5, MSG_PEEK) == 5 && memcmp(back, "hello", 5) == 0);
	CHECK(recv(c, back, 5, 0) == 5);
	errno = 0;
	CHECK(recv(c, back, 5, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	/* epoll */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	CHECK(write(c, "x", 1) == 1);
	CHECK(epoll_wait(ep, &ev, 1, 1000) == 1 && ev.data.fd == c);
	CHECK(read(c, back, 1) == 1);
	/* shutdown: the server sees EOF and closes; we see EOF */
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(recv(c, back, 1, 0) == 0);
	CHECK(recv(c, back, 1, 0) == 0);
	close(c);
	close(ep);

	/* accept4 non-blocking */
	int s2 = listener(7001);
	int fl = fcntl(s2, F_GETFL);
	CHECK(fcntl(s2, F_SETFL, fl | O_NONBLOCK) == 0);
	errno = 0;
	CHECK(accept4(s2, NULL, NULL, SOCK_NONBLOCK) < 0 && errno == EAGAIN);
	c = socket(AF_INET, SOCK_STREAM, 0);
	a = lo(7001);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
	p = (struct pollfd){.fd = s2, .events = POLLIN};
	CHECK(poll(&p, 1, 1000) == 1);
	int c2 = accept4(s2, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(c2 >= 0 && (fcntl(c2, F_GETFL) & O_NONBLOCK) &&
	      (fcntl(c2, F_GETFD) & FD_CLOEXEC));
	/* EPIPE after the peer is gone */
	close(c2);
	usleep(20000);
	char tmp[1000];
	ssize_t w = 0;
	int k;
	for (k = 0; k < 50 && w >= 0; k++) {
		w = send(c, tmp, sizeof tmp, MSG_NOSIGNAL);
		usleep(2000);
	}
	CHECK(w < 0 && (errno == EPIPE || errno == ECONNRESET));
	/* ... and then EPIPE with SIGPIPE, unless MSG_NOSIGNAL */
	signal(SIGPIPE, on_sigpipe);
	errno = 0;
	CHECK(send(c, tmp, 1, MSG_NOSIGNAL) < 0 && errno == EPIPE);
	CHECK(sigpipes == 0);
	CHECK(write(c, tmp, 1) < 0 && errno == EPIPE && sigpipes == 1);
	close(c);
	/* bind conflict */
	int s3 = socket(AF_INET, SOCK_STREAM, 0);
	a = lo(7001);
	errno = 0;
	CHECK(bind(s3, (struct sockaddr *)&a, sizeof a) < 0 &&
	      errno == EADDRINUSE);
	close(s3);

	/* UDP */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0),
	    u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a = lo(7002);
	CHECK(bind(u1, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(sendto(u2, "ping", 4, 0, (struct sockaddr *)&a, sizeof a) == 4);
	struct sockaddr_in from;
	socklen_t fl2 = sizeof from;
	char ub[16];
	CHECK(recvfrom(u1, ub, sizeof ub, 0, (struct sockaddr *)&from, &fl2) ==
		  4 &&
	      fl2 == sizeof from &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(sendto(u1, "pong", 4, 0, (struct sockaddr *)&from, fl2) == 4);
	CHECK(recv(u2, ub, sizeof ub, 0) == 4 && memcmp(ub, "pong", 4) == 0);
	/* connected UDP, sendmmsg/recvmmsg */
	CHECK(connect(u2, (struct sockaddr *)&a, sizeof a) == 0);
	struct iovec mi[2] = {{"one", 3}, {"three", 5}};
	struct mmsghdr mm[2] = {
	    {.msg_hdr = {.msg_iov = &mi[0], .msg_iovlen = 1}},
	    {.msg_hdr = {.msg_iov = &mi[1], .msg_iovlen = 1}}};
	CHECK(sendmmsg(u2, mm, 2, 0) == 2 && mm[0].msg_len == 3 &&
	      mm[1].msg_len == 5);
	char r1[8], r2[8];
	struct iovec ri[2] = {{r1, sizeof r1}, {r2, sizeof r2}};
	struct mmsghdr rm[2] = {
	    {.msg_hdr = {.msg_iov = &ri[0], .msg_iovlen = 1}},
	    {.msg_hdr = {.msg_iov = &ri[1], .msg_iovlen = 1}}};
	CHECK(recvmmsg(u1, rm, 2, 0, NULL) == 2 && rm[0].msg_len == 3 &&
	      rm[1].msg_len == 5 && memcmp(r2, "three", 5) == 0);
	close(u1);
	close(u2);

	/* errors */
	errno = 0;
	CHECK(socket(AF_INET6, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0);
	errno = 0;
	CHECK(bind(1, (struct sockaddr *)&a, sizeof a) < 0 &&
	      errno == ENOTSOCK);
	errno = 0;
	CHECK(listen(999, 1) < 0 && errno == EBADF);

	if (fails)
		printf("sockets: %d checks failed\n", fails);
	else
		printf("sockets: ok\n");
	return fails ? 1 : 0;
}
