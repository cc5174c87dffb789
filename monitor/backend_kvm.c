/*
 * The KVM backend of ember-vmm: the guest is a KVM micro-VM with one
 * vCPU that starts, and stays, at CPL3 in 64-bit mode (DESIGN.md,
 * decisions 1, 2, 4, 5). This file sets up the CPU state and edits the
 * guest's page tables; creation is in kvm_create.c and the run loop in
 * kvm_run.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "kvm_state.h"

#define MSR_IA32_TSC 0x10u

static struct kvm_state *state(struct vm *vm)
{
	return vm->be_state;
}

static int set_sregs(struct kvm_state *ks)
{
	struct kvm_sregs s;

	/* Start from KVM's reset state so the fields we do not own (APIC
	 * base, LDT, pending interrupt bitmap) stay valid. */
	if (ioctl(ks->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		vmm_error("KVM_GET_SREGS failed: %s", strerror(errno));
		return -1;
	}
	kvm_sregs_setup(&s, &ks->feat, KVM_PML4_GPA(0));
	ks->cr3_index = 0;
	if (ioctl(ks->vcpu_fd, KVM_SET_SREGS, &s) < 0) {
		vmm_error("KVM_SET_SREGS failed: %s (the host refused the "
			  "64-bit CPL3 start state)",
			  strerror(errno));
		return -1;
	}
	return 0;
}

static int set_xcr0(struct kvm_state *ks)
{
	struct kvm_xcrs x;

	if (!ks->feat.xsave)
		return 0;
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = ks->feat.xcr0;
	if (ioctl(ks->vcpu_fd, KVM_SET_XCRS, &x) < 0) {
		vmm_error("KVM_SET_XCRS (xcr0 = 0x%llx) failed: %s",
			  (unsigned long long)ks->feat.xcr0, strerror(errno));
		return -1;
	}
	return 0;
}

/* x87 and SSE control words as the SysV ABI expects them at process
 * start (KVM's reset values too, but do not depend on that). */
