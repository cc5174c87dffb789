/*
 * The vCPU's architectural state for an Ember guest: which CPU features
 * to enable (from KVM_GET_SUPPORTED_CPUID) and the special registers
 * that start it in 64-bit mode at CPL3. Pure functions over the KVM
 * structs, so they can be unit-tested without /dev/kvm.
 */
#ifndef EMBER_KVM_CPU_H
#define EMBER_KVM_CPU_H

#include <stdint.h>

#include <linux/kvm.h>

struct kvm_cpu_features {
	int nx, lm;    /* required: NX pages, long mode */
	int xsave;     /* enable CR4.OSXSAVE and load xcr0 (KVM_SET_XCRS) */
	uint64_t xcr0; /* x87 | SSE | AVX-if-supported */
	int fsgsbase;  /* enable CR4.FSGSBASE: the guest uses wrfsbase */
};

/* Control register and EFER bits. */
#define CR0_PE	       (1ull << 0)
#define CR0_MP	       (1ull << 1)
#define CR0_ET	       (1ull << 4)
#define CR0_NE	       (1ull << 5)
#define CR0_WP	       (1ull << 16)
#define CR0_PG	       (1ull << 31)
#define CR4_PAE	       (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_OSXSAVE    (1ull << 18)
#define EFER_SCE       (1ull << 0)
#define EFER_LME       (1ull << 8)
#define EFER_LMA       (1ull << 10)
#define EFER_NXE       (1ull << 11)

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

/* The guest's initial RFLAGS: reserved bit 1, IOPL=3 (so `out` works at
 * CPL3), IF=0 (no interrupts are ever injected). */
#define KVM_GUEST_RFLAGS 0x3002ull

/* Decide the features from the CPUID KVM supports; have_xcrs says
 * whether KVM_CAP_XCRS is there (without it XSAVE stays off). */
void kvm_cpu_features(const struct kvm_cpuid2 *cpuid, int have_xcrs,
		      struct kvm_cpu_features *f);

/* Fill the special registers for 64-bit CPL3 entry with the tables of
 * kvm_tables.h and CR3 = cr3. Keeps fields it does not own (apic_base,
 * the LDT, the interrupt bitmap) as KVM_GET_SREGS returned them. */
void kvm_sregs_setup(struct kvm_sregs *s, const struct kvm_cpu_features *f,
		     uint64_t cr3);

#endif
