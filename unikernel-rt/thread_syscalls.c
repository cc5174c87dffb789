/*
 * Threads as musl's pthreads see them: clone with exactly the flags
 * pthread_create uses, exit of one thread, thread ids, sched_yield.
 * The scheduling itself is sched.c's.
 */
#include <errno.h>
#include <sched.h>

#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

/* What musl's pthread_create passes (src/thread/pthread_create.c); the
 * low byte, the exit signal, is 0. Nothing else can be done without
 * processes or separate address spaces. */
#define PTHREAD_FLAGS                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |    \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                  \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED)

/* clone(flags, stack, ptid, ctid, tls) plus fn, which our __clone passes
 * as the sixth argument (musl/src/thread/x86_64/clone.s). */
long ember_sys_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		     unsigned long tls, int (*fn)(void *))
{
	struct ember_thread *t;
	uintptr_t sp = (uintptr_t)stack;

	if (flags != PTHREAD_FLAGS || !fn || sp % 16 != 8)
		return -EINVAL;
	if (!ember_range_readable(stack, 8) ||
	    !ember_range_readable((char *)stack - 64, 64) ||
	    !ember_range_readable(ptid, sizeof(*ptid)))
		return -EFAULT;
	if (tls >= UINT64_C(1) << 47)
		return -EPERM;
	t = ember_thread_clone(fn, stack, tls);
	if (!t)
		return -EAGAIN;
	t->clear_tid = ctid;
	*ptid = ember_thread_tid(t);
	return ember_thread_tid(t);
}

long ember_sys_exit_thread(long status)
{
	ember_thread_exit((int)status);
}

long ember_sys_exit(long status)
{
	ember_exit((int)status);
}

long ember_sys_set_tid_address(int *addr)
{
	struct ember_thread *t = ember_thread_self();

	t->clear_tid = addr;
	return ember_thread_tid(t);
}

long ember_sys_gettid(void)
{
	return ember_thread_tid(ember_thread_self());
}

long ember_sys_sched_yield(void)
{
	ember_yield();
	return 0;
}
