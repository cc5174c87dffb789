/*
 * Crash reports: CPU exceptions (from the trap stubs in trap.S) and
 * aborts / fatal signals (from signal_syscalls.c). The runtime only
 * gathers registers and a frame-pointer backtrace into
 * struct ember_hc_crash; the monitor, which has the symbol table,
 * prints and symbolises it and exits with EMBER_EXIT_CRASH.
 *
 * This code runs after something went wrong, so it trusts nothing: every
 * frame pointer is checked to lie, 8-byte aligned, inside the stack it
 * started on before it is read, and a fault in here sends whatever was
 * collected so far instead of recursing.
 */
#include "hypercall.h"
#include "rt.h"

static struct ember_hc_crash report; /* static: below 4 GiB */
static volatile int in_crash;

_Noreturn void ember_trap_report(struct ember_crash_regs *regs, uint64_t vector,
				 uint64_t error_code);

static _Noreturn void send(void)
{
	ember_hypercall(EMBER_HC_CRASH, &report);
	/* EMBER_HC_CRASH does not return. If it did, still end the VM. */
	ember_exit(EMBER_EXIT_CRASH);
}

/* The readable stack that holds fp: the main stack, or a heap mapping
 * (a thread stack). Anything else yields an empty range. */
static void stack_of(uint64_t fp, uint64_t *lo, uint64_t *hi)
{
	struct vmem_extent x;

	*lo = *hi = 0;
	if (fp >= ember_bi->stack_bottom && fp < ember_bi->stack_top) {
		*lo = ember_bi->stack_bottom;
		*hi = ember_bi->stack_top;
	} else if (vmem_lookup(&ember_vmem, (uintptr_t)fp, &x) &&
		   x.prot != VMEM_PROT_NONE) {
		*lo = x.start;
		*hi = x.end;
	}
}

/* Follow the rbp chain: [fp] = caller's fp, [fp + 8] = return address. */
static void backtrace(uint64_t fp)
{
	uint64_t lo, hi;

	stack_of(fp, &lo, &hi);
	while (report.nframes < EMBER_CRASH_MAX_FRAMES) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;

		if (fp % 8 || fp < lo || hi < 16 || fp > hi - 16)
			return;
		if (frame[1] == 0)
			return;
		report.frames[report.nframes] = frame[1];
		/* Store before the next read: a fault there reports this. */
		__asm__ volatile("" : : : "memory");
		report.nframes++;
		if (frame[0] <= fp)
			return; /* frames move up the stack; stops loops */
		fp = frame[0];
	}
}

_Noreturn void ember_trap_report(struct ember_crash_regs *regs, uint64_t vector,
				 uint64_t error_code)
{
	if (in_crash)
		send(); /* a fault while reporting: send what we have */
	in_crash = 1;
	report.vector = (uint32_t)vector;
	report.error_code = error_code;
	report.regs = *regs;
	report.nframes = 0;
	__asm__ volatile("" : : : "memory");
	backtrace(regs->rbp);
	send();
}

struct ember_crash_regs ember_syscall_caller;

static uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

_Noreturn void ember_crash_abort(int sig)
{
	if (in_crash)
		send();
	in_crash = 1;
	report.regs = ember_syscall_caller;
	report.regs.rax = 0; /* not saved: the call clobbers it anyway */
	report.regs.rflags = read_rflags();
	report.vector = EMBER_CRASH_ABORT;
	report.error_code = (uint64_t)sig; /* 0: deadlock, not a signal */
	report.nframes = 0;
	__asm__ volatile("" : : : "memory");
	backtrace(report.regs.rbp);
	send();
}
