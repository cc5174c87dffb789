/*
 * udp-echo: sends every UDP datagram it receives back to its sender,
 * unchanged. Plain POSIX C: nothing here knows it runs on Ember.
 *
 *   udp-echo [-p PORT] [-n DATAGRAMS]
 *
 *   -p PORT  UDP port (default 7777; 0 picks a free one)
 *   -n N     exit with status 0 after echoing N datagrams
 *
 * Prints "udp-echo: listening on :PORT" once ready. Exit status 1: bad
 * usage; 2: cannot bind or receive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

static void usage(void)
{
	fprintf(stderr, "usage: udp-echo [-p PORT] [-n DATAGRAMS]\n");
	exit(1);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	unsigned long port = 7777, limit = 0, count = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) {
		if (opt == 'p')
			port = num(optarg, 65535);
		else if (opt == 'n')
			limit = num(optarg, (unsigned long)-1);
		else
			usage();
	}
	if (optind != argc)
		usage();

	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_ANY)};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		fprintf(stderr, "udp-echo: cannot bind UDP port %lu: %s\n",
			port, strerror(errno));
		return 2;
	}
	printf("udp-echo: listening on :%d\n", ntohs(a.sin_port));
	fflush(stdout);

	while (!limit || count < limit) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "udp-echo: receive failed: %s\n",
				strerror(errno));
			return 2;
		}
		/* A lost reply is the client's to retry, as with any UDP. */
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
		count++;
	}
	return 0;
}
