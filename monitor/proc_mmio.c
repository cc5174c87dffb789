/*
 * The process backend's device register accesses. The guest process has
 * nothing mapped at the register window (the stub unmaps everything
 * above guest memory), so an access faults: SIGSEGV, SEGV_MAPERR, with
 * si_addr in the window. The monitor decodes the instruction at rip
 * (mmio_decode.c), checks that it really accesses the window, performs
 * the access on the device, updates the destination register and steps
 * rip past the instruction, as the CPU would have.
 */
#include <elf.h>
#include <stdio.h>

#include "mmio_decode.h"
#include "net.h"
#include "proc.h"

/* user_regs_struct in x86 encoding order (rax, rcx, rdx, rbx, rsp, rbp,
 * rsi, rdi, r8..r15). */
static void get_regs(const struct user_regs_struct *u, uint64_t r[16])
{
	r[0] = u->rax, r[1] = u->rcx, r[2] = u->rdx, r[3] = u->rbx;
	r[4] = u->rsp, r[5] = u->rbp, r[6] = u->rsi, r[7] = u->rdi;
	r[8] = u->r8, r[9] = u->r9, r[10] = u->r10, r[11] = u->r11;
	r[12] = u->r12, r[13] = u->r13, r[14] = u->r14, r[15] = u->r15;
}

static void set_regs(struct user_regs_struct *u, const uint64_t r[16])
{
	u->rax = r[0], u->rcx = r[1], u->rdx = r[2], u->rbx = r[3];
	u->rsp = r[4], u->rbp = r[5], u->rsi = r[6], u->rdi = r[7];
	u->r8 = r[8], u->r9 = r[9], u->r10 = r[10], u->r11 = r[11];
	u->r12 = r[12], u->r13 = r[13], u->r14 = r[14], u->r15 = r[15];
}

/* The instruction bytes at rip, from the executable image segment that
 * holds them (guest code runs nowhere else). */
static const uint8_t *code_at(const struct vm *vm, uint64_t rip, size_t *avail)
{
	const struct image_segment *s = image_segment_at(&vm->img, rip, 1);
	uint64_t end;

	if (!s || !(s->flags & PF_X))
		return NULL;
	end = s->vaddr + s->memsz;
	*avail =
	    end - rip < MMIO_INSN_MAX ? (size_t)(end - rip) : MMIO_INSN_MAX;
	return guest_ptr(&vm->mem, rip, *avail);
}

int proc_mmio(struct vm *vm, uint64_t addr)
{
	struct proc *p = proc_of(vm);
	uint64_t rip = p->regs.rip, regs[16], ea;
	struct mmio_insn in;
	const uint8_t *code;
	size_t avail = 0;
	char where[160];

	code = code_at(vm, rip, &avail);
	if (!code || mmio_decode(code, avail, &in) < 0) {
		vm->stats.exits[STAT_EXIT_MMIO]++;
		vm_crash(vm,
			 "guest accessed the network device at 0x%llx with an "
			 "instruction ember-vmm cannot emulate at RIP %s; use "
			 "plain mov/movzx (the runtime's MMIO accessors)",
			 (unsigned long long)addr,
			 proc_describe_rip(vm, rip, where, sizeof(where)));
		return 1;
	}
	get_regs(&p->regs, regs);
	ea = mmio_ea(&in, regs);
	/* The decoded access must be the one that faulted, wholly inside
	 * the window; else it is an ordinary page fault (the caller's). */
	if (!net_mmio_window(ea, in.size) || addr < ea || addr - ea >= in.size)
		return -1;
	if (in.write)
		net_mmio_write(vm, ea, in.size, mmio_store_value(&in, regs));
	else
		mmio_load(&in, regs, net_mmio_read(vm, ea, in.size));
	set_regs(&p->regs, regs);
	p->regs.rip = rip + in.len;
	p->regs_dirty = 1;
	return 0;
}
