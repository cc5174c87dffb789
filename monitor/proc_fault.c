/*
 * The process backend's signal stops: what the CPU did in the guest.
 *
 * - `outl %eax,%dx` faults with #GP at CPL3 without IOPL (the kernel
 *   never grants it to us), arriving as SIGSEGV/SI_KERNEL with rip on the
 *   instruction: that is a hypercall, emulated here.
 * - Every other CPU exception is delivered into the guest exactly as the
 *   CPU does through the KVM backend's IDT: a frame on the trap stack
 *   (IST), rip at the vector's stub. The signal itself is suppressed.
 */
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "proc.h"

#define VEC_DE 0
#define VEC_DB 1
#define VEC_BP 3
#define VEC_UD 6
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_AC 17
#define VEC_XM 19

/* #PF error code bits */
#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER	   0x4
#define PF_FETCH   0x10
#define PF_PK	   0x20

/* The frame the CPU pushes; the selectors are those of KVM's GDT. */
#define FRAME_CS       0x33
#define FRAME_SS       0x2b
#define RFLAGS_CLEARED 0x14100ull /* TF, NT, RF: cleared on delivery */
/* A fault with rsp this close below the trap stack's top happened in
 * the exception handler itself. */
#define TRAP_STACK_BUSY (16u << 10)

static const char *const vec_names[EMBER_TRAP_VECTORS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "vector 15",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
};

static const char *vec_name(unsigned v)
{
	return v < EMBER_TRAP_VECTORS && vec_names[v] ? vec_names[v] : "?";
}

static int has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 ||
	       v == 29 || v == 30;
}

