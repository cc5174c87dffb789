/*
 * Making the stopped guest process run one system call on the monitor's
 * behalf (mprotect for EMBER_HC_PROTECT): point its rip at the stub's
 * `syscall; int3` gadget, resume it with PTRACE_CONT (not SYSEMU, so the
 * system call really runs), catch the int3 and put the guest's registers
 * back.
 */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "proc.h"

#define GADGET_INT3_END 3 /* syscall (2 bytes) + int3 (1 byte) */
#define X86_TF		0x100ull

/* Resume the child and wait until it reaches the int3. Signals sent to
 * it from outside meanwhile are suppressed. */
static int run_to_int3(struct proc *p, struct user_regs_struct *r)
{
	uint64_t gadget = proc_stub_gadget();
	int st;

	for (;;) {
		if (ptrace(PTRACE_CONT, p->pid, 0, 0) < 0)
			return -1;
		if (proc_wait(p, &st) < 0 || !WIFSTOPPED(st))
			return -1;
		if (ptrace(PTRACE_GETREGS, p->pid, 0, r) < 0)
			return -1;
		if (r->rip == gadget + GADGET_INT3_END &&
		    WSTOPSIG(st) == SIGTRAP)
			return 0;
		if (r->rip != gadget) /* it ran something else: give up */
			return -1;
	}
}

int proc_inject(struct proc *p, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		long *ret)
{
	struct user_regs_struct r = p->regs;

	if (p->pid <= 0)
		return -1;
	r.rax = (unsigned long long)nr;
	r.rdi = a1;
	r.rsi = a2;
	r.rdx = a3;
	r.rip = proc_stub_gadget();
	/* Not in a system call: the kernel's restart logic stays away. */
	r.orig_rax = (unsigned long long)-1;
	r.eflags &= ~X86_TF;
	if (ptrace(PTRACE_SETREGS, p->pid, 0, &r) < 0 || run_to_int3(p, &r) < 0)
		return -1;
	*ret = (long)r.rax;
	/* The guest's own registers go back before it runs again. */
	p->regs_dirty = 1;
	return 0;
}
