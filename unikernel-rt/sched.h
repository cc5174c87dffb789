/*
 * Cooperative threads (DESIGN decision 8): one vCPU, so a thread runs
 * until it blocks, yields or exits; nothing preempts it. musl's pthreads
 * work unmodified on top: pthread_create -> __clone -> SYS_clone creates
 * a thread here, futex waits and wakes are wait queues, and a thread's
 * exit clears and wakes its CLONE_CHILD_CLEARTID word (pthread_join).
 *
 * When no thread is runnable the scheduler calls the idle hook with the
 * earliest deadline; the default hook sleeps with the block hypercall and
 * reports a deadlock (a crash) when there is no deadline at all. The
 * network layer installs its own hook (flush TX, block until a packet or
 * the deadline, process RX).
 */
#ifndef EMBER_RT_SCHED_H
#define EMBER_RT_SCHED_H

#include <stddef.h>
#include <stdint.h>

#define EMBER_NO_DEADLINE UINT64_MAX

struct ember_thread;

/* A FIFO of blocked threads. Zero-initialised is empty. */
struct ember_waitq {
	struct ember_thread *head, *tail;
};

/* The running thread (the main thread before any other exists). */
struct ember_thread *ember_thread_self(void);
/* Its thread id (1 for the main thread), as gettid() returns. */
int ember_thread_tid(const struct ember_thread *t);

/* Start fn(arg) in a new runtime thread with its own stack of
 * stack_size bytes (taken from the heap, with a guard page) and no TLS of
 * its own beyond the creator's FS base. For runtime-internal threads
 * (lwIP's tcpip thread); applications use pthread_create. The thread
 * ends when fn returns. Returns 0 or -errno. */
int ember_thread_spawn(void (*fn)(void *), void *arg, size_t stack_size,
		       const char *name);

/* Let every other runnable thread run once, then come back. */
void ember_yield(void);

/* Block the calling thread on q until ember_wake() picks it or the
 * monotonic time deadline_ns passes (EMBER_NO_DEADLINE: no timeout).
 * Returns 0 when woken, -ETIMEDOUT at the deadline, -EINTR when the
 * thread is being cancelled (pthread_cancel): give up and return EINTR
 * from the system call. */
int ember_wait(struct ember_waitq *q, uint64_t deadline_ns);

/* Make up to n threads waiting on q runnable (in FIFO order; n < 0: all).
 * Returns how many. Never switches threads itself. */
int ember_wake(struct ember_waitq *q, int n);

/* The idle hook: called on the scheduler's own stack when no thread is
 * runnable, with the earliest wait deadline (EMBER_NO_DEADLINE if none);
 * it must return once something may have become runnable or the deadline
 * passed. Returns the previous hook. */
typedef void (*ember_idle_hook)(uint64_t deadline_ns);
ember_idle_hook ember_set_idle_hook(ember_idle_hook hook);

/* The poll hook, if set, runs on every pass of the scheduler through its
 * run queue, so a busy guest still sees received packets (cheap: the
 * network layer only compares ring indices). */
void ember_set_poll_hook(void (*hook)(void));

/* Number of threads that exist (for diagnostics and tests). */
int ember_thread_count(void);

#endif
