/*
 * The scheduler's internals, shared by sched.c and the system calls
 * built on it (clone/exit in thread_syscalls.c, futex.c, arch_prctl).
 * Everything else uses sched.h.
 */
#ifndef EMBER_RT_SCHED_IMPL_H
#define EMBER_RT_SCHED_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"
#include "sched.h"

enum ember_thread_state {
	EMBER_T_RUNNING,
	EMBER_T_RUNNABLE,
	EMBER_T_WAITING,
	EMBER_T_DEAD,
};

struct ember_thread {
	uint64_t sp; /* saved by sched_switch.S; the context is on the stack */
	uint64_t fs_base;
	int tid;
	int state;
	/* Links in the run queue or the wait queue the thread is on. */
	struct ember_thread *next, *prev;
	struct ember_waitq *waitq; /* while EMBER_T_WAITING */
	/* The sorted timer list, while waiting with a deadline. */
	struct ember_thread *tnext, *tprev;
	uint64_t deadline;
	int wait_result;
	int *clear_tid; /* CLONE_CHILD_CLEARTID / set_tid_address */
	/* Every live thread, for tid lookups. */
	struct ember_thread *all_next, *all_prev;
	/* ember_thread_spawn's stack mapping, freed after the thread ends. */
	uintptr_t stack_map;
	size_t stack_map_len;
	void (*spawn_fn)(void *);
	void *spawn_arg;
	const char *name;
	/* futex.c: what this thread waits for. */
	const volatile int *futex_addr;
	uint32_t futex_bitset;
	/* Where this thread last entered the runtime (syscall_entry.S), kept
	 * across switches so that a crash report about a blocked system
	 * call (SIGPIPE, deadlock) shows this thread's caller. */
	struct ember_crash_regs caller;
	unsigned char fs_any;	 /* the idle thread keeps whatever FS is */
	unsigned char is_static; /* the main thread: never freed */
};

/* Set up the main thread (tid 1); before anything touches TLS. */
void ember_sched_init(void);

/* A clone()d thread: runs fn(arg) on stack (musl's __clone put arg at
 * *stack) with FS base tls, runnable at the end of the run queue.
 * NULL when out of memory. */
struct ember_thread *ember_thread_clone(int (*fn)(void *), void *stack,
					uint64_t tls);

/* End the calling thread (SYS_exit). The last thread ends the VM. */
_Noreturn void ember_thread_exit(int status);

/* thread.c: add t to the live threads (the main thread at start-up). */
void ember_thread_link(struct ember_thread *t);
/* thread.c: a stack of size bytes (mmap, guard page below) for t, with a
 * first frame that runs fn(arg) and ends the thread with its value. */
int ember_thread_stack(struct ember_thread *t, size_t size, int (*fn)(void *),
		       void *arg);
/* sched.c: t may run (at the end of the run queue). */
void ember_sched_add(struct ember_thread *t);
/* sched.c: the calling thread has ended (already unlinked): run the
 * others and never come back; its remains are freed after the switch. */
_Noreturn void ember_sched_exit(void);

struct ember_thread *ember_thread_by_tid(int tid);

/* Make t, waiting on some queue, runnable with ember_wait's result r. */
void ember_thread_wake(struct ember_thread *t, int r);
/* Move waiting t to another queue (futex requeue); its deadline stays. */
void ember_thread_requeue(struct ember_thread *t, struct ember_waitq *to);

/* futex.c: wake up to n threads waiting on the futex word at addr. */
int ember_futex_wake(const volatile int *addr, int n);

/* arch_prctl(ARCH_SET_FS/ARCH_GET_FS) for the calling thread. */
long ember_thread_set_fs(uint64_t base);
uint64_t ember_thread_get_fs(void);

/* sched_switch.S */
void ember_ctx_switch(uint64_t *save_sp, uint64_t new_sp);
void ember_thread_trampoline(void);

#endif
