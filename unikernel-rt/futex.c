/*
 * futex: what musl's locks, condition variables, pthread_join and the
 * thread-list lock stand on. Waiters sit in one of a fixed set of wait
 * queues chosen by hashing the address; each waiter records its address
 * and bitset, so a wake walks its bucket and picks only matching ones.
 * One process: private and shared futexes are the same thing.
 *
 * A wait that can never end (every thread waiting, no timer, no device)
 * is found by the scheduler's idle hook and reported as a deadlock.
 */
#include <errno.h>
#include <time.h>

#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

/* From Linux <linux/futex.h>. */
#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_REQUEUE	     3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define BITSET_ANY	     0xffffffffu

#define NBUCKETS 64u /* a power of two */

static struct ember_waitq buckets[NBUCKETS];

static struct ember_waitq *bucket(const volatile int *addr)
{
	uintptr_t a = (uintptr_t)addr;

	return &buckets[((a >> 2) ^ (a >> 9)) & (NBUCKETS - 1)];
}

static int wake_bitset(const volatile int *addr, int n, uint32_t bitset)
{
	struct ember_waitq *q = bucket(addr);
	struct ember_thread *t = q->head, *next;
	int woken = 0;

	for (; t && woken < n; t = next) {
		next = t->next;
		if (t->futex_addr == addr && (t->futex_bitset & bitset)) {
			ember_thread_wake(t, 0);
			woken++;
		}
	}
	return woken;
}

int ember_futex_wake(const volatile int *addr, int n)
{
	return wake_bitset(addr, n, BITSET_ANY);
}

/* The monotonic deadline of a wait: relative for FUTEX_WAIT, absolute
 * on the chosen clock for FUTEX_WAIT_BITSET. */
static int deadline_of(const struct timespec *ts, int absolute, int realtime,
		       uint64_t *deadline)
{
	uint64_t ns, boot = ember_bi->boot_realtime_ns, now;
	int r;

	if (!ts) {
		*deadline = EMBER_NO_DEADLINE;
		return 0;
	}
	if (!ember_range_readable(ts, sizeof(*ts)))
		return -EFAULT;
	r = ember_timespec_ns(ts, &ns);
	if (r)
		return r;
	if (!absolute) {
		now = ember_monotonic_ns();
		*deadline =
		    ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + ns;
	} else if (realtime) {
		*deadline = ns > boot ? ns - boot : 0;
	} else {
		*deadline = ns;
	}
	if (*deadline == EMBER_NO_DEADLINE)
		(*deadline)--;
	return 0;
}

static long wait(const volatile int *uaddr, long val,
		 const struct timespec *timeout, int absolute, int realtime,
		 uint32_t bitset)
{
	struct ember_thread *self = ember_thread_self();
	uint64_t deadline;
	int r;

	if (bitset == 0)
		return -EINVAL;
	r = deadline_of(timeout, absolute, realtime, &deadline);
	if (r)
		return r;
	if (*uaddr != (int)val)
		return -EAGAIN;
	self->futex_addr = uaddr;
	self->futex_bitset = bitset;
	r = ember_wait(bucket(uaddr), deadline);
	self->futex_addr = NULL;
	return r;
}

/* Wake up to nwake waiters on uaddr, then move up to nmove more to
 * uaddr2. Returns how many were woken or moved, as Linux does. */
static long requeue(const volatile int *uaddr, long nwake, long nmove,
		    const volatile int *uaddr2)
{
	struct ember_waitq *q = bucket(uaddr), *to = bucket(uaddr2);
	struct ember_thread *t, *next;
	long done;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if (nwake > INT32_MAX)
		nwake = INT32_MAX;
	done = wake_bitset(uaddr, (int)nwake, BITSET_ANY);
	for (t = q->head; t && nmove > 0; t = next) {
		next = t->next;
		if (t->futex_addr != uaddr)
			continue;
		t->futex_addr = uaddr2;
		if (to != q)
			ember_thread_requeue(t, to);
		nmove--;
		done++;
	}
	return done;
}

long ember_sys_futex(int *uaddr, long op, long val,
		     const struct timespec *timeout, int *uaddr2, long val3)
{
	int realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
	long cmd = op & ~(long)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	long n2 = (long)(uintptr_t)timeout; /* val2 for the requeues */

	if ((uintptr_t)uaddr % 4)
		return -EINVAL;
	if (!ember_range_readable(uaddr, sizeof(int)))
		return -EFAULT;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS; /* as Linux */
	switch (cmd) {
	case FUTEX_WAIT:
		return wait(uaddr, val, timeout, 0, 0, BITSET_ANY);
	case FUTEX_WAIT_BITSET:
		return wait(uaddr, val, timeout, 1, realtime, (uint32_t)val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && (uint32_t)val3 == 0)
			return -EINVAL;
		return wake_bitset(
		    uaddr, val > INT32_MAX ? INT32_MAX : (int)val,
		    cmd == FUTEX_WAKE ? BITSET_ANY : (uint32_t)val3);
	case FUTEX_CMP_REQUEUE:
	case FUTEX_REQUEUE:
		if ((uintptr_t)uaddr2 % 4)
			return -EINVAL;
		if (!ember_range_readable(uaddr2, sizeof(int)))
			return -EFAULT;
		if (cmd == FUTEX_CMP_REQUEUE && *uaddr != (int)val3)
			return -EAGAIN;
		return requeue(uaddr, val, n2, uaddr2);
	default:
		return -ENOSYS;
	}
}
