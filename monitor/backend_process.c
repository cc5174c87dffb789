/*
 * The process backend: the guest runs in a ptrace'd child process on
 * hosts without /dev/kvm (like Solo5's spt next to hvt). See proc.h for
 * how it works and what it isolates; this file holds the backend_ops.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include "proc.h"

/* Linux's user code and data selectors: what KVM's GDT uses too. */
#define USER_CS 0x33
#define USER_SS 0x2b
/* IF; the kernel keeps IOPL at 0 (hence `out` faults, see proc_fault.c) */
#define ENTRY_RFLAGS 0x202
/* The end of the lowest 47-bit half: the highest FS base we accept. */
#define USER_ADDR_END 0x7ffffffff000ull

static void proc_destroy(struct vm *vm);

static void add_map(struct proc *p, uint64_t start, uint64_t end, int prot)
{
	if (end > start && p->nmaps < PROC_MAX_MAPS)
		p->maps[p->nmaps++] =
		    (struct proc_map){start, end - start, prot};
}

/* Everything the guest may touch, with its permissions; nothing else
 * (page 0, the monitor-owned ranges and the stack guard stay unmapped). */
static void build_maps(struct vm *vm, struct proc *p)
{
	const struct guest_layout *l = &vm->layout;
	unsigned i;

	p->nmaps = 0;
	add_map(p, EMBER_BOOTINFO_GPA, EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE,
		PROT_READ);
	for (i = 0; i < vm->img.nseg; i++) {
		const struct image_segment *s = &vm->img.seg[i];
		uint64_t end = (s->vaddr + s->memsz + EMBER_PAGE_SIZE - 1) &
			       ~(EMBER_PAGE_SIZE - 1);
		int prot = PROT_READ;

		if (s->flags & PF_W)
			prot |= PROT_WRITE;
		if (s->flags & PF_X)
			prot |= PROT_EXEC;
		add_map(p, s->vaddr, end, prot);
	}
	add_map(p, l->heap_start, l->heap_end, PROT_READ | PROT_WRITE);
	add_map(p, l->stack_bottom, l->stack_top, PROT_READ | PROT_WRITE);
}

static int proc_create(struct vm *vm)
{
	uint64_t size = vm->layout.mem_size;
	struct proc *p = calloc(1, sizeof(*p));
	void *base;

	if (!p) {
		vmm_error("out of memory");
		return -1;
	}
	p->memfd = -1;
	p->pidfd = -1;
	vm->be_state = p;
	/* A memfd so that the child maps the very same pages. Never
	 * pre-touched: the guest faults pages in as it uses them. */
	p->memfd = memfd_create("ember-guest", MFD_CLOEXEC);
	if (p->memfd < 0 || ftruncate(p->memfd, (off_t)size) < 0) {
		vmm_error("cannot allocate %llu MiB of guest memory: %s",
			  (unsigned long long)(size >> 20), strerror(errno));
		proc_destroy(vm);
		return -1;
	}
	base =
	    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p->memfd, 0);
	if (base == MAP_FAILED) {
		vmm_error("cannot map %llu MiB of guest memory: %s",
			  (unsigned long long)(size >> 20), strerror(errno));
		proc_destroy(vm);
		return -1;
	}
	vm->mem.base = base;
	vm->mem.size = size;
	/* The guest process starts now, in parallel with the image copy
	 * and the end of the TSC calibration; prepare() collects it. */
	build_maps(vm, p);
	if (proc_spawn(vm) < 0) {
		proc_destroy(vm);
		return -1;
	}
	return 0;
}

/* The architectural entry state (see abi.h), except IOPL, and a reset
 * x87/SSE state instead of whatever the monitor had. */
static int set_entry_state(struct vm *vm, struct proc *p)
{
	struct user_fpregs_struct fp;

	memset(&p->regs, 0, sizeof(p->regs));
	p->regs.rip = vm->img.entry;
	p->regs.rsp = vm->layout.stack_top;
	p->regs.rdi = EMBER_BOOTINFO_GPA;
	p->regs.eflags = ENTRY_RFLAGS;
	p->regs.cs = USER_CS;
	p->regs.ss = USER_SS;
	/* Not in a system call: no restart logic may touch rip/rax. */
	p->regs.orig_rax = (unsigned long long)-1;
	p->regs_dirty = 1;

	memset(&fp, 0, sizeof(fp));
	fp.cwd = 0x37f;
	fp.mxcsr = 0x1f80;
	if (ptrace(PTRACE_SETFPREGS, p->pid, 0, &fp) < 0) {
		vmm_error("cannot set the guest's FPU state: %s",
			  strerror(errno));
		return -1;
	}
	return 0;
}

static int proc_prepare(struct vm *vm)
{
	struct proc *p = proc_of(vm);

	if (proc_spawn_finish(p) < 0)
		return -1;
	/* EXITKILL: the guest never outlives the monitor, even on SIGKILL.
	 * TRACESYSGOOD: syscall stops are told apart from SIGTRAP. */
	if (ptrace(PTRACE_SETOPTIONS, p->pid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
		vmm_error("cannot trace the guest process: %s",
			  strerror(errno));
		proc_kill(p);
		return -1;
	}
	if (set_entry_state(vm, p) < 0) {
		proc_kill(p);
		return -1;
	}
	return 0;
}

static uint64_t proc_guest_tsc(struct vm *vm)
{
	(void)vm;
	/* The child runs on the host's TSC, unscaled and unoffset. */
	return __rdtsc();
}

static uint64_t proc_tsc_khz_op(struct vm *vm)
{
	(void)vm;
	return proc_tsc_khz();
}

static uint64_t proc_fault_address(struct vm *vm)
{
	return proc_of(vm)->fault_addr;
}

static int proc_protect(struct vm *vm, uint64_t gpa, uint64_t len,
			uint32_t prot)
{
	struct proc *p = proc_of(vm);
	long ret;

	if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (proc_inject(p, SYS_mprotect, gpa, len, prot, &ret) < 0)
		return -EIO; /* the child is gone; the run loop reports it */
	return (int)ret;
}

static int proc_set_fs_base(struct vm *vm, uint64_t base)
{
	struct proc *p = proc_of(vm);

	/* The kernel takes only user addresses (it would fail SETREGS). */
	if (base >= USER_ADDR_END)
		return -EINVAL;
	p->regs.fs_base = base;
	p->regs_dirty = 1;
	return 0;
}

static void proc_destroy(struct vm *vm)
{
	struct proc *p = proc_of(vm);

	if (!p)
		return;
	proc_kill(p);
	if (vm->mem.base)
		munmap(vm->mem.base, vm->mem.size);
	vm->mem.base = NULL;
	vm->mem.size = 0;
	if (p->memfd >= 0)
		close(p->memfd);
	free(p);
	vm->be_state = NULL;
}

const struct backend_ops backend_process = {
    .name = "process",
    .create = proc_create,
    .prepare = proc_prepare,
    .guest_tsc = proc_guest_tsc,
    .tsc_khz = proc_tsc_khz_op,
    .run = proc_run,
    .fault_address = proc_fault_address,
    .protect = proc_protect,
    .set_fs_base = proc_set_fs_base,
    .destroy = proc_destroy,
};
