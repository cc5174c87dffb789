#!/usr/bin/env bats
# Cooperative threads (DESIGN decision 8): musl's pthreads on the
# runtime's scheduler, sleeping threads, a pipe and an eventfd between
# threads (apps/threads.c checks each result itself), crash reports from
# a thread, and deadlock reports. Runs on the process backend, which
# every host has.

load helpers/common

BACKEND=process

setup() {
	require_file "$VMM" "$EMBER_CC" "$APPS/threads.ember"
}

# build NAME: compile the C source on stdin into $BATS_TEST_TMPDIR/NAME.ember.
build() {
	cat >"$BATS_TEST_TMPDIR/$1.c"
	ember_cc -O2 -o "$BATS_TEST_TMPDIR/$1.ember" "$BATS_TEST_TMPDIR/$1.c"
}

@test "threads: pthreads, mutexes, condition variables, keys, TLS, sleeps, pipe, eventfd" {
	run_vmm "$APPS/threads.ember"
	assert_success
	assert_output "threads: ok"
}

@test "threads: main ends with pthread_exit while others run; the last thread's exit ends the VM with status 0" {
	build lastexit <<'EOF2'
#include <pthread.h>
#include <stdio.h>
#include <time.h>
static void *worker(void *arg)
{
	struct timespec ts = {0, 20000000};
	nanosleep(&ts, NULL);
	printf("worker done %ld\n", (long)arg);
	fflush(stdout);
	return NULL;
}
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, (void *)7L);
	pthread_exit(NULL);
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/lastexit.ember"
	assert_success
	assert_output "worker done 7"
}

@test "threads: exit() in a thread ends the whole VM with its status" {
	build exitthread <<'EOF2'
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static void *worker(void *arg)
{
	(void)arg;
	exit(42);
}
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	return 1;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/exitthread.ember"
	assert_equal "$status" 42
}

@test "threads: a crash in a thread is reported with a backtrace through the thread's functions" {
	build crashthread <<'EOF2'
#include <pthread.h>
#include <stddef.h>
struct s { int pad[10]; int x; };
__attribute__((noinline)) int deref_in_thread(struct s *p) { return p->x; }
static void *worker(void *arg) { return (void *)(long)deref_in_thread(arg); }
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/crashthread.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "guest crashed: page fault at address 0x28 .*in deref_in_thread"
	assert_stderr_matches "#0 0x[0-9a-f]+ deref_in_thread"
	assert_stderr_matches "#1 0x[0-9a-f]+ worker"
}

@test "threads: two threads waiting for each other forever are reported as a deadlock" {
	build deadlock <<'EOF2'
#include <pthread.h>
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static void *other(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&b);
	sched_yield();
	pthread_mutex_lock(&a);
	return NULL;
}
int main(void)
{
	pthread_t t;
	pthread_mutex_lock(&a);
	pthread_create(&t, NULL, other, NULL);
	sched_yield();
	pthread_mutex_lock(&b);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/deadlock.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "^ember: deadlock: every thread is blocked"
}

@test "threads: a lone thread that sleeps, then joins itself (musl waits forever) is reported as a deadlock" {
	build selfjoin <<'EOF2'
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
int main(void)
{
	struct timespec ts = {0, 5000000};
	nanosleep(&ts, NULL);
	printf("slept\n");
	fflush(stdout);
	pthread_join(pthread_self(), NULL);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/selfjoin.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_output "slept"
	assert_stderr_matches "^ember: deadlock: every thread is blocked"
}

@test "threads: clone with flags other than pthread_create's fails with EINVAL" {
	build badclone <<'EOF2'
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
static char stack[65536] __attribute__((aligned(16)));
static int fn(void *arg) { (void)arg; return 0; }
int main(void)
{
	int r = clone(fn, stack + sizeof(stack), SIGCHLD, NULL);
	printf("%d %d\n", r, errno == EINVAL);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/badclone.ember"
	assert_success
	assert_output "-1 1"
}

@test "threads: unbounded recursion in a thread is reported as a stack overflow" {
	build overflowthread <<'EOF2'
#include <pthread.h>
static volatile int sink;
__attribute__((noinline)) static int recurse(int n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	sink = recurse(n + 1) + pad[0];
	return sink;
}
static void *worker(void *arg) { (void)arg; recurse(0); return 0; }
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/overflowthread.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "guest crashed: stack overflow"
}

@test "threads: sched_yield alternates runnable threads in FIFO order" {
	build yield <<'EOF2'
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
static void *worker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		printf("%s%d ", (char *)arg, i);
		sched_yield();
	}
	return NULL;
}
int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, worker, "a");
	pthread_create(&b, NULL, worker, "b");
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("\n");
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/yield.ember"
	assert_success
	assert_output "a0 b0 a1 b1 a2 b2 "
}

@test "threads: runtime threads (ember_thread_spawn) run, wake waiters, time out, and give their stacks back" {
	build spawn <<'EOF2'
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
/* The runtime's scheduler interface (unikernel-rt/sched.h). */
struct ember_waitq { void *head, *tail; };
int ember_thread_spawn(void (*fn)(void *), void *arg, size_t stack_size, const char *name);
int ember_thread_count(void);
int ember_wait(struct ember_waitq *q, uint64_t deadline_ns);
int ember_wake(struct ember_waitq *q, int n);
void ember_yield(void);
uint64_t ember_monotonic_ns(void);
static struct ember_waitq q, never;
static int done;
static void fn(void *arg)
{
	done += (int)(long)arg;
	ember_wake(&q, 1);
}
int main(void)
{
	/* 200 x 1 MiB stacks: more than the guest has, unless freed. */
	for (int i = 0; i < 200; i++) {
		if (ember_thread_spawn(fn, (void *)1L, 1 << 20, "worker") ||
		    ember_thread_count() != 2 || ember_wait(&q, UINT64_MAX) != 0) {
			printf("failed at %d\n", i);
			return 1;
		}
	}
	ember_yield(); /* the last one ends */
	uint64_t t0 = ember_monotonic_ns();
	int r = ember_wait(&never, t0 + 5000000);
	printf("%d %d %d %d\n", done, ember_thread_count(), r == -ETIMEDOUT,
	       ember_monotonic_ns() - t0 >= 5000000);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/spawn.ember"
	assert_success
	assert_output "200 1 1 1"
}

@test "threads: a fatal signal from a call that blocked is reported with that thread's caller" {
	build sigpipe <<'EOF2'
#include <pthread.h>
#include <unistd.h>
static int p[2];
static char buf[65536];
static void *writer(void *arg)
{
	(void)arg;
	write(p[1], buf, 4096); /* atomic: waits for room, then EPIPE */
	return NULL;
}
int main(void)
{
	pthread_t t;
	pipe(p);
	write(p[1], buf, sizeof(buf) - 100); /* nearly full */
	pthread_create(&t, NULL, writer, NULL);
	sched_yield(); /* the writer blocks */
	close(p[0]);   /* ...and gets SIGPIPE, after main's close() */
	pthread_join(t, NULL);
	return 0;
}
EOF2
	run_vmm "$BATS_TEST_TMPDIR/sigpipe.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "guest aborted by signal 13 \(SIGPIPE\)"
	assert_stderr_matches "#0 0x[0-9a-f]+ write\+"
}
