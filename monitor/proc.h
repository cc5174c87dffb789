/*
 * Internals of the process backend (backend_process.c and proc_*.c).
 *
 * The guest runs in a fork()ed child that maps the guest memory memfd at
 * its guest-physical addresses and is traced with PTRACE_SYSEMU: a
 * `syscall` in the guest never reaches the host kernel, it stops the
 * child instead. Hypercalls (`outl`, which faults at CPL3 without IOPL)
 * and CPU exceptions arrive as signal-delivery stops; the parent emulates
 * the hypercall or delivers the exception into the guest's trap stubs
 * and suppresses the signal.
 *
 * Security: the isolation is PTRACE_SYSEMU (no guest system call reaches
 * the host kernel) plus a separate address space holding nothing but the
 * guest ranges, one page of stub code (proc_stub.c) and the kernel's
 * vsyscall page (whose emulation only answers time and getcpu queries),
 * and no file descriptors. It is weaker than the KVM
 * backend, which is the real security boundary.
 */
#ifndef EMBER_PROC_H
#define EMBER_PROC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "vm.h"

/* One memfd-backed mapping in the child: [gpa, gpa + len), identity. */
struct proc_map {
	uint64_t gpa, len;
	int prot;
};

#define PROC_MAX_MAPS (IMAGE_MAX_SEGMENTS + 3)

/* vm->be_state */
struct proc {
	int memfd;
	pid_t pid;   /* traced child; 0 = none (never started or reaped) */
	int pidfd;   /* the child, for signal handlers (no pid reuse race) */
	int wstatus; /* how the child ended, once pid is 0 again */
	struct user_regs_struct regs; /* the child's registers at this stop */
	int regs_dirty;		      /* regs must be written before resuming */
	uint64_t fault_addr;	      /* CR2 of the last #PF delivered */
	struct proc_map maps[PROC_MAX_MAPS];
	unsigned nmaps;
};

static inline struct proc *proc_of(struct vm *vm)
{
	return vm->be_state;
}

/* proc_stub.c: the guest process's program (see there). It lives at
 * PROC_STUB_BASE, far above any guest memory (EMBER_MEM_MAX). */
#define PROC_STUB_BASE	       0x10000000000ull /* 1 TiB */
#define PROC_STUB_EXIT_EXEC    120 /* exit status: the exec failed */
#define PROC_STUB_EXIT_TRACEME 121 /* exit status: PTRACE_TRACEME failed */
#define PROC_STUB_EXIT_USER    122 /* exit status: --user switch failed */
/* Write the stub's ELF image for p->maps into buf; returns its size, or
 * 0 if it does not fit. */
size_t proc_stub_image(const struct proc *p, uint64_t mem_size, uint8_t *buf,
		       size_t len);
/* The address of the stub's `syscall; int3` gadget in the child. */
uint64_t proc_stub_gadget(void);

/* proc_spawn.c: start the child (from create(); p->maps filled in), and
 * wait until it has mapped guest memory and stopped (from prepare()).
 * Both print one line on failure and return -1. */
int proc_spawn(struct vm *vm);
int proc_spawn_finish(struct proc *p);

/* proc_inject.c: run system call nr with arguments a1..a3 in the stopped
 * child and stop it again; p->regs are kept and marked dirty. Returns 0
 * with the syscall's result in *ret, or -1 if the child died or stopped
 * unexpectedly. */
int proc_inject(struct proc *p, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		long *ret);

/* proc_run.c: the backend's run(). */
int proc_run(struct vm *vm);

/* proc_wait.c: waiting for the child. While the guest runs, SIGINT,
 * SIGTERM and the --timeout timer kill the child from their signal
 * handlers, so a blocking waitpid() can never outlive them. */
int proc_signals_install(struct vm *vm);
void proc_signals_restore(void);
/* waitpid(p->pid) with EINTR retried; returns 0 with *status (if the
 * child is gone, p->pid becomes 0 and p->wstatus the status), or -1 on
 * an unexpected error (after one line). */
int proc_wait(struct proc *p, int *status);
/* The child is gone: end the VM saying why (timeout, signal, crash). */
void proc_child_died(struct vm *vm, int status);
/* Kill and reap the child, if any. */
void proc_kill(struct proc *p);

/* proc_fault.c: handle a signal-delivery stop (regs already read).
 * Returns 0 to resume the guest, 1 when the VM ended. */
int proc_handle_signal(struct vm *vm, const siginfo_t *si);
/* Describe guest address addr as "0x... (func+0x...)" into buf. */
const char *proc_describe_rip(const struct vm *vm, uint64_t addr, char *buf,
			      size_t len);

/* proc_mmio.c: a fault at addr in the network device's window (vm->net
 * set). Returns 0 (emulated: resume), 1 (the VM ended: an instruction
 * that cannot be emulated), or -1 (not a device access after all: an
 * ordinary page fault). */
int proc_mmio(struct vm *vm, uint64_t addr);

/* proc_tsc.c */
uint64_t proc_tsc_khz(void);

#endif
