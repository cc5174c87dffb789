/*
 * The cooperative scheduler (sched.h): a FIFO run queue, wait queues, a
 * timer list sorted by deadline, and an idle thread that runs the idle
 * hook on its own stack when nothing else can run.
 *
 * A thread is in at most one queue at a time (the run queue or one wait
 * queue, linked through next/prev) and, while waiting with a deadline,
 * also in the timer list. A thread that ends cannot free the stack it
 * is running on, so the next thread to run frees its remains (reap).
 * Creating and ending threads is thread.c's.
 */
#include <errno.h>
#include <stdlib.h>

#include "hypercall.h"
#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

#define IDLE_STACK (64u * 1024u)
#define USER_TOP   (UINT64_C(1) << 47) /* user addresses are below */

static struct ember_thread main_thread;
static struct ember_thread *cur = &main_thread, *idle, *zombie;
static struct ember_thread *timers;
static struct ember_waitq runq;
static uint64_t hw_fs; /* the FS base the CPU has now */
static struct ember_hc_fs_base hc_fs;
static void (*poll_hook)(void);

static void default_idle(uint64_t deadline_ns);
static ember_idle_hook idle_hook = default_idle;

void ember_sched_thread_started(void);

/* ---- queues ---- */

static void q_push(struct ember_waitq *q, struct ember_thread *t)
{
	t->next = NULL;
	t->prev = q->tail;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static void q_remove(struct ember_waitq *q, struct ember_thread *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		q->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		q->tail = t->prev;
	t->next = t->prev = NULL;
}

static void timer_insert(struct ember_thread *t)
{
	struct ember_thread *p = timers, *last = NULL;

	while (p && p->deadline <= t->deadline) {
		last = p;
		p = p->tnext;
	}
	t->tprev = last;
	t->tnext = p;
	if (p)
		p->tprev = t;
	if (last)
		last->tnext = t;
	else
		timers = t;
}

static void timer_remove(struct ember_thread *t)
{
	if (t->deadline == EMBER_NO_DEADLINE)
		return;
	if (t->tprev)
		t->tprev->tnext = t->tnext;
	else
		timers = t->tnext;
	if (t->tnext)
		t->tnext->tprev = t->tprev;
	t->tnext = t->tprev = NULL;
	t->deadline = EMBER_NO_DEADLINE;
}

void ember_thread_wake(struct ember_thread *t, int r)
{
	q_remove(t->waitq, t);
	timer_remove(t);
	t->waitq = NULL;
	t->wait_result = r;
	t->state = EMBER_T_RUNNABLE;
	q_push(&runq, t);
}

void ember_thread_requeue(struct ember_thread *t, struct ember_waitq *to)
{
	q_remove(t->waitq, t);
	q_push(to, t);
	t->waitq = to;
}

static void expire_timers(void)
{
	uint64_t now;

	if (!timers)
		return;
	now = ember_monotonic_ns();
	while (timers && timers->deadline <= now)
		ember_thread_wake(timers, -ETIMEDOUT);
}

/* ---- FS base (TLS) ---- */

static int load_fs(uint64_t base)
{
	if (ember_bi->flags & EMBER_BI_FSGSBASE) {
		__asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
	} else {
		hc_fs.fs_base = base;
		hc_fs.ret = 0;
		ember_hypercall(EMBER_HC_SET_FS_BASE, &hc_fs);
		if (hc_fs.ret < 0)
			return (int)hc_fs.ret;
	}
	hw_fs = base;
	return 0;
}

long ember_thread_set_fs(uint64_t base)
{
	int r;

	if (base >= USER_TOP)
		return -EPERM;
	r = load_fs(base);
	if (r == 0)
		cur->fs_base = base;
	return r;
}

uint64_t ember_thread_get_fs(void)
{
	return cur->fs_base;
}

/* ---- switching ---- */

/* Free what an ended thread left: its struct and, for a runtime
 * thread, its stack. Runs on another thread's stack. */
static void reap(void)
{
	struct ember_thread *z = zombie;

	if (!z)
		return;
	zombie = NULL;
	if (z->stack_map)
		ember_sys_munmap(z->stack_map, z->stack_map_len);
	if (!z->is_static)
		free(z);
}

void ember_sched_thread_started(void)
{
	reap();
}

static void switch_to(struct ember_thread *next)
{
	struct ember_thread *prev = cur;

	if (next == prev) {
		prev->state = EMBER_T_RUNNING;
		return;
	}
	/* Only a changed base costs a hypercall on the process backend. */
	if (!next->fs_any && next->fs_base != hw_fs)
		load_fs(next->fs_base);
	/* The idle thread makes no system calls: a deadlock found there is
	 * reported with the caller of the last thread that blocked. */
	if (!prev->fs_any)
		prev->caller = ember_syscall_caller;
	if (!next->fs_any)
		ember_syscall_caller = next->caller;
	if (prev->state == EMBER_T_RUNNING)
		prev->state = EMBER_T_RUNNABLE;
	next->state = EMBER_T_RUNNING;
	cur = next;
	ember_ctx_switch(&prev->sp, next->sp);
	reap();
}

static int idle_main(void *unused);

static void make_idle(void)
{
	struct ember_thread *t = calloc(1, sizeof(*t));

	if (t && ember_thread_stack(t, IDLE_STACK, idle_main, NULL) == 0) {
		t->name = "idle";
		t->fs_any = 1;
		t->deadline = EMBER_NO_DEADLINE;
		t->state = EMBER_T_RUNNABLE;
		idle = t;
		return;
	}
	ember_console_puts("ember: out of memory for the scheduler's idle "
			   "stack\n");
	ember_crash_abort(0);
}

/* The calling thread has been queued somewhere (or has ended): run the
 * next runnable thread, or the idle thread. Returns when the caller is
 * picked again. */
static void schedule(void)
{
	struct ember_thread *next;

	if (poll_hook)
		poll_hook();
	expire_timers();
	next = runq.head;
	if (next) {
		q_remove(&runq, next);
	} else {
		if (!idle)
			make_idle();
		next = idle;
	}
	switch_to(next);
}

static uint64_t earliest_deadline(void)
{
	return timers ? timers->deadline : EMBER_NO_DEADLINE;
}

static int idle_main(void *unused)
{
	(void)unused;
	for (;;) {
		struct ember_thread *next;

		if (poll_hook)
			poll_hook();
		expire_timers();
		next = runq.head;
		if (next) {
			q_remove(&runq, next);
			switch_to(next);
			continue;
		}
		idle_hook(earliest_deadline());
	}
	return 0; /* not reached */
}

static void default_idle(uint64_t deadline_ns)
{
	if (deadline_ns == EMBER_NO_DEADLINE) {
		ember_console_puts("ember: deadlock: every thread is blocked "
				   "and nothing can wake them\n");
		ember_crash_abort(0);
	}
	ember_sleep_until(deadline_ns);
}

/* ---- the interface ---- */

void ember_sched_init(void)
{
	main_thread.tid = 1;
	main_thread.state = EMBER_T_RUNNING;
	main_thread.is_static = 1;
	main_thread.deadline = EMBER_NO_DEADLINE;
	main_thread.name = "main";
	ember_thread_link(&main_thread);
}

struct ember_thread *ember_thread_self(void)
{
	return cur;
}

void ember_sched_add(struct ember_thread *t)
{
	t->state = EMBER_T_RUNNABLE;
	q_push(&runq, t);
}

_Noreturn void ember_sched_exit(void)
{
	cur->state = EMBER_T_DEAD;
	zombie = cur;
	schedule();
	ember_console_puts("ember: an ended thread was scheduled again\n");
	ember_crash_abort(0);
}

void ember_yield(void)
{
	if (!runq.head && !poll_hook && !timers)
		return; /* nobody else could run */
	cur->state = EMBER_T_RUNNABLE;
	q_push(&runq, cur);
	schedule();
}

int ember_wait(struct ember_waitq *q, uint64_t deadline_ns)
{
	struct ember_thread *t = cur;

	if (t == idle) {
		ember_console_puts("ember: the idle hook must not block\n");
		ember_crash_abort(0);
	}
	if (deadline_ns != EMBER_NO_DEADLINE &&
	    deadline_ns <= ember_monotonic_ns())
		return -ETIMEDOUT;
	t->state = EMBER_T_WAITING;
	t->waitq = q;
	t->wait_result = 0;
	q_push(q, t);
	t->deadline = deadline_ns;
	if (deadline_ns != EMBER_NO_DEADLINE)
		timer_insert(t);
	schedule();
	return t->wait_result;
}

int ember_wake(struct ember_waitq *q, int n)
{
	int woken = 0;

	while (q->head && (n < 0 || woken < n)) {
		ember_thread_wake(q->head, 0);
		woken++;
	}
	return woken;
}

ember_idle_hook ember_set_idle_hook(ember_idle_hook hook)
{
	ember_idle_hook old = idle_hook;

	idle_hook = hook ? hook : default_idle;
	return old;
}

void ember_set_poll_hook(void (*hook)(void))
{
	poll_hook = hook;
}