static int set_fpu(struct kvm_state *ks)
{
	struct kvm_fpu f;

	memset(&f, 0, sizeof(f));
	f.fcw = 0x37f;
	f.mxcsr = 0x1f80;
	if (ioctl(ks->vcpu_fd, KVM_SET_FPU, &f) < 0) {
		vmm_error("KVM_SET_FPU failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int set_regs(struct vm *vm, struct kvm_state *ks)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = vm->img.entry;
	r.rsp = vm->layout.stack_top;
	r.rdi = EMBER_BOOTINFO_GPA;
	r.rflags = KVM_GUEST_RFLAGS;
	if (ioctl(ks->vcpu_fd, KVM_SET_REGS, &r) < 0) {
		vmm_error("KVM_SET_REGS failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void set_bootinfo_flags(struct vm *vm, struct kvm_state *ks)
{
	struct ember_bootinfo *bi =
	    guest_ptr(&vm->mem, EMBER_BOOTINFO_GPA, sizeof(*bi));

	if (bi && ks->feat.fsgsbase)
		bi->flags |= EMBER_BI_FSGSBASE;
}

static int kvm_prepare(struct vm *vm)
{
	struct kvm_state *ks = state(vm);
	int rc;

	if (!ks || !vm->mem.base)
		return -1;
	rc = kvm_pt_build(&ks->pt, vm->mem.base, &vm->layout, &vm->img);
	if (!rc && vm->net)
		rc = kvm_pt_map_mmio(&ks->pt);
	if (rc) {
		vmm_error("cannot build the guest page tables: %s",
			  strerror(-rc));
		return -1;
	}
	kvm_desc_build(vm->mem.base, vm->img.manifest.trap_entry,
		       vm->img.manifest.trap_stack_top);
	set_bootinfo_flags(vm, ks);
	if (set_sregs(ks) || set_xcr0(ks) || set_fpu(ks) || set_regs(vm, ks))
		return -1;
	return 0;
}

static uint64_t kvm_guest_tsc(struct vm *vm)
{
	struct kvm_state *ks = state(vm);
	uint64_t buf[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) /
		     sizeof(uint64_t)];
	struct kvm_msrs *m = (struct kvm_msrs *)(void *)buf;

	if (!ks)
		return 0;
	memset(buf, 0, sizeof(buf));
	m->nmsrs = 1;
	m->entries[0].index = MSR_IA32_TSC;
	/* Returns the number of MSRs read. */
	if (ioctl(ks->vcpu_fd, KVM_GET_MSRS, m) != 1)
		return 0;
	return m->entries[0].data;
}

static uint64_t mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Fallback when KVM cannot tell the guest's TSC rate (kernels without
 * KVM_GET_TSC_KHZ, or it fails): such a KVM does not scale the TSC, so
 * the guest's runs at the host's rate. Measure that against the clock
 * over 2 ms (error well under 0.1%). */
static uint64_t calibrate_tsc_khz(void)
{
	uint64_t t0 = mono_raw_ns(), c0 = __builtin_ia32_rdtsc();
	uint64_t t1, c1;

	do
		t1 = mono_raw_ns();
	while (t1 - t0 < 2000000);
	c1 = __builtin_ia32_rdtsc();
	return (c1 - c0) * 1000000ull / (t1 - t0);
}

static uint64_t kvm_tsc_khz(struct vm *vm)
{
	struct kvm_state *ks = state(vm);

	if (!ks)
		return 0;
	if (ks->tsc_khz)
		return ks->tsc_khz;
	if (ks->have_tsc_khz) {
		int khz = ioctl(ks->vcpu_fd, KVM_GET_TSC_KHZ, 0ul);
		if (khz > 0)
			ks->tsc_khz = (uint64_t)khz;
	}
	if (!ks->tsc_khz)
		ks->tsc_khz = calibrate_tsc_khz();
	return ks->tsc_khz;
}

static uint64_t kvm_fault_address(struct vm *vm)
{
	struct kvm_state *ks = state(vm);
	struct kvm_sregs s;

	if (!ks || ioctl(ks->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return 0;
	return s.cr2;
}

/*
 * Make the vCPU see PTEs we edited for [gpa, gpa + len). The guest
 * cannot do it (invlpg and mov-to-CR3 are CPL0 instructions) and KVM
 * does not notice host-side writes to guest memory, so:
 *
 * 1. mprotect the host range read-only and back. The MMU notifier makes
 *    KVM drop every shadow or EPT/NPT entry that maps those pages. Under
 *    shadow paging (PVM on this platform, or a host without EPT/NPT)
 *    the shadow PTEs were built from our old guest PTEs and would
 *    otherwise stay in force; after the zap, the next guest access
 *    faults and KVM walks the edited tables afresh.
 * 2. Move CR3 to the other, identical PML4 page with KVM_SET_SREGS. A
 *    CR3 change makes KVM reset the vCPU's MMU context and flush the
 *    TLB for the new root. With EPT/NPT the hardware TLB caches linear
 *    translations built from our old PTEs, which step 1 does not touch.
 *    Setting the same CR3 again would not count as a change.
 */
static int kvm_flush_guest_tlb(struct vm *vm, struct kvm_state *ks,
			       uint64_t gpa, uint64_t len)
{
	uint8_t *host = vm->mem.base + gpa;
	struct kvm_sregs s;

	if (mprotect(host, len, PROT_READ) < 0 ||
	    mprotect(host, len, PROT_READ | PROT_WRITE) < 0) {
		vmm_error("mprotect of guest memory failed: %s",
			  strerror(errno));
		return -EIO;
	}
	if (ioctl(ks->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -EIO;
	ks->cr3_index ^= 1;
	s.cr3 = KVM_PML4_GPA(ks->cr3_index);
	if (ioctl(ks->vcpu_fd, KVM_SET_SREGS, &s) < 0) {
		vmm_error("KVM_SET_SREGS (TLB flush) failed: %s",
			  strerror(errno));
		return -EIO;
	}
	return 0;
}

static int kvm_protect(struct vm *vm, uint64_t gpa, uint64_t len, uint32_t prot)
{
	struct kvm_state *ks = state(vm);
	uint64_t flags;
	int rc;

	if (!ks)
		return -EINVAL;
	if (prot == PROT_NONE)
		flags = 0;
	else if (prot == PROT_READ)
		flags = kvm_leaf_flags(1, 0, 0);
	else if (prot == (PROT_READ | PROT_WRITE))
		flags = kvm_leaf_flags(1, 1, 0);
	else
		return -EINVAL;
	/* The caller validated the range; check again, it is cheap. */
	if (len == 0 || gpa % EMBER_PAGE_SIZE || len % EMBER_PAGE_SIZE ||
	    gpa < vm->layout.heap_start || gpa > vm->layout.heap_end ||
	    len > vm->layout.heap_end - gpa)
		return -EINVAL;
	rc = kvm_pt_map(&ks->pt, gpa, gpa + len, flags);
	if (rc)
		return rc;
	return kvm_flush_guest_tlb(vm, ks, gpa, len);
}

/* Used by the runtime only when bootinfo lacks EMBER_BI_FSGSBASE (host
 * CPU without FSGSBASE): then wrfsbase would #UD, so the monitor sets
 * the FS base for it. One exit per thread switch, but correct. */
static int kvm_set_fs_base(struct vm *vm, uint64_t base)
{
	struct kvm_state *ks = state(vm);
	struct kvm_sregs s;

	if (!ks)
		return -EINVAL;
	/* A non-canonical base would make VM entry fail. */
	if (base >= (1ull << 47) && base < 0xffff800000000000ull)
		return -EINVAL;
	if (ioctl(ks->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -EIO;
	s.fs.base = base;
	if (ioctl(ks->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		return -EIO;
	return 0;
}

const struct backend_ops backend_kvm = {
    .name = "kvm",
    .create = kvm_create,
    .prepare = kvm_prepare,
    .guest_tsc = kvm_guest_tsc,
    .tsc_khz = kvm_tsc_khz,
    .run = kvm_run_vcpu,
    .fault_address = kvm_fault_address,
    .protect = kvm_protect,
    .set_fs_base = kvm_set_fs_base,
    .destroy = kvm_destroy,
};
