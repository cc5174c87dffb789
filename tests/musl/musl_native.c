/* Native check of Ember's rebuilt musl (build/lib/musl).
 *
 * Linked with crt1.o, libc.a and a test-only ember_syscall that forwards to
 * Linux (ember_syscall_linux.c), it runs as an ordinary process. It checks
 * that libc works on top of the function-call syscalls (stdio, printf %f,
 * malloc, time, sockets) and that each musl file we replaced passes the
 * right syscall number and arguments: syscall_arch.h (everything),
 * __set_thread_area, syscall_cp (incl. cancellation), clone, vfork,
 * __restore_rt and __unmapself.
 * Prints "musl: N passed, M failed"; exit status 1 if anything failed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ember_test.h"

#define ARCH_SET_FS 0x1002 /* <asm/prctl.h>, not in musl's headers */

/* musl internal, not hidden: unmaps (base, size) and exits the thread. */
void __unmapself(void *base, size_t size);

/* Referencing pthread_cancel links musl's cancellation, so cancellation
 * points (read, write, sendto, nanosleep...) go through __syscall_cp_asm. */
int (*volatile keep_cancel)(pthread_t) = pthread_cancel;

static int passed, failed;

static void check(int ok, const char *name)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s\n", name);
}

static const struct call_log *calls(long n)
{
	return &ember_test_calls[n];
}

static _Thread_local int tls_value = 42;

static void test_tls(void)
{
	check(calls(SYS_arch_prctl)->count == 1 &&
		  calls(SYS_arch_prctl)->arg[1] == ARCH_SET_FS &&
		  calls(SYS_arch_prctl)->arg[2] == (long)pthread_self(),
	      "__set_thread_area: arch_prctl(ARCH_SET_FS, self)");
	check(tls_value == 42, "TLS initialised");
	errno = 0;
	check(close(-1) == -1 && errno == EBADF, "errno through TLS");
}

static void test_stdio(void)
{
	char buf[64];

	check(printf("hello from musl %d\n", 42) == 19 && fflush(stdout) == 0,
	      "printf");
	check(calls(SYS_writev)->count > 0 && calls(SYS_writev)->arg[1] == 1,
	      "stdout writes through ember_syscall");
	snprintf(buf, sizeof buf, "%.3f|%f|%e|%g", 3.14159, -2.5, 12345.678,
		 0.0001);
	check(strcmp(buf, "3.142|-2.500000|1.234568e+04|0.0001") == 0,
	      "snprintf %f %e %g");
	check(strtod("6.25e-1", NULL) == 0.625, "strtod");
}

static void test_malloc(void)
{
	enum { N = 1000, BIG = 4 << 20 };
	static unsigned char *p[N];
	int ok = 1;

	for (int i = 0; i < N; i++) {
		p[i] = malloc(1 + i * 7);
		if (p[i])
			memset(p[i], i & 0xff, 1 + i * 7);
		ok &= p[i] != NULL;
	}
	for (int i = 0; ok && i < N; i++)
		ok &= p[i][i * 7] == (i & 0xff);
	for (int i = 0; i < N; i++)
		free(p[i]);
	check(ok, "malloc/free of 1000 blocks");

	unsigned char *big = malloc(BIG);
	check(big != NULL, "malloc 4 MiB");
	if (big) {
		memset(big, 0xa5, BIG);
		unsigned char *bigger = realloc(big, 2 * BIG);
		check(bigger && bigger[BIG - 1] == 0xa5,
		      "realloc keeps contents");
		free(bigger ? bigger : big);
	}
	int *z = calloc(1000, sizeof *z);
	check(z && z[0] == 0 && z[999] == 0, "calloc zeroes");
	free(z);
	check(calls(SYS_mmap)->count > 0 || calls(SYS_brk)->count > 0,
	      "heap through ember_syscall");
}

static void test_time(void)
{
	struct timespec a, b, nap = {0, 1000000};
	long before = calls(SYS_clock_gettime)->count;

	check(clock_gettime(CLOCK_MONOTONIC, &a) == 0 &&
		  nanosleep(&nap, NULL) == 0 &&
		  clock_gettime(CLOCK_MONOTONIC, &b) == 0,
	      "clock_gettime, nanosleep");
	check(b.tv_sec > a.tv_sec ||
		  (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec),
	      "monotonic clock advances");
	check(calls(SYS_clock_gettime)->count == before + 2,
	      "clock_gettime is a syscall (no vDSO)");
}

