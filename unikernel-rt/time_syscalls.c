/*
 * clock_gettime and friends. Every clock is the TSC clock (clock.c):
 * realtime = the monitor's boot epoch + monotonic; the CPU-time clocks
 * are approximated by monotonic time. A sleeping thread waits in the
 * scheduler with a deadline, so other threads run meanwhile; when none
 * can, the idle hook blocks in the monitor (never a spin).
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "rt.h"
#include "sched.h"
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

/* Only the deadline ends the wait, or pthread_cancel (-EINTR; then the
 * time left goes to *rem, if given). */
static long sleep_until(uint64_t deadline_ns, struct timespec *rem)
{
	struct ember_waitq never = {0};
	uint64_t now;

	if (deadline_ns == EMBER_NO_DEADLINE)
		deadline_ns--; /* a sleep of centuries, not a deadlock */
	if (ember_wait(&never, deadline_ns) != -EINTR)
		return 0;
	now = ember_monotonic_ns();
	if (rem && !ember_range_readable(rem, sizeof(*rem)))
		return -EFAULT;
	if (rem)
		to_timespec(deadline_ns > now ? deadline_ns - now : 0, rem);
	return -EINTR;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

long ember_sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	uint64_t ns;
	int r = ember_timespec_ns(req, &ns);

	if (r)
		return r;
	return sleep_until(add_sat(ember_monotonic_ns(), ns), rem);
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
	return sleep_until(ns, NULL); /* absolute: rem is not written */
}
