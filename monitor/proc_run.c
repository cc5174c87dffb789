/*
 * The process backend's run loop: resume the guest with PTRACE_SYSEMU,
 * wait for it to stop, and act on the stop. SYSEMU means that a guest
 * `syscall` stops the child before the kernel runs anything: the guest
 * has no way to make a real system call.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "proc.h"

#define SYSCALL_STOP (SIGTRAP | 0x80) /* with PTRACE_O_TRACESYSGOOD */

static int resume(struct proc *p)
{
	if (p->regs_dirty && ptrace(PTRACE_SETREGS, p->pid, 0, &p->regs) < 0)
		return -1;
	p->regs_dirty = 0;
	/* Signal 0: the signal of this stop (if any) is never delivered. */
	return (int)ptrace(PTRACE_SYSEMU, p->pid, 0, 0);
}

/* rip is just past the system call instruction at a syscall stop. */
static int syscall_stop(struct vm *vm, struct proc *p)
{
	uint64_t at = p->regs.rip - 2;
	const uint8_t *b = guest_ptr(&vm->mem, at, 2);
	const char *insn = "syscall";
	char where[160];

	vm->stats.exits[STAT_EXIT_FAULT]++;
	if (b && b[0] == 0xcd && b[1] == 0x80)
		insn = "int $0x80";
	else if (b && b[0] == 0x0f && b[1] == 0x34)
		insn = "sysenter";
	vm_crash(
	    vm,
	    "guest executed a %s instruction at RIP %s (system call %lld); "
	    "images must not contain system call instructions: build "
	    "them with ember-cc",
	    insn, proc_describe_rip(vm, at, where, sizeof(where)),
	    (long long)p->regs.orig_rax);
	return 1;
}

/* Returns 0 to resume the guest, 1 when the VM has ended. */
static int handle_stop(struct vm *vm, struct proc *p, int status)
{
	siginfo_t si;

	if (p->pid == 0) {
		proc_child_died(vm, status);
		return 1;
	}
	/* ESRCH here means the child was just killed (timeout, ^C): the
	 * next resume fails the same way and the wait reports the death. */
	if (ptrace(PTRACE_GETREGS, p->pid, 0, &p->regs) < 0)
		return 0;
	if (WSTOPSIG(status) == SYSCALL_STOP)
		return syscall_stop(vm, p);
	if (ptrace(PTRACE_GETSIGINFO, p->pid, 0, &si) < 0) {
		/* Not a signal-delivery stop (e.g. a group stop): go on. */
		vm->stats.exits[STAT_EXIT_OTHER]++;
		return 0;
	}
	return proc_handle_signal(vm, &si);
}

static void run_loop(struct vm *vm, struct proc *p)
{
	int status;

	for (;;) {
		if (p->pid == 0) {
			proc_child_died(vm, p->wstatus);
			return;
		}
		if (resume(p) < 0 && errno != ESRCH) {
			vmm_error("cannot resume the guest process: %s",
				  strerror(errno));
			break;
		}
		if (proc_wait(p, &status) < 0)
			break;
		if (handle_stop(vm, p, status))
			return;
	}
	vm->end = VM_ERROR;
	vm->exit_status = EMBER_EXIT_ERROR;
}

int proc_run(struct vm *vm)
{
	struct proc *p = proc_of(vm);

	if (p->pid <= 0) {
		vmm_error("the guest process is not running");
		vm->end = VM_ERROR;
		return vm->exit_status = EMBER_EXIT_ERROR;
	}
	if (proc_signals_install(vm) < 0) {
		vm->end = VM_ERROR;
		vm->exit_status = EMBER_EXIT_ERROR;
	} else {
		/* A ^C that came before the handlers: stop right away. */
		if (!vm_stop_requested(vm))
			run_loop(vm, p);
		proc_signals_restore();
	}
	/* Whatever ended the VM, the guest must not run on. The reaping
	 * (a process teardown, ~0.2 ms here) is left to destroy(), after
	 * the VM's end has been timed. */
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
	return vm->exit_status;
}
