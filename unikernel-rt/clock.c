/*
 * Time from the TSC: monotonic_ns = (rdtsc - boot_tsc) * 1e6 / tsc_khz.
 * The division is precomputed as a fixed-point multiplier so each read is
 * one rdtsc and one 64x64->128 multiply (no exits, no libgcc division).
 */
#include <errno.h>
#include <time.h>

#include "hypercall.h"
#include "rt.h"

/* ns = ticks * mult >> SHIFT. 1e6 << 42 still fits in 64 bits; the
 * rounding error is below 1e-12 relative (~0.1 us per day). */
#define SHIFT 42
static uint64_t mult;
static struct ember_hc_block hc;

void ember_clock_init(void)
{
	uint64_t khz = ember_bi->tsc_khz;

	if (khz < 1000)
		khz = 1000000; /* the monitor did not say: assume 1 GHz */
	mult = (UINT64_C(1000000) << SHIFT) / khz;
}

uint64_t ember_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint64_t ember_monotonic_ns(void)
{
	uint64_t now = ember_rdtsc(), boot = ember_bi->boot_tsc;
	uint64_t ticks = now > boot ? now - boot : 0;

	return (uint64_t)(((unsigned __int128)ticks * mult) >> SHIFT);
}

void ember_sleep_until(uint64_t deadline_ns)
{
	/* block may return early (a packet arrived): wait again. */
	for (;;) {
		uint64_t now = ember_monotonic_ns();

		if (now >= deadline_ns)
			return;
		hc.timeout_ns = deadline_ns - now;
		if (hc.timeout_ns == UINT64_MAX)
			hc.timeout_ns--; /* UINT64_MAX means "no deadline" */
		hc.ret = 0;
		ember_hypercall(EMBER_HC_BLOCK, &hc);
		if (hc.ret < 0)
			return;
	}
}

int ember_timespec_ns(const struct timespec *ts, uint64_t *ns)
{
	uint64_t sec;

	if (!ts)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -EINVAL;
	sec = (uint64_t)ts->tv_sec;
	if (sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / 1000000000u)
		*ns = UINT64_MAX;
	else
		*ns = sec * 1000000000u + (uint64_t)ts->tv_nsec;
	return 0;
}
