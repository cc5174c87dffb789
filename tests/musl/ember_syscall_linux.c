/* Test-only ember_syscall: runs Ember's musl natively on Linux.
 *
 * In an image, ember_syscall is the runtime's. Here each call is logged
 * (ember_test.h) and forwarded to the real kernel, so the test can check
 * that every path we replaced in musl passes the right number and
 * arguments, and that libc works on top of it. Two calls cannot be
 * forwarded from inside a function: a thread clone (the child would start
 * on a new stack in the middle of this function) and vfork (the child
 * would scribble on our stack); like the runtime, they return -ENOSYS.
 * Built without a stack protector: it runs before TLS is set up. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "ember_test.h"

static struct call_log own_calls[LOG_CALLS];
struct call_log *ember_test_calls = own_calls;

static long linux_syscall(long n, long a1, long a2, long a3, long a4, long a5,
			  long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			       "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

static void log_call(long n, const long *args)
{
	if (n < 0 || n >= LOG_CALLS)
		return;
	struct call_log *c = &ember_test_calls[n];
	c->count++;
	for (int i = 1; i <= 6; i++)
		c->arg[i] = args[i];
	if (n == SYS_clone && args[2] != 0)
		c->stack_top = *(const long *)args[2];
}

long ember_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	const long args[7] = {n, a1, a2, a3, a4, a5, a6};

	log_call(n, args);
	if ((n == SYS_clone && a2 != 0) || n == SYS_vfork)
		return -ENOSYS;
	if (n == SYS_rt_sigreturn) {
		/* __restore_rt passes the signal frame in a1: the kernel
		 * expects it at %rsp. */
		__asm__ __volatile__("mov %0, %%rsp\n\t"
				     "syscall"
				     :
				     : "r"(a1), "a"(n)
				     : "memory");
		__builtin_unreachable();
	}
	return linux_syscall(n, a1, a2, a3, a4, a5, a6);
}

/* musl's socket functions call the runtime's network module instead of
 * ember_syscall (unikernel-rt/musl/src/network/); here it is Linux's.
 * The runtime takes musl's struct msghdr as it is; the kernel reads
 * msg_iovlen and msg_controllen as size_t, so the padding musl's own
 * wrappers clear is cleared here. */
long ember_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
		       long a6)
{
	if ((n == SYS_sendmsg || n == SYS_recvmsg) && a2) {
		struct msghdr *m = (struct msghdr *)a2;
		m->__pad1 = m->__pad2 = 0;
	}
	return ember_syscall(n, a1, a2, a3, a4, a5, a6);
}
