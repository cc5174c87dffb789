/*
 * first-response: boot-to-first-response time of an HTTP server, for
 * tools/bench-net.sh.
 *
 *   first-response -n RUNS -a ADDR -p PORT [-o OUT.json] [-l LABEL]
 *                  [-N NETNS] -- CMD [ARGS...]
 *
 * Each run starts CMD (fork + exec, its output to /dev/null; with -N in
 * network namespace NETNS, entered with setns() rather than through
 * `ip netns exec`, which alone costs milliseconds) and at once polls
 * ADDR:PORT: a new non-blocking connect() every 1 ms, up to 8 in
 * flight, and "GET /" (20 ms to answer) on whichever connects, until a
 * "HTTP/1.1 200" arrives (10 s at most). The time from just before the
 * fork to that response is the sample. Then CMD gets SIGTERM (unless it
 * already exited) and is waited for. Overlapping attempts, not the
 * kernel's retries: a SYN that reaches a server not yet listening is
 * lost and resent only after 1 s. (Every 1 ms: attempts every 250 us
 * measured 1 ms slower boots, the SYNs themselves keeping a booting
 * guest busy.) Run it with the guest's neighbour entry in place, so
 * that no ARP exchange is measured either.
 *
 * Prints "LABEL: median X ms, p90 Y ms, min Z ms (N runs)" and with -o
 * writes the samples as JSON. Exit status 0, or 1 (one line) when a run
 * gets no response in time or a command cannot be started.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *netns;

/* Starts argv with stdout/stderr on /dev/null, in netns if set. */
static pid_t start(char **argv)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	if (netns) {
		char path[512];
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(126);
	}
	execvp(argv[0], argv);
	_exit(127);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "first-response: %s\n", what);
	exit(1);
}

/* GET / on the connected fd: a 200 within 20 ms? */
static int get_ok(int fd)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[64];
	size_t got = 0;
	double until = now_ms() + 20;

	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(req) - 1)
		return 0;
	while (got < 12) {
		int left = (int)(until - now_ms()) + 1;
		if (left <= 0 || poll(&p, 1, left) != 1)
			return 0;
		ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return strncmp(buf, "HTTP/1.1 200", 12) == 0;
}

/* Connection attempts in flight: a SYN the server was not ready for is
 * simply lost (the kernel would resend it only after 1 s), so a new
 * attempt starts every SYN_EVERY_US while the older ones stay open; the
 * first to connect and answer 200 ends the wait. */
#define IN_FLIGHT    8
#define SYN_EVERY_US 1000

static struct pollfd fl[IN_FLIGHT];
static int nfl;

static void drop(int i)
{
	close(fl[i].fd);
	fl[i] = fl[--nfl];
}

static void drop_all(void)
{
	while (nfl)
		drop(0);
}

static void start_attempt(const struct sockaddr_in *a)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket() failed");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 &&
	    errno != EINPROGRESS) {
		close(fd); /* refused at once: the next one will do */
		return;
	}
	if (nfl == IN_FLIGHT)
		drop(0);
	fl[nfl++] = (struct pollfd){.fd = fd, .events = POLLOUT};
}

/* Polls until the next attempt is due: 1 when a 200 came back. */
static int poll_attempts(void)
{
	struct timespec ts = {.tv_nsec = SYN_EVERY_US * 1000};

	if (ppoll(fl, (nfds_t)nfl, &ts, NULL) <= 0)
		return 0;
	for (int i = nfl - 1; i >= 0; i--) {
		if (!fl[i].revents)
			continue;
		int err = 0;
		socklen_t l = sizeof(err);
		if (getsockopt(fl[i].fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 ||
		    err || !get_ok(fl[i].fd)) {
			drop(i);
			continue;
		}
		return 1;
	}
	return 0;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	int runs = 20, opt;
	const char *out = NULL, *label = "first response";
	struct sockaddr_in a = {.sin_family = AF_INET};

	while ((opt = getopt(argc, argv, "+n:a:p:o:l:N:")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &a.sin_addr) != 1)
				die("-a wants an IPv4 address");
			break;
		case 'p':
			a.sin_port = htons((uint16_t)atoi(optarg));
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'N':
			netns = optarg;
			break;
		default:
			die("usage: first-response -n RUNS -a ADDR -p PORT [-o "
			    "OUT.json] [-l LABEL] [-N NETNS] -- CMD [ARGS...]");
		}
	}
	if (optind >= argc || runs < 1 || !a.sin_port || !a.sin_addr.s_addr)
		die("usage: first-response -n RUNS -a ADDR -p PORT [-o "
		    "OUT.json] [-l LABEL] [-N NETNS] -- CMD [ARGS...]");

	double *ms = calloc((size_t)runs, sizeof(double));
	if (!ms)
		die("out of memory");

	for (int r = 0; r < runs; r++) {
		pid_t pid;
		int st;
		double t0 = now_ms(), t = 0;

		pid = start(argv + optind);
		if (pid < 0)
			die("cannot start the command (fork)");
		for (;;) {
			start_attempt(&a);
			if (poll_attempts())
				break;
			if (now_ms() - t0 > 10000) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				die("no HTTP 200 within 10 s of the start");
			}
			if (waitpid(pid, &st, WNOHANG) == pid)
				die(WIFEXITED(st) && WEXITSTATUS(st) >= 126
					? "the command could not be started"
					: "the command exited before "
					  "answering");
		}
		t = now_ms() - t0;
		ms[r] = t;
		drop_all();
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}

	double *s = malloc(sizeof(double) * (size_t)runs);
	if (!s)
		die("out of memory");
	memcpy(s, ms, sizeof(double) * (size_t)runs);
	qsort(s, (size_t)runs, sizeof(double), cmp);
	double med =
	    runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
	int r90 = (int)(0.9 * runs + 0.999999);
	double p90 = s[(r90 < 1 ? 1 : r90) - 1];
	printf("%s: median %.2f ms, p90 %.2f ms, min %.2f ms (%d runs)\n",
	       label, med, p90, s[0], runs);
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f)
			die("cannot write the output file");
		fprintf(
		    f,
		    "{\"label\": \"%s\", \"runs\": %d, \"median_ms\": %.4f, "
		    "\"p90_ms\": %.4f, \"min_ms\": %.4f, \"samples_ms\": [",
		    label, runs, med, p90, s[0]);
		for (int r = 0; r < runs; r++)
			fprintf(f, "%s%.4f", r ? ", " : "", ms[r]);
		fprintf(f, "]}\n");
		fclose(f);
	}
	return 0;
}
