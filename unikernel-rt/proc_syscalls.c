/*
 * The process: exit, the TLS base, resource limits, CPU affinity.
 * One process (pid 1) on one vCPU; its threads are sched.c's.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "hypercall.h"
#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

/* From Linux <asm/prctl.h>, which musl does not ship. */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static struct ember_hc_exit hc_exit;

static struct rlimit limits[RLIM_NLIMITS];
static int limits_ready;

_Noreturn void ember_exit(int status)
{
	hc_exit.status = status;
	/* EMBER_HC_EXIT does not return; if a broken monitor resumes us,
	 * asking again is the only safe thing to do. */
	for (;;)
		ember_hypercall(EMBER_HC_EXIT, &hc_exit);
}

long ember_sys_arch_prctl(long code, unsigned long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		return ember_thread_set_fs(addr);
	case ARCH_GET_FS:
		if (!ember_range_readable((void *)addr, sizeof(uint64_t)))
			return -EFAULT;
		*(uint64_t *)addr = ember_thread_get_fs();
		return 0;
	default:
		return -EINVAL;
	}
}

static void limits_init(void)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		limits[i].rlim_cur = limits[i].rlim_max = RLIM_INFINITY;
	limits[RLIMIT_STACK].rlim_cur = limits[RLIMIT_STACK].rlim_max =
	    ember_bi->stack_top - ember_bi->stack_bottom;
	limits_ready = 1;
}

/* Limits are remembered (getrlimit returns what setrlimit set) but not
 * enforced: memory and stack are fixed by the monitor anyway. */
long ember_sys_prlimit(long pid, long res, const struct rlimit *new_lim,
		       struct rlimit *old_lim)
{
	if (pid != 0 && pid != 1)
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (!limits_ready)
		limits_init();
	if (new_lim && new_lim->rlim_cur > new_lim->rlim_max)
		return -EINVAL;
	if (old_lim)
		*old_lim = limits[res];
	if (new_lim)
		limits[res] = *new_lim;
	return 0;
}

/* One CPU. Returns the size of the kernel's mask, as Linux does. */
long ember_sys_sched_getaffinity(long pid, size_t size, void *mask)
{
	unsigned long one = 1;

	if (pid != 0 && pid != 1)
		return -ESRCH;
	if (size < sizeof(one) || size % sizeof(one))
		return -EINVAL;
	memcpy(mask, &one, sizeof(one));
	return sizeof(one);
}
