/*
 * conns: N concurrent keep-alive HTTP/1.1 connections, for the network
 * suites (tests/net*.bats).
 *
 *   conns [-r ROUNDS] [-H HOLD_MS] [-p PATH] ADDR PORT N
 *
 * Opens N TCP connections to ADDR:PORT and waits until every one of them
 * is established, so that all N are open at once. Then, ROUNDS times (1
 * by default), sends "GET PATH" on every connection and reads every
 * response; each must be "200" and keep the connection open. Finally
 * holds the connections open for HOLD_MS (default 0) and reports how
 * many the server closed meanwhile.
 *
 * Prints "conns: N connections x ROUNDS rounds: M responses 200" and
 * exits 0; or one "conns: " line saying what went wrong and exits 1.
 * Everything must finish within 30 s.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define RESP_MAX  8192

struct conn {
	int fd;
	size_t len; /* bytes of the current response so far */
	bool done;
	char buf[RESP_MAX];
};

static struct conn *conns;
static struct pollfd *pfds;
static int n;
static double deadline;

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "conns: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int wait_ms(void)
{
	double left = deadline - now();

	if (left <= 0)
		return 0;
	return (int)(left * 1000) + 1;
}

/* A complete response in c->buf? Checks it: 200, no "Connection:
 * close". */
static bool response_complete(struct conn *c, int i)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return false;
	*end = '\0';
	char *cl = strcasestr(c->buf, "\r\ncontent-length:");
	size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
	size_t need = (size_t)(end + 4 - c->buf) + body;
	if (c->len < need) {
		*end = '\r';
		return false;
	}
	if (strncmp(c->buf, "HTTP/1.1 200 ", 13) != 0)
		die("connection %d: response '%.40s' is not 200", i, c->buf);
	if (strcasestr(c->buf, "\r\nconnection: close"))
		die("connection %d: the server closes a keep-alive connection",
		    i);
	if (c->len != need)
		die("connection %d: %zu bytes more than one response", i,
		    c->len - need);
	return true;
}

static void connect_all(const struct sockaddr_in *a)
{
	int pending = n;

	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 &&
		    errno != EINPROGRESS)
			die("connection %d: connect: %s", i, strerror(errno));
		conns[i].fd = fd;
		pfds[i] = (struct pollfd){.fd = fd, .events = POLLOUT};
	}
	while (pending > 0) {
		int r = poll(pfds, (nfds_t)n, wait_ms());
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r == 0)
			die("%d of %d connections not established in time",
			    pending, n);
		for (int i = 0; i < n; i++) {
			if (!pfds[i].revents)
				continue;
			int err = 0;
			socklen_t l = sizeof(err);
			getsockopt(pfds[i].fd, SOL_SOCKET, SO_ERROR, &err, &l);
			if (err)
				die("connection %d: %s", i, strerror(err));
			pfds[i].fd = -pfds[i].fd - 1; /* poll ignores it */
			pending--;
		}
	}
}

static void round_trip(const char *req)
{
	size_t rl = strlen(req);
	int pending = n;

	for (int i = 0; i < n; i++) {
		/* A short request fits any fresh socket buffer at once. */
		if (send(conns[i].fd, req, rl, MSG_NOSIGNAL) != (ssize_t)rl)
			die("connection %d: send: %s", i, strerror(errno));
		conns[i].len = 0;
		conns[i].done = false;
		pfds[i] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
	}
	while (pending > 0) {
		int r = poll(pfds, (nfds_t)n, wait_ms());
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r == 0)
			die("%d of %d responses missing after the time limit",
			    pending, n);
		for (int i = 0; i < n; i++) {
			struct conn *c = &conns[i];
			if (!pfds[i].revents || c->done)
				continue;
			ssize_t got = recv(c->fd, c->buf + c->len,
					   RESP_MAX - 1 - c->len, 0);
			if (got == 0)
				die("connection %d: closed by the server", i);
			if (got < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				die("connection %d: recv: %s", i,
				    strerror(errno));
			}
			c->len += (size_t)got;
			if (response_complete(c, i)) {
				c->done = true;
				pfds[i].fd = -c->fd - 1;
				pending--;
			}
		}
	}
}

/* Holds the connections for ms; returns how many the server closed. */
static int hold(int ms)
{
	int closed = 0;
	double until = now() + ms / 1000.0;

	for (int i = 0; i < n; i++)
		pfds[i] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
	while (ms > 0 && closed < n && now() < until) {
		int r =
		    poll(pfds, (nfds_t)n, (int)((until - now()) * 1000) + 1);
		if (r <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char b[256];
			if (pfds[i].revents &&
			    recv(conns[i].fd, b, sizeof(b), 0) <= 0) {
				closed++;
				pfds[i].fd = -1;
			}
		}
	}
	return closed;
}

int main(int argc, char **argv)
{
	int rounds = 1, hold_ms = 0, opt;
	const char *path = "/json";

	while ((opt = getopt(argc, argv, "r:H:p:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'H')
			hold_ms = atoi(optarg);
		else if (opt == 'p')
			path = optarg;
		else
			die("usage: conns [-r ROUNDS] [-H HOLD_MS] [-p PATH] "
			    "ADDR PORT N");
	}
	if (argc - optind != 3)
		die("usage: conns [-r ROUNDS] [-H HOLD_MS] [-p PATH] ADDR "
		    "PORT N");
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port =
				    htons((uint16_t)atoi(argv[optind + 1]))};
	if (inet_pton(AF_INET, argv[optind], &a.sin_addr) != 1)
		die("bad IPv4 address '%s'", argv[optind]);
	n = atoi(argv[optind + 2]);
	if (n < 1 || n > MAX_CONNS || rounds < 1 || hold_ms < 0)
		die("bad N, ROUNDS or HOLD_MS");
	conns = calloc((size_t)n, sizeof(*conns));
	pfds = calloc((size_t)n, sizeof(*pfds));
	if (!conns || !pfds)
		die("out of memory");

	char req[512];
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path,
		 argv[optind]);
	deadline = now() + 30;
	connect_all(&a);
	for (int r = 0; r < rounds; r++)
		round_trip(req);
	printf("conns: %d connections x %d rounds: %d responses 200\n", n,
	       rounds, n * rounds);
	if (hold_ms) {
		fflush(stdout);
		printf(
		    "conns: %d connections closed by the server while held\n",
		    hold(hold_ms));
	}
	return 0;
}
