/* Ember replacement for musl's arch/x86_64/syscall_arch.h.
 *
 * An Ember guest runs at CPL3 with no kernel underneath: the `syscall`
 * instruction has nowhere to go, and every exit to the monitor is expensive.
 * So a system call is a plain function call into the runtime
 * (unikernel-rt), which implements the Linux semantics and returns a result
 * or -errno exactly like the kernel would. The numbers are Linux's.
 *
 * The vDSO defines (VDSO_USEFUL, VDSO_CGT_SYM, VDSO_GETCPU_SYM) are left
 * out on purpose: there is no vDSO, and without them clock_gettime and
 * sched_getcpu go through ember_syscall too. */

#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

/* Defined by the runtime. Hidden: a direct call, never through a GOT. */
__attribute__((__visibility__("hidden"))) long
ember_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

static __inline long __syscall0(long n)
{
	return ember_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
	return ember_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
	return ember_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	return ember_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return ember_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4,
				long a5)
{
	return ember_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4,
				long a5, long a6)
{
	return ember_syscall(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
