/*
 * Features and special registers of the vCPU (see kvm_cpu.h).
 *
 * The guest starts directly in 64-bit mode at CPL3 (DESIGN.md,
 * decision 1): KVM_SET_SREGS loads CS with the DPL3 code segment, so no
 * CPL0 code ever runs (on this platform CPL0 is emulated, slowly).
 * EFER.SCE stays clear so a stray `syscall` instruction raises #UD
 * instead of jumping to an unset LSTAR.
 */
#include <string.h>

#include "kvm_cpu.h"
#include "kvm_tables.h"

static const struct kvm_cpuid_entry2 *
find_leaf(const struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		int indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (e->function == function && (!indexed || e->index == index))
			return e;
	}
	return NULL;
}

void kvm_cpu_features(const struct kvm_cpuid2 *c, int have_xcrs,
		      struct kvm_cpu_features *f)
{
	const struct kvm_cpuid_entry2 *l1 = find_leaf(c, 1, 0);
	const struct kvm_cpuid_entry2 *l7 = find_leaf(c, 7, 0);
	const struct kvm_cpuid_entry2 *ld = find_leaf(c, 0xd, 0);
	const struct kvm_cpuid_entry2 *lx = find_leaf(c, 0x80000001, 0);

	memset(f, 0, sizeof(*f));
	if (lx) {
		f->nx = !!(lx->edx & (1u << 20));
		f->lm = !!(lx->edx & (1u << 29));
	}
	if (l7)
		f->fsgsbase = !!(l7->ebx & (1u << 0));
	if (l1 && ld && have_xcrs && (l1->ecx & (1u << 26))) {
		uint64_t supported = ld->eax | ((uint64_t)ld->edx << 32);
		if ((supported & (XCR0_X87 | XCR0_SSE)) ==
		    (XCR0_X87 | XCR0_SSE)) {
			f->xsave = 1;
			f->xcr0 = XCR0_X87 | XCR0_SSE;
			if ((l1->ecx & (1u << 28)) && (supported & XCR0_AVX))
				f->xcr0 |= XCR0_AVX;
		}
	}
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type,
			 int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->dpl = 3;
	s->db = code ? 0 : 1; /* a 64-bit code segment must have D=0 */
	s->s = 1;
	s->l = code ? 1 : 0;
	s->g = 1;
}

void kvm_sregs_setup(struct kvm_sregs *s, const struct kvm_cpu_features *f,
		     uint64_t cr3)
{
	flat_segment(&s->cs, KVM_SEL_UCODE | 3, KVM_TYPE_CODE_XRA, 1);
	flat_segment(&s->ss, KVM_SEL_UDATA | 3, KVM_TYPE_DATA_RWA, 0);
	s->ds = s->es = s->fs = s->gs = s->ss;

	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.base = KVM_TSS_GPA;
	s->tr.limit = KVM_TSS_LIMIT;
	s->tr.selector = KVM_SEL_TSS;
	s->tr.type = KVM_TYPE_TSS64_BUSY;
	s->tr.present = 1;

	s->gdt.base = KVM_GDT_GPA;
	s->gdt.limit = KVM_GDT_LIMIT;
	s->idt.base = KVM_IDT_GPA;
	s->idt.limit = KVM_IDT_LIMIT;

	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr2 = 0;
	s->cr3 = cr3;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (f->xsave)
		s->cr4 |= CR4_OSXSAVE;
	if (f->fsgsbase)
		s->cr4 |= CR4_FSGSBASE;
	s->cr8 = 0;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE;
}
