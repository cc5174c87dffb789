/*
 * clock_gettime and friends. Every clock is the TSC clock (clock.c):
 * realtime = the monitor's boot epoch + monotonic; the CPU-time clocks
 * are approximated by monotonic time (one thread that never waits on
 * anything but sleeps). Sleeping is a block hypercall, never a spin.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "rt.h"
#include "syscalls.h"

static int is_realtime(long clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE ||
	       clk == CLOCK_REALTIME_ALARM || clk == CLOCK_TAI;
}

static int is_monotonic(long clk)
{
	return clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW ||
	       clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_BOOTTIME_ALARM || clk == CLOCK_PROCESS_CPUTIME_ID ||
	       clk == CLOCK_THREAD_CPUTIME_ID;
}

static uint64_t realtime_ns(void)
{
	return ember_bi->boot_realtime_ns + ember_monotonic_ns();
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

long ember_sys_clock_gettime(long clk, struct timespec *ts)
{
	if (!is_realtime(clk) && !is_monotonic(clk))
		return -EINVAL;
	if (!ts)
		return -EFAULT;
	to_timespec(is_realtime(clk) ? realtime_ns() : ember_monotonic_ns(),
		    ts);
	return 0;
}

long ember_sys_clock_getres(long clk, struct timespec *ts)
{
	if (!is_realtime(clk) && !is_monotonic(clk))
		return -EINVAL;
	if (ts) /* the TSC resolves nanoseconds, coarse clocks included */
		to_timespec(1, ts);
	return 0;
}

long ember_sys_gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = realtime_ns();

	if (tv) {
		tv->tv_sec = (time_t)(ns / 1000000000u);
		tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	}
	if (tz) { /* struct timezone: UTC, no DST */
		((int *)tz)[0] = 0;
		((int *)tz)[1] = 0;
	}
	return 0;
}

long ember_sys_time(long *t)
{
	long now = (long)(realtime_ns() / 1000000000u);

	if (t)
		*t = now;
	return now;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

long ember_sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	uint64_t ns;
	int r = ember_timespec_ns(req, &ns);

	(void)rem; /* only written when interrupted, which never happens */
	if (r)
		return r;
	ember_sleep_until(add_sat(ember_monotonic_ns(), ns));
	return 0;
}

long ember_sys_clock_nanosleep(long clk, long flags, const struct timespec *req,
			       struct timespec *rem)
{
	uint64_t ns, boot = ember_bi->boot_realtime_ns;
	int r;

	/* Linux refuses to sleep on the calling thread's own CPU clock. */
	if (clk == CLOCK_THREAD_CPUTIME_ID ||
	    (!is_realtime(clk) && !is_monotonic(clk)))
		return -EINVAL;
	if (flags & ~(long)TIMER_ABSTIME)
		return -EINVAL;
	if (!(flags & TIMER_ABSTIME))
		return ember_sys_nanosleep(req, rem);
	r = ember_timespec_ns(req, &ns);
	if (r)
		return r;
	if (is_realtime(clk)) /* to monotonic time */
		ns = ns > boot ? ns - boot : 0;
	ember_sleep_until(ns);
	return 0;
}