const char *proc_describe_rip(const struct vm *vm, uint64_t addr, char *buf,
			      size_t len)
{
	uint64_t off;
	const char *fn = image_symbolize(&vm->img, addr, &off);

	if (fn)
		snprintf(buf, len, "0x%llx (%s+0x%llx)",
			 (unsigned long long)addr, fn, (unsigned long long)off);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

/* [addr, addr + len) in a loaded segment with all of the flags. */
static int in_segment(const struct vm *vm, uint64_t addr, uint64_t len,
		      uint32_t flags)
{
	const struct image_segment *s = image_segment_at(&vm->img, addr, len);

	return s && (s->flags & flags) == flags;
}

static int deliver(struct vm *vm, unsigned vec, uint64_t err)
{
	struct proc *p = proc_of(vm);
	const struct ember_manifest *mf = &vm->img.manifest;
	uint64_t top = mf->trap_stack_top & ~15ull, rsp = p->regs.rsp;
	uint64_t f[6], n = 0, base;
	char where[160];

	vm->stats.exits[STAT_EXIT_FAULT]++;
	proc_describe_rip(vm, p->regs.rip, where, sizeof(where));
	if (rsp <= top && top - rsp < TRAP_STACK_BUSY) {
		vm_crash(vm,
			 "guest crashed inside its exception handler: %s "
			 "(error 0x%llx, address 0x%llx) at RIP %s",
			 vec_name(vec), (unsigned long long)err,
			 (unsigned long long)p->fault_addr, where);
		return 1;
	}
	if (has_error_code(vec))
		f[n++] = err;
	f[n++] = p->regs.rip;
	f[n++] = FRAME_CS;
	f[n++] = p->regs.eflags;
	f[n++] = rsp;
	f[n++] = FRAME_SS;
	base = top - n * 8;
	/* The image's manifest names these; never trust it to be sane. */
	if (top < n * 8 || !guest_ptr(&vm->mem, base, n * 8) ||
	    !in_segment(vm, base, n * 8, PF_W) ||
	    mf->trap_entry > UINT64_MAX - EMBER_TRAP_STUB_SIZE * (vec + 1) ||
	    !in_segment(vm, mf->trap_entry + EMBER_TRAP_STUB_SIZE * vec,
			EMBER_TRAP_STUB_SIZE, PF_X)) {
		vm_crash(vm,
			 "guest %s at RIP %s cannot be delivered: the image's "
			 "trap stubs or trap stack are not in guest memory",
			 vec_name(vec), where);
		return 1;
	}
	memcpy(guest_ptr(&vm->mem, base, n * 8), f, n * 8);
	p->regs.rsp = base;
	p->regs.rip = mf->trap_entry + EMBER_TRAP_STUB_SIZE * vec;
	p->regs.eflags &= ~RFLAGS_CLEARED;
	p->regs_dirty = 1;
	return 0;
}

/* An access fault on a page the guest may read but not write must have
 * been a write (fetches are recognised by their address). */
static int read_only_page(const struct vm *vm, uint64_t addr)
{
	if (addr >= EMBER_BOOTINFO_GPA &&
	    addr - EMBER_BOOTINFO_GPA < EMBER_BOOTINFO_SIZE)
		return 1;
	return in_segment(vm, addr, 1, 0) && !in_segment(vm, addr, 1, PF_W);
}

/* The kernel does not tell a ptracer the #PF error code: rebuild what
 * can be known. The write bit is set for read-only pages, and for the
 * slot just below rsp (the push or call of a stack overflow); other
 * writes to unmapped pages show as reads. */
static int page_fault(struct vm *vm, const siginfo_t *si)
{
	struct proc *p = proc_of(vm);
	uint64_t addr = (uint64_t)(uintptr_t)si->si_addr, rip = p->regs.rip;
	uint64_t err = PF_USER;
	int r;

	/* The device's registers: nothing is mapped there (proc_mmio.c).
	 * An instruction fetch from the window is an ordinary fault. */
	if (vm->net && si->si_code == SEGV_MAPERR && addr != rip &&
	    net_mmio_window(addr, 1)) {
		r = proc_mmio(vm, addr);
		if (r >= 0)
			return r;
	}
	if (si->si_code == SEGV_ACCERR || si->si_code == SEGV_PKUERR)
		err |= PF_PRESENT;
	if (si->si_code == SEGV_PKUERR)
		err |= PF_PK;
	/* A fetch faults at rip, or at the next page for an instruction
	 * that crosses into it. */
	if (addr == rip ||
	    (addr > rip && addr - rip < 16 && addr % EMBER_PAGE_SIZE == 0))
		err |= PF_FETCH;
	else if (((err & PF_PRESENT) && read_only_page(vm, addr)) ||
		 addr == p->regs.rsp - 8)
		err |= PF_WRITE;
	p->fault_addr = addr;
	return deliver(vm, VEC_PF, err);
}

static int io_crash(struct vm *vm, const char *what, unsigned port,
		    unsigned size)
{
	char where[160];

	vm->stats.exits[STAT_EXIT_OTHER_IO]++;
	vm_crash(
	    vm,
	    "guest %s I/O port 0x%x with a %u-byte access at RIP %s; "
	    "only 4-byte `outl %%eax,%%dx` to the hypercall ports "
	    "0x%x-0x%x is supported",
	    what, port, size,
	    proc_describe_rip(vm, proc_of(vm)->regs.rip, where, sizeof(where)),
	    EMBER_HC_PORT_BASE, EMBER_HC_PORT_BASE + EMBER_HC_PORT_COUNT - 1);
	return 1;
}

static int hypercall(struct vm *vm, uint64_t insn_len)
{
	struct proc *p = proc_of(vm);

	vm->stats.exits[STAT_EXIT_HYPERCALL]++;
	/* Past the `out` first: the hypercall may change other registers
	 * (set_fs_base) and the guest resumes after it. */
	p->regs.rip += insn_len;
	p->regs_dirty = 1;
	return hypercall_dispatch(vm, (uint16_t)p->regs.rdx,
				  (uint32_t)p->regs.rax);
}

/* SIGSEGV with SI_KERNEL: a #GP. Port I/O is the one #GP we emulate. */
static int general_protection(struct vm *vm)
{
	struct proc *p = proc_of(vm);
	uint64_t rip = p->regs.rip, avail;
	unsigned dx = (uint16_t)p->regs.rdx, size = 4, i = 0;
	const uint8_t *b = guest_ptr(&vm->mem, rip, 1);
	char where[160];

	if (!b) {
		vm_crash(vm,
			 "guest #GP general protection at RIP %s, outside "
			 "guest memory",
			 proc_describe_rip(vm, rip, where, sizeof(where)));
		return 1;
	}
	avail = vm->mem.size - rip;
	/* Operand-size and rep prefixes, in either order: `rep outsb` to a
	 * hypercall port is string I/O, not the guest's own #GP. */
	while (i < 2 && avail > i + 1 &&
	       (b[i] == 0x66 || b[i] == 0xf2 || b[i] == 0xf3)) {
		if (b[i] == 0x66)
			size = 2;
		i++;
	}
	switch (b[i]) {
	case 0xef:
		return size == 4 ? hypercall(vm, i + 1)
				 : io_crash(vm, "wrote", dx, size);
	case 0xee:
		return io_crash(vm, "wrote", dx, 1);
	case 0xe6:
	case 0xe7:
		return io_crash(vm, "wrote", avail > i + 1 ? b[i + 1] : 0,
				b[i] == 0xe6 ? 1 : size);
	case 0xec:
	case 0xed:
		return io_crash(vm, "read", dx, b[i] == 0xec ? 1 : size);
	case 0xe4:
	case 0xe5:
		return io_crash(vm, "read", avail > i + 1 ? b[i + 1] : 0,
				b[i] == 0xe4 ? 1 : size);
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f:
		return io_crash(vm, "used string I/O on", dx,
				b[i] == 0x6c || b[i] == 0x6e ? 1 : size);
	default:
		return deliver(vm, VEC_GP, 0);
	}
}

int proc_handle_signal(struct vm *vm, const siginfo_t *si)
{
	/* kill(), tgkill(), sigqueue() from outside: not a CPU event. */
	if (si->si_code <= 0) {
		vm->stats.exits[STAT_EXIT_OTHER]++;
		return 0;
	}
	switch (si->si_signo) {
	case SIGSEGV:
		if (si->si_code == SI_KERNEL)
			return general_protection(vm);
		if (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR ||
		    si->si_code == SEGV_PKUERR)
			return page_fault(vm, si);
		return deliver(vm, VEC_GP, 0);
	case SIGILL:
		return deliver(vm, VEC_UD, 0);
	case SIGFPE:
		/* x87 exceptions are masked by default: the rest is SSE. */
		return deliver(vm,
			       si->si_code == FPE_INTDIV ||
				       si->si_code == FPE_INTOVF
				   ? VEC_DE
				   : VEC_XM,
			       0);
	case SIGTRAP:
		return deliver(vm,
			       si->si_code == SI_KERNEL ||
				       si->si_code == TRAP_BRKPT
				   ? VEC_BP
				   : VEC_DB,
			       0);
	case SIGBUS:
		if (si->si_code == BUS_ADRALN)
			return deliver(vm, VEC_AC, 0);
		return deliver(vm, si->si_code == SI_KERNEL ? VEC_SS : VEC_GP,
			       0);
	default:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		return 0;
	}
}