/* sendto/recvfrom take six arguments through __syscall_cp_asm. */
static void test_syscall_cp(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET}, from;
	socklen_t len = sizeof addr, from_len = sizeof from;
	char buf[8] = "";
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	check(fd >= 0 && bind(fd, (void *)&addr, len) == 0 &&
		  getsockname(fd, (void *)&addr, &len) == 0,
	      "UDP socket on loopback");
	check(sendto(fd, "ping", 4, 0, (void *)&addr, len) == 4 &&
		  recvfrom(fd, buf, sizeof buf, 0, (void *)&from, &from_len) ==
		      4 &&
		  memcmp(buf, "ping", 4) == 0,
	      "sendto/recvfrom");
	check(calls(SYS_sendto)->arg[5] == (long)&addr &&
		  calls(SYS_sendto)->arg[6] == (long)len &&
		  calls(SYS_recvfrom)->arg[6] == (long)&from_len,
	      "syscall_cp passes a5 and a6");
	close(fd);
}

static void exit_42(void *unused)
{
	(void)unused;
	_exit(42);
}

static int child_status(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + status;
}

/* A pending cancel makes the next cancellation point leave through
 * __cp_cancel: the cleanup handler runs, the write never happens. */
static void test_cancel(void)
{
	int pipefd[2];
	char c;

	if (pipe(pipefd) != 0) {
		check(0, "pipe");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		pthread_cleanup_push(exit_42, NULL);
		pthread_cancel(pthread_self());
		write(pipefd[1], "x", 1);
		_exit(1);
		pthread_cleanup_pop(0);
	}
	close(pipefd[1]);
	check(child_status(pid) == 42 && read(pipefd[0], &c, 1) == 0,
	      "cancellation point acts on a pending cancel");
	close(pipefd[0]);
}

static void *thread_main(void *arg)
{
	return arg;
}

static void test_clone_vfork(void)
{
	pthread_t t;
	const struct call_log *c = calls(SYS_clone);

	check(pthread_create(&t, NULL, thread_main, NULL) == EAGAIN,
	      "pthread_create fails cleanly when clone is ENOSYS");
	check(c->count == 1 && (c->arg[1] & CLONE_THREAD) &&
		  (c->arg[1] & CLONE_VM) && c->arg[2] % 16 == 8 &&
		  c->stack_top != 0 && c->arg[3] && c->arg[4] && c->arg[5] &&
		  c->arg[6],
	      "__clone: flags, stack with arg, ptid, ctid, tls, fn");
	errno = 0;
	check(vfork() == -1 && errno == ENOSYS && calls(SYS_vfork)->count == 1,
	      "vfork returns ENOSYS");
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	got_signal = sig;
}

static void test_signal(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	volatile long canary = 0x1234;

	check(sigaction(SIGUSR1, &sa, NULL) == 0 && raise(SIGUSR1) == 0 &&
		  got_signal == SIGUSR1 && canary == 0x1234,
	      "signal handler returns through __restore_rt");
	check(calls(SYS_rt_sigreturn)->count == 1, "rt_sigreturn called");
}

/* The child calls __unmapself on a stack inside the region it unmaps, as
 * pthread_exit does: it must switch stacks before munmap to reach exit. */
static void test_unmapself(void)
{
	enum { SIZE = 65536 };
	size_t table = LOG_CALLS * sizeof(struct call_log);
	struct call_log *shared = mmap(NULL, table, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *region = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (shared == MAP_FAILED || region == MAP_FAILED) {
		check(0, "mmap for __unmapself");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		ember_test_calls = shared;
		__asm__ __volatile__("mov %0, %%rsp\n\t"
				     "call __unmapself"
				     :
				     : "r"(region + SIZE), "D"(region),
				       "S"((size_t)SIZE)
				     : "memory");
		__builtin_unreachable();
	}
	check(child_status(pid) == 0 && shared[SYS_munmap].count == 1 &&
		  shared[SYS_munmap].arg[1] == (long)region &&
		  shared[SYS_munmap].arg[2] == SIZE &&
		  shared[SYS_exit].count == 1 && shared[SYS_exit].arg[1] == 0,
	      "__unmapself: munmap own stack, then exit(0)");
	munmap(shared, table);
	munmap(region, SIZE);
}

int main(void)
{
	test_tls();
	test_stdio();
	test_malloc();
	test_time();
	test_syscall_cp();
	test_cancel();
	test_clone_vfork();
	test_signal();
	test_unmapself();
	printf("musl: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
