/*
 * fds: file descriptors as POSIX defines them: lowest-free allocation,
 * dup/dup2/dup3/F_DUPFD, close-on-exec flags, O_NONBLOCK, generic
 * ioctls, paths that do not exist, pipes, and waiting for descriptors
 * with poll, select and epoll (level, edge and one-shot), from one
 * thread and across threads. Checks every result itself; plain POSIX C.
 *
 * Output: "fds: via dup" (written through a dup of stdout), one
 * "fds: FAIL ..." line per failed check, then "fds: ok" and exit 0, or
 * "fds: N checks failed" and exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("fds: FAIL %s:%d: %s (errno %d)\n", __func__,   \
			       __LINE__, #cond, errno);                        \
			failed++;                                              \
		}                                                              \
	} while (0)
/* The call fails with errno e. */
#define FAILS(call, e) CHECK((call) == -1 && errno == (e))

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_table(void)
{
	char c;
	int fd;

	CHECK((fcntl(0, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK((fcntl(1, F_GETFL) & O_ACCMODE) == O_WRONLY);
	CHECK(read(0, &c, 1) == 0); /* stdin is empty */
	FAILS(write(0, "x", 1), EBADF);
	FAILS(read(1, &c, 1), EBADF);
	fd = dup(1);
	CHECK(fd == 3);
	CHECK(write(fd, "fds: via dup\n", 13) == 13);
	CHECK(close(fd) == 0);
	FAILS(close(fd), EBADF);
	FAILS(close(-1), EBADF);
	FAILS(close(1 << 20), EBADF);
	CHECK(dup2(1, 10) == 10 && fcntl(10, F_GETFD) == 0);
	CHECK(dup3(1, 11, O_CLOEXEC) == 11 && fcntl(11, F_GETFD) == FD_CLOEXEC);
	CHECK(ioctl(11, FIONCLEX) == 0 && fcntl(11, F_GETFD) == 0);
	CHECK(ioctl(10, FIOCLEX) == 0 && fcntl(10, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(10, F_SETFD, 0) == 0 && fcntl(10, F_GETFD) == 0);
	FAILS(dup3(1, 1, 0), EINVAL);
	CHECK(dup2(1, 1) == 1);
	FAILS(dup2(99, 5), EBADF);
	FAILS(dup2(1, -1), EBADF);
	CHECK(fcntl(1, F_DUPFD, 20) == 20);
	CHECK(fcntl(1, F_DUPFD_CLOEXEC, 20) == 21);
	CHECK(fcntl(21, F_GETFD) == FD_CLOEXEC);
	CHECK(dup(1) == 3); /* lowest free again */
	for (int i = 3; i < 22; i++)
		close(i);
	FAILS(fcntl(1, 12345), EINVAL);
	FAILS(fcntl(42, F_GETFL), EBADF);
}

static void test_limits(void)
{
	int n = 0, fd, last = -1;

	while ((fd = eventfd(0, 0)) >= 0) {
		last = fd;
		n++;
	}
	CHECK(errno == EMFILE);
	CHECK(last == 4095 && n == 4093);
	for (fd = 3; fd <= last; fd++)
		close(fd);
	CHECK((fd = eventfd(0, 0)) == 3);
	close(fd);
}

static void test_misc(void)
{
	struct winsize ws;
	struct stat st;
	int p[2], n = -1;
	FILE *f;

	FAILS(ioctl(1, TIOCGWINSZ, &ws), ENOTTY);
	CHECK(!isatty(1));
	CHECK(fstat(1, &st) == 0 && S_ISCHR(st.st_mode));
	FAILS(lseek(1, 0, SEEK_CUR), ESPIPE);
	FAILS(open("/etc/resolv.conf", O_RDONLY), ENOENT);
	FAILS(open("/etc/hosts", O_RDONLY | O_CLOEXEC), ENOENT);
	FAILS(openat(AT_FDCWD, "relative", O_RDONLY), ENOENT);
	FAILS(stat("/etc/hosts", &st), ENOENT);
	FAILS(access("/etc/hosts", R_OK), ENOENT);
	f = fopen("/etc/hosts", "r");
	CHECK(f == NULL && errno == ENOENT);
	if (f)
		fclose(f);

	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(p[0], F_GETFL) == (O_RDONLY | O_NONBLOCK));
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	FAILS(read(p[0], &n, 1), EAGAIN);
	FAILS(lseek(p[0], 0, SEEK_SET), ESPIPE);
	FAILS(write(p[0], "x", 1), EBADF);
	FAILS(read(p[1], &n, 1), EBADF);
	CHECK(write(p[1], "hello", 5) == 5);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
	n = 0;
	CHECK(ioctl(p[0], FIONBIO, &n) == 0);
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	FAILS(pipe2(p, 0x12345678), EINVAL);
	close(p[0]);
	close(p[1]);
}

static void test_poll(void)
{
	struct pollfd fds[3];
	int p[2];
	double t0;

	CHECK(pipe(p) == 0);
	fds[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	fds[1] = (struct pollfd){.fd = -1, .events = POLLIN};
	fds[2] = (struct pollfd){.fd = 77, .events = POLLIN};
	CHECK(poll(fds, 3, 0) == 1 && fds[2].revents == POLLNVAL &&
	      fds[0].revents == 0 && fds[1].revents == 0);
	t0 = now_ms();
	CHECK(poll(fds, 1, 30) == 0);
	CHECK(now_ms() - t0 >= 25);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(poll(fds, 2, -1) == 1 && fds[0].revents == POLLIN);
	fds[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	CHECK(poll(fds, 2, 0) == 2 && fds[1].revents == POLLOUT);
	close(p[1]);
	CHECK(poll(fds, 1, 0) == 1 && fds[0].revents == (POLLIN | POLLHUP));
	close(p[0]);
}

static void test_select(void)
{
	fd_set r, w;
	struct timeval tv = {0, 20000};
	int p[2];

	CHECK(pipe(p) == 0);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 0 &&
	      !FD_ISSET(p[0], &r));
	CHECK(write(p[1], "x", 1) == 1);
	FD_SET(p[0], &r);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	tv = (struct timeval){1, 0};
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 2);
	CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	FD_SET(50, &r);
	FAILS(select(51, &r, NULL, NULL, &tv), EBADF);
	FAILS(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	close(p[0]);
	close(p[1]);
}

static int ep_wait(int ep, struct epoll_event *ev, int max, int ms)
{
	return epoll_wait(ep, ev, max, ms);
}

static void test_epoll_errors(void)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(EPOLL_CLOEXEC), ep2, p[2];

	CHECK(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
	FAILS(epoll_create1(0x1234), EINVAL);
	CHECK((ep2 = epoll_create(1)) >= 0 && close(ep2) == 0);
	ep2 = epoll_create1(0);
	CHECK(pipe(p) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	FAILS(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	FAILS(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
	FAILS(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
	FAILS(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev), EBADF);
	FAILS(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	FAILS(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	FAILS(epoll_ctl(ep, 99, p[1], &ev), EINVAL);
	CHECK(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev) == 0);
	FAILS(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), ELOOP);
	FAILS(epoll_wait(ep, &ev, 0, 0), EINVAL);
	FAILS(epoll_wait(p[0], &ev, 1, 0), EINVAL);
	/* Nested: ep2 sees ep become readable. */
	CHECK(ep_wait(ep2, &ev, 1, 0) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(ep_wait(ep2, &ev, 1, 0) == 1 && ev.events == EPOLLIN);
	/* Closing the only descriptor of a file removes its item. */
	close(p[0]);
	CHECK(ep_wait(ep, &ev, 1, 0) == 0);
	FAILS(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	close(p[1]);
	close(ep2);
	close(ep);
}

static void test_epoll_modes(void)
{
	struct epoll_event ev, out[4];
	int ep = epoll_create1(0), p[2];
	char buf[16];

	CHECK(pipe(p) == 0);
	/* Level-triggered: reported while readable. */
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 7};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	CHECK(ep_wait(ep, out, 4, 0) == 0);
	CHECK(write(p[1], "ab", 2) == 2);
	CHECK(ep_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 7 &&
	      out[0].events == EPOLLIN);
	CHECK(ep_wait(ep, out, 4, 0) == 1);
	CHECK(read(p[0], buf, sizeof(buf)) == 2);
	CHECK(ep_wait(ep, out, 4, 0) == 0);

	/* Edge-triggered: once per rise, and again on new data. */
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 8};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	CHECK(write(p[1], "a", 1) == 1);
	CHECK(ep_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 8);
	CHECK(ep_wait(ep, out, 4, 0) == 0);
	CHECK(write(p[1], "b", 1) == 1);
	CHECK(ep_wait(ep, out, 4, 0) == 1);
	CHECK(ep_wait(ep, out, 4, 0) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 2);
	CHECK(ep_wait(ep, out, 4, 0) == 0);
	CHECK(write(p[1], "c", 1) == 1);
	CHECK(ep_wait(ep, out, 4, 0) == 1);

	/* One-shot: disabled after one report until re-armed. */
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLONESHOT};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	CHECK(ep_wait(ep, out, 4, 0) == 1);
	CHECK(ep_wait(ep, out, 4, 0) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	CHECK(ep_wait(ep, out, 4, 0) == 1);

	/* Write end: EPOLLOUT; hangup once the writer is gone. */
	ev = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 9};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	CHECK(ep_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLOUT &&
	      out[0].data.u64 == 9);
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	close(p[1]);
	CHECK(ep_wait(ep, out, 4, 0) == 1 &&
	      out[0].events == (EPOLLIN | EPOLLHUP));
	close(p[0]);
	close(ep);
}

/* ---- waiting across threads ---- */

static void *write_later(void *arg)
{
	uint64_t one = 1;
	struct timespec ts = {0, 20000000};

	nanosleep(&ts, NULL);
	return (void *)(long)write((int)(long)arg, &one, sizeof(one));
}

static void test_epoll_many(void)
{
	struct epoll_event ev, out[8];
	int ep = epoll_create1(0), efd[200], n, seen = 0;
	uint64_t one = 1;
	pthread_t t;
	struct pollfd pfd;

	for (int i = 0; i < 200; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = i};
		CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd[i], &ev) == 0);
	}
	CHECK(ep_wait(ep, out, 8, 0) == 0);
	for (int i = 17; i < 200; i += 70)
		CHECK(write(efd[i], &one, sizeof(one)) == 8);
	n = ep_wait(ep, out, 8, -1);
	CHECK(n == 3);
	for (int i = 0; i < n; i++)
		seen |= out[i].data.u32 == 17	 ? 1
			: out[i].data.u32 == 87	 ? 2
			: out[i].data.u32 == 157 ? 4
						 : 8;
	CHECK(seen == 7);
	for (int i = 17; i < 200; i += 70)
		CHECK(read(efd[i], &one, sizeof(one)) == 8);
	/* Blocked in epoll_wait until another thread writes. */
	CHECK(pthread_create(&t, NULL, write_later, (void *)(long)efd[5]) == 0);
	CHECK(ep_wait(ep, out, 8, 5000) == 1 && out[0].data.u32 == 5);
	pthread_join(t, NULL);
	CHECK(read(efd[5], &one, sizeof(one)) == 8);
	/* Blocked in poll the same way. */
	pfd = (struct pollfd){.fd = efd[6], .events = POLLIN};
	CHECK(pthread_create(&t, NULL, write_later, (void *)(long)efd[6]) == 0);
	CHECK(poll(&pfd, 1, 5000) == 1 && pfd.revents == POLLIN);
	pthread_join(t, NULL);
	for (int i = 0; i < 200; i++)
		close(efd[i]);
	CHECK(ep_wait(ep, out, 8, 0) == 0);
	close(ep);
}

int main(void)
{
	test_table();
	test_limits();
	test_misc();
	test_poll();
	test_select();
	test_epoll_errors();
	test_epoll_modes();
	test_epoll_many();
	if (failed) {
		printf("fds: %d checks failed\n", failed);
		return 1;
	}
	printf("fds: ok\n");
	return 0;
}
