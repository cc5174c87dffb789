/*
 * httpd: a small HTTP/1.1 server in plain POSIX C with epoll. Nothing in
 * it knows about Ember: the same source is built with ember-cc into
 * build/apps/httpd.ember and with gcc into build/native/httpd, the
 * benchmark baseline.
 *
 *   httpd [-p PORT] [-b BYTES] [-m BYTES] [-n REQUESTS]
 *
 *   -p PORT   TCP port (default 8080; 0 picks a free one)
 *   -b BYTES  per-connection buffer, each direction (default 32768)
 *   -m BYTES  memory for all connection buffers (default 32 MiB): when
 *             it is used up, new connections are closed at once
 *   -n N      exit with status 0 after answering N requests
 *
 * Routes: GET|HEAD / (a static page), GET|HEAD /json (a small JSON
 * document with the request count and uptime), POST /echo (the request
 * body, streamed back: any size, bounded memory), 404 otherwise.
 * Keep-alive is the default for HTTP/1.1 ("Connection: close" ends it);
 * pipelined requests are answered in order, several per write. Request
 * bodies need Content-Length: chunked uploads get 411 and other
 * transfer codings 501, then the connection is closed.
 *
 * Prints "httpd: listening on :PORT" once ready. SIGINT/SIGTERM stop it
 * (status 0). With -n, the Nth response says "Connection: close" and
 * httpd exits once that client has closed its side too (at most 2 s),
 * so the response is not lost with the process: in a unikernel, the
 * network stack goes with it. Exit status 1: bad usage; 2: cannot
 * listen or set up.
 *
 * Sources: httpd.c (start-up, event loop, connections and their I/O),
 * httpd_proto.c (requests to responses), httpd_parse.c (request heads),
 * httpd.h (what they share).
 *
 * Design: one thread, level-triggered epoll, non-blocking sockets. Each
 * connection owns one input and one output buffer, allocated once and
 * recycled through a free list (no allocation per request). Responses
 * are appended to the output buffer and sent with one send() per batch,
 * so a burst of pipelined requests costs one system call. A connection
 * stops reading while its output cannot drain (back-pressure), which is
 * what bounds the memory of a 16 MiB echo. A connection that ends after
 * a response is shut down for writing first and closed when the client
 * closes too (a lingering close, at most LINGER_MS): closing with unread
 * input would reset the connection and could destroy the response.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

#define MAX_EVENTS 256
/* Reads per wakeup of one connection, so one fast sender cannot
 * starve the others (level-triggered epoll reports it again). */
#define READS_PER_EVENT 8
/* How long a lingering close waits for the client's end. */
#define LINGER_MS 2000

size_t buf_size = 32768;
static size_t mem_limit = 32u << 20, mem_used;
uint64_t max_requests, requests;
struct timespec started;
static struct conn *free_conns;
static struct conn *lingering; /* connections in a lingering close */
bool finished;		       /* -n N: the Nth request was answered */
static int epfd;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ---- buffers and connections ----------------------------------------- */

static struct conn *conn_new(int fd)
{
	struct conn *c = free_conns;

	if (c) {
		free_conns = c->next_free;
	} else {
		if (mem_used + 2 * buf_size > mem_limit)
			return NULL;
		c = malloc(sizeof(*c) + 2 * buf_size);
		if (!c)
			return NULL;
		mem_used += 2 * buf_size;
		c->in = (char *)(c + 1);
		c->out = c->in + buf_size;
	}
	c->fd = fd;
	c->events = 0;
	c->state = READ_HEAD;
	c->rd_eof = c->close_after = c->lingering = false;
	c->body_left = 0;
	c->in_off = c->in_len = c->out_off = c->out_len = 0;
	return c;
}

static void conn_close(struct conn *c)
{
	if (c->lingering) {
		if (c->linger_prev)
			c->linger_prev->linger_next = c->linger_next;
		else
			lingering = c->linger_next;
		if (c->linger_next)
			c->linger_next->linger_prev = c->linger_prev;
	}
	close(c->fd); /* also removes it from the epoll set */
	c->next_free = free_conns;
	free_conns = c;
}

int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- I/O --------------------------------------------------------------- */

/* Sends pending output: 1 all sent, 0 would block, -1 error. */
static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		} else {
			return -1;
		}
	}
	c->out_off = c->out_len = 0;
	return 1;
}

static void set_events(struct conn *c, uint32_t ev)
{
	if (ev == c->events)
		return;
	struct epoll_event e = {.events = ev, .data.ptr = c};
	c->events = ev;
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
}

/* Everything is sent and the connection ends: shut down our side and
 * close when the client has closed its own (or LINGER_MS passed). */
static void conn_linger(struct conn *c)
{
	if (shutdown(c->fd, SHUT_WR) < 0 || c->rd_eof) {
		conn_close(c);
		return;
	}
	c->lingering = true;
	c->linger_until = now_ms() + LINGER_MS;
	c->linger_prev = NULL;
	c->linger_next = lingering;
	if (lingering)
		lingering->linger_prev = c;
	lingering = c;
	set_events(c, EPOLLIN);
}

