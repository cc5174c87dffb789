/*
 * fetch: download one URL over HTTP/1.1 and write its body to stdout.
 * Plain POSIX C (getaddrinfo, connect, send, recv): nothing here knows it
 * runs on Ember.
 *
 *   fetch [-t SECONDS] http://HOST[:PORT][/PATH]
 *
 * HOST is a name (resolved with getaddrinfo: /etc/hosts, then the DNS
 * servers of /etc/resolv.conf) or an IPv4 address. The body may be framed
 * by Content-Length, chunked transfer coding, or the end of the
 * connection. -t bounds each connect/send/recv (default 10 s).
 *
 * Exit status (with one "fetch: " line on stderr for every non-zero one):
 *   0 the server answered 200 and the whole body was written
 *   1 bad usage or URL
 *   2 the name did not resolve
 *   3 no connection (refused, unreachable, timed out)
 *   4 the transfer failed: timeout, reset, malformed or truncated response
 *   5 the server answered with a status other than 200 (body not printed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum { OK, E_USAGE, E_RESOLVE, E_CONNECT, E_TRANSFER, E_STATUS };

#define BUF_SIZE 65536

static char buf[BUF_SIZE];
static size_t buf_off, buf_len;
static int sock = -1;
static const char *url;

__attribute__((format(printf, 2, 3), noreturn)) static void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fetch: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(status);
}

/* Refills buf; false at the end of the stream. */
static bool fill(void)
{
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		if (n > 0) {
			buf_off = 0;
			buf_len = (size_t)n;
			return true;
		}
		if (n == 0)
			return false;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			die(E_TRANSFER, "%s: timed out waiting for the server",
			    url);
		die(E_TRANSFER, "%s: receive failed: %s", url, strerror(errno));
	}
}

/* One line (CRLF or LF stripped) into line[cap]; false at EOF. */
static bool get_line(char *line, size_t cap)
{
	size_t n = 0;

	for (;;) {
		if (buf_off == buf_len && !fill())
			return false;
		char c = buf[buf_off++];
		if (c == '\n')
			break;
		if (n + 1 >= cap)
			die(E_TRANSFER, "%s: response header line too long",
			    url);
		line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return true;
}

static void put(const char *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n)
		die(E_TRANSFER, "cannot write the body to stdout: %s",
		    strerror(errno));
}

/* Copies len body bytes (or everything up to EOF when len < 0). */
static void copy_body(int64_t len)
{
	while (len != 0) {
		if (buf_off == buf_len && !fill()) {
			if (len > 0)
				die(E_TRANSFER,
				    "%s: connection closed before "
				    "the end of the body",
				    url);
			return;
		}
		size_t n = buf_len - buf_off;
		if (len > 0 && (uint64_t)len < n)
			n = (size_t)len;
		put(buf + buf_off, n);
		buf_off += n;
		if (len > 0)
			len -= (int64_t)n;
	}
}

static void copy_chunked(void)
{
	char line[256];

	for (;;) {
		char *end;
		if (!get_line(line, sizeof(line)))
			die(E_TRANSFER, "%s: truncated chunked body", url);
		errno = 0;
		unsigned long long n = strtoull(line, &end, 16);
		if (end == line || errno || (*end && *end != ';') ||
		    n > INT64_MAX)
			die(E_TRANSFER, "%s: bad chunk size line", url);
		if (n == 0)
			break;
		copy_body((int64_t)n);
		if (!get_line(line, sizeof(line)) || line[0])
			die(E_TRANSFER, "%s: bad chunk terminator", url);
	}
	while (get_line(line, sizeof(line)) && line[0]) /* trailers */
		;
}

static void connect_to(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM},
			*res, *ai;
	int err = getaddrinfo(host, port, &hints, &res), saved = 0;

	if (err)
		die(E_RESOLVE, "cannot resolve %s: %s", host,
		    gai_strerror(err));
	for (ai = res; ai; ai = ai->ai_next) {
		sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (sock < 0) {
			saved = errno;
			continue;
		}
		if (connect(sock, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(sock);
		sock = -1;
	}
	freeaddrinfo(res);
	if (sock < 0)
		die(E_CONNECT, "cannot connect to %s port %s: %s", host, port,
		    strerror(saved));
}

int main(int argc, char **argv)
{
	struct timeval tmo = {.tv_sec = 10};
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't' || atoi(optarg) <= 0)
			die(E_USAGE, "usage: fetch [-t SECONDS] %s",
			    "http://HOST[:PORT][/PATH]");
		tmo.tv_sec = atoi(optarg);
	}
	if (optind + 1 != argc)
		die(E_USAGE, "usage: fetch [-t SECONDS] %s",
		    "http://HOST[:PORT][/PATH]");
	url = argv[optind];

	/* http://HOST[:PORT][/PATH] */
	char host[256], port[8] = "80";
	const char *p = url, *path;
	if (strncasecmp(p, "http://", 7) != 0)
		die(E_USAGE, "%s: only http:// URLs are supported", url);
	p += 7;
	size_t hl = strcspn(p, ":/?#");
	if (hl == 0 || hl >= sizeof(host))
		die(E_USAGE, "%s: bad host", url);
	memcpy(host, p, hl);
	host[hl] = '\0';
	p += hl;
	if (*p == ':') {
		size_t pl = strspn(p + 1, "0123456789");
		if (pl == 0 || pl > 5 || atoi(p + 1) > 65535 ||
		    (p[1 + pl] && p[1 + pl] != '/'))
			die(E_USAGE, "%s: bad port", url);
		memcpy(port, p + 1, pl);
		port[pl] = '\0';
		p += 1 + pl;
	}
	path = *p ? p : "/";
	if (*path != '/')
		die(E_USAGE, "%s: bad path", url);

	connect_to(host, port);
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));

	char req[4096];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s%s%s\r\n"
			 "User-Agent: ember-fetch\r\nAccept: */*\r\n"
			 "Connection: close\r\n\r\n",
			 path, host, strcmp(port, "80") ? ":" : "",
			 strcmp(port, "80") ? port : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		die(E_USAGE, "%s: URL too long", url);
	for (int off = 0; off < n;) {
		ssize_t w =
		    send(sock, req + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die(E_TRANSFER, "cannot send the request: %s",
			    strerror(errno));
		off += (int)w;
	}

	char line[8192];
	int status;
	/* Skip 1xx interim responses. */
	do {
		if (!get_line(line, sizeof(line)))
			die(E_TRANSFER,
			    "%s: the server closed the connection "
			    "without a response",
			    url);
		if (sscanf(line, "HTTP/1.%*d %3d", &status) != 1)
			die(E_TRANSFER, "%s: not an HTTP response", url);
		bool interim = status >= 100 && status < 200;
		int64_t len = -1;
		bool chunked = false;
		while (get_line(line, sizeof(line)) && line[0]) {
			if (strncasecmp(line, "content-length:", 15) == 0)
				len = strtoll(line + 15, NULL, 10);
			else if (strncasecmp(line, "transfer-encoding:", 18) ==
				     0 &&
				 strcasestr(line + 18, "chunked"))
				chunked = true;
		}
		if (interim)
			continue;
		if (status != 200) {
			die(E_STATUS, "%s: the server answered %d", url,
			    status);
		}
		if (chunked)
			copy_chunked();
		else
			copy_body(len);
	} while (status >= 100 && status < 200);
	if (fflush(stdout) != 0)
		die(E_TRANSFER, "cannot write the body to stdout: %s",
		    strerror(errno));
	return OK;
}
