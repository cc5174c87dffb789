/*
 * lwIP's OS layer (sys_arch) on Ember's cooperative scheduler.
 *
 * One vCPU, no preemption: between two waits a thread runs alone, so
 * semaphores, mutexes and mailboxes need no atomics. A wait is
 * ember_wait() on the object's queue with a deadline; a signal makes a
 * waiter runnable (ember_wake never switches, so these are also safe
 * from the scheduler's idle and poll hooks).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lwip/err.h"
#include "lwip/sys.h"
#include "on_demand_timers.h"
#include "rt.h"

static sys_mutex_t core_lock = {.valid = 1};

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(ember_monotonic_ns() / 1000000u);
}

uint32_t ember_lwip_rand(void)
{
	uint32_t v;

	ember_random_bytes(&v, sizeof(v));
	return v;
}

void ember_lwip_diag(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ember_console_puts(buf);
}

_Noreturn void ember_lwip_assert(const char *msg, const char *file, int line)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "ember: lwIP assertion failed: %s (%s:%d)\n",
		 msg, file, line);
	ember_console_puts(buf);
	abort();
}

/* Absolute deadline for an lwIP timeout in ms (0 = wait forever). */
static uint64_t deadline_ms(u32_t timeout_ms)
{
	if (timeout_ms == 0)
		return EMBER_NO_DEADLINE;
	return ember_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
}

/* What lwIP wants back from a successful timed wait: ms spent. */
static u32_t waited_ms(uint64_t start_ns)
{
	uint64_t ms = (ember_monotonic_ns() - start_ns) / 1000000u;

	return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : (u32_t)ms;
}

/* ---- semaphores ------------------------------------------------------ */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	*sem = (sys_sem_t){.count = count, .valid = 1};
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	sem->valid = 0;
}

void sys_sem_signal(sys_sem_t *sem)
{
	sem->count++;
	ember_wake(&sem->waiters, 1);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	uint64_t start = ember_monotonic_ns(), deadline = deadline_ms(timeout);

	while (sem->count == 0) {
		if (ember_wait(&sem->waiters, deadline) == -ETIMEDOUT &&
		    sem->count == 0)
			return SYS_ARCH_TIMEOUT;
	}
	sem->count--;
	return waited_ms(start);
}

/* ---- mutexes ------------------------------------------------------- */

err_t sys_mutex_new(sys_mutex_t *m)
{
	*m = (sys_mutex_t){.valid = 1};
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = 0;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	while (m->locked)
		ember_wait(&m->waiters, EMBER_NO_DEADLINE);
	m->locked = 1;
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	m->locked = 0;
	ember_wake(&m->waiters, 1);
}

/* The core lock (LOCK_TCPIP_CORE in lwipopts.h). tcpip.c also creates
 * its own lock_tcpip_core mutex, which then stays unused. */
void ember_lwip_core_lock(void)
{
	sys_mutex_lock(&core_lock);
	ember_lwip_timers_on_lock();
}

void ember_lwip_core_unlock(void)
{
	ember_lwip_timers_on_unlock();
	sys_mutex_unlock(&core_lock);
}

/* ---- mailboxes ----------------------------------------------------- */

#define MBOX_INITIAL 16u

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	unsigned max = size > 0 ? (unsigned)size : 1024u;
	unsigned cap = max < MBOX_INITIAL ? max : MBOX_INITIAL;

	*mbox = (sys_mbox_t){.max = max, .cap = cap};
	mbox->ring = malloc(cap * sizeof(void *));
	if (!mbox->ring)
		return ERR_MEM;
	mbox->valid = 1;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	free(mbox->ring);
	mbox->ring = NULL;
	mbox->valid = 0;
}

/* Room for one more message, growing the ring if allowed. */
static int mbox_room(sys_mbox_t *mbox)
{
	if (mbox->count < mbox->cap)
		return 1;
	if (mbox->cap >= mbox->max)
		return 0;
	unsigned cap = mbox->cap * 2 > mbox->max ? mbox->max : mbox->cap * 2;
	void **ring = malloc(cap * sizeof(void *));
	if (!ring)
		return 0;
	for (unsigned i = 0; i < mbox->count; i++)
		ring[i] = mbox->ring[(mbox->head + i) % mbox->cap];
	free(mbox->ring);
	mbox->ring = ring;
	mbox->cap = cap;
	mbox->head = 0;
	return 1;
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	if (!mbox_room(mbox))
		return ERR_MEM;
	mbox->ring[(mbox->head + mbox->count) % mbox->cap] = msg;
	mbox->count++;
	ember_wake(&mbox->readers, 1);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	while (sys_mbox_trypost(mbox, msg) != ERR_OK)
		ember_wait(&mbox->writers, EMBER_NO_DEADLINE);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	if (mbox->count == 0)
		return SYS_MBOX_EMPTY;
	void *m = mbox->ring[mbox->head];
	mbox->head = (mbox->head + 1) % mbox->cap;
	mbox->count--;
	if (msg)
		*msg = m;
	ember_wake(&mbox->writers, 1);
	return 0;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	uint64_t start, deadline;

	if (mbox->count) { /* the common case under load: no wait at all */
		sys_arch_mbox_tryfetch(mbox, msg);
		return 0;
	}
	start = ember_monotonic_ns();
	deadline = deadline_ms(ember_lwip_tcpip_sleep(timeout));
	while (mbox->count == 0) {
		if (ember_wait(&mbox->readers, deadline) == -ETIMEDOUT &&
		    mbox->count == 0) {
			ember_lwip_tcpip_woke();
			return SYS_ARCH_TIMEOUT;
		}
	}
	ember_lwip_tcpip_woke();
	sys_arch_mbox_tryfetch(mbox, msg);
	return waited_ms(start);
}

/* ---- threads ------------------------------------------------------- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	(void)prio; /* one priority: cooperative FIFO */
	int r = ember_thread_spawn(fn, arg, (size_t)stacksize, name);

	LWIP_ASSERT("sys_thread_new: cannot start a thread", r == 0);
	return NULL;
}