/* A lingering connection is readable: discard, close at EOF. */
static void linger_run(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in, buf_size, 0);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    now_ms() < c->linger_until)
			return;
		conn_close(c);
		return;
	}
}

/* Closes the lingering connections whose time is up. */
static void linger_sweep(void)
{
	int64_t now = now_ms();

	for (struct conn *c = lingering, *next; c; c = next) {
		next = c->linger_next;
		if (now >= c->linger_until)
			conn_close(c);
	}
}

/* Everything a readiness event on c can do now. */
static void conn_run(struct conn *c)
{
	int reads = 0;

	if (c->lingering) {
		linger_run(c);
		return;
	}
	for (;;) {
		bool full = process(c);
		int sent = flush(c);
		if (sent < 0) {
			conn_close(c);
			return;
		}
		if (c->close_after && sent && c->state == READ_HEAD) {
			conn_linger(c);
			return;
		}
		if (!sent)
			break; /* wait for EPOLLOUT; reading on only fills in */
		if (full)
			continue; /* output drained: answer what is buffered */
		if (c->in_off > 0 && c->in_len == buf_size) {
			memmove(c->in, c->in + c->in_off,
				c->in_len - c->in_off);
			c->in_len -= c->in_off;
			c->in_off = 0;
		}
		if (c->rd_eof || c->in_len == buf_size ||
		    reads == READS_PER_EVENT)
			break;
		ssize_t n =
		    recv(c->fd, c->in + c->in_len, buf_size - c->in_len, 0);
		reads++;
		if (n > 0) {
			c->in_len += (size_t)n;
		} else if (n == 0) {
			c->rd_eof = true;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else if (errno != EINTR) {
			conn_close(c);
			return;
		}
	}
	bool pending = c->out_off < c->out_len;
	if (c->rd_eof && !pending) {
		/* Nothing more can arrive and all is answered. */
		conn_close(c);
		return;
	}
	/* Level-triggered: while output is stuck, only EPOLLOUT matters;
	 * otherwise input (reported again if READS_PER_EVENT cut it). */
	set_events(c, pending ? EPOLLOUT : EPOLLIN);
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of descriptors: retry later */
		}
		struct conn *c = conn_new(fd);
		if (!c) {
			close(fd); /* over the memory limit */
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
		c->events = EPOLLIN;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
			conn_close(c);
	}
}

/* ---- start-up --------------------------------------------------------- */

static int listen_on(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_ANY)};
	socklen_t alen = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("httpd: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		fprintf(stderr, "httpd: cannot listen on port %d: %s\n", port,
			strerror(errno));
		close(fd);
		return -1;
	}
	printf("httpd: listening on :%d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static bool parse_num(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s >= '0' && *s <= '9' && !*end && !errno && *out <= max;
}

static void usage(void)
{
	fprintf(stderr, "usage: httpd [-p PORT] [-b BYTES] [-m BYTES] "
			"[-n REQUESTS]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned long long port = 8080, v;
	int opt;

	while ((opt = getopt(argc, argv, "p:b:m:n:")) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_num(optarg, 65535, &port))
				usage();
			break;
		case 'b':
			if (!parse_num(optarg, 1u << 30, &v) ||
			    v < 4 * HEAD_ROOM)
				usage();
			buf_size = (size_t)v;
			break;
		case 'm':
			if (!parse_num(optarg, SIZE_MAX / 2, &v))
				usage();
			mem_limit = (size_t)v;
			break;
		case 'n':
			if (!parse_num(optarg, ULLONG_MAX, &v))
				usage();
			max_requests = v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &started);

	int lfd = listen_on((int)port);
	if (lfd < 0)
		return 2;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event le = {.events = EPOLLIN, .data.ptr = NULL};
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &le) < 0) {
		perror("httpd: epoll");
		return 2;
	}

	static struct epoll_event ev[MAX_EVENTS];
	int64_t exit_by = 0;
	while (!stopping) {
		if (finished && !exit_by) {
			/* -n: no new connections; wait for the last
			 * response's lingering close. */
			exit_by = now_ms() + LINGER_MS;
			epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL);
		}
		if (exit_by && (!lingering || now_ms() >= exit_by))
			break;
		int n = epoll_wait(epfd, ev, MAX_EVENTS, lingering ? 100 : -1);
		if (n < 0 && errno != EINTR) {
			perror("httpd: epoll_wait");
			return 2;
		}
		for (int i = 0; i < n && !stopping; i++) {
			if (ev[i].data.ptr)
				conn_run(ev[i].data.ptr);
			else if (!exit_by)
				accept_all(lfd);
		}
		if (lingering)
			linger_sweep();
	}
	close(lfd);
	return 0;
}
