/*
 * futex with one thread: nobody else can be waiting, and nobody else can
 * wake us. WAKE wakes no one; WAIT either fails at once (value changed),
 * times out by sleeping, or could never end: that is a deadlock, reported
 * as a crash rather than hanging the VM forever.
 */
#include <errno.h>
#include <time.h>

#include "rt.h"
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

static long wait(const int *uaddr, long val, const struct timespec *timeout,
		 int absolute, int realtime)
{
	uint64_t ns, boot = ember_bi->boot_realtime_ns;
	int r;

	if (*(const volatile int *)uaddr != (int)val)
		return -EAGAIN;
	if (!timeout) {
		ember_console_puts("ember: deadlock: futex wait with no other "
				   "thread to wake it\n");
		ember_crash_abort(0);
	}
	r = ember_timespec_ns(timeout, &ns);
	if (r)
		return r;
	if (!absolute)
		ns = ember_monotonic_ns() +
		     (ns > UINT64_MAX / 2 ? UINT64_MAX / 2 : ns);
	else if (realtime)
		ns = ns > boot ? ns - boot : 0;
	ember_sleep_until(ns);
	return -ETIMEDOUT;
}

long ember_sys_futex(int *uaddr, long op, long val,
		     const struct timespec *timeout)
{
	int realtime = (op & FUTEX_CLOCK_REALTIME) != 0;

	switch (op & ~(long)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) {
	case FUTEX_WAIT:
		return wait(uaddr, val, timeout, 0, 0);
	case FUTEX_WAIT_BITSET:
		return wait(uaddr, val, timeout, 1, realtime);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return 0;
	default:
		return -ENOSYS;
	}
}
