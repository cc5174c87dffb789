/*
 * The privileged x86-64 structures the KVM backend builds in guest
 * memory from the host side: the identity-mapping page tables
 * (kvm_paging.c) and the GDT, IDT and TSS (kvm_desc.c). Pure functions
 * over a buffer that stands for guest-physical memory, so they can be
 * unit-tested without /dev/kvm.
 *
 * Where everything lives (all supervisor-only for the guest):
 *   [EMBER_SYS_START, EMBER_SYS_END): GDT, IDT, TSS, two PML4s, PDPT, PDs
 *   [EMBER_PT_START, EMBER_PT_END):   the pool of 4 KiB page tables (PTs)
 */
#ifndef EMBER_KVM_TABLES_H
#define EMBER_KVM_TABLES_H

#include <stdint.h>

#include "ember/abi.h"

/* ---- Fixed guest-physical addresses of the system structures -------- */
#define KVM_GDT_GPA 0x1000ull
#define KVM_IDT_GPA 0x2000ull
#define KVM_TSS_GPA 0x3000ull
/* Two identical PML4 pages: the backend flushes the guest TLB by moving
 * CR3 from one to the other (see kvm_flush_guest_tlb in backend_kvm.c). */
#define KVM_PML4_GPA(i) (0x4000ull + (uint64_t)(i)*0x1000ull)
#define KVM_PDPT_GPA	0x6000ull
/* One page directory per GiB of guest memory: 8 cover EMBER_MEM_MAX. */
#define KVM_PD_GPA(i) (0x7000ull + (uint64_t)(i)*0x1000ull)
#define KVM_MAX_PDS   8u

/* The page directory for the GiB above guest memory that holds the
 * network device's register window (EMBER_NET_MMIO_GPA = 8 GiB, the
 * ninth GiB, which no RAM PD covers). */
#define KVM_MMIO_PD_GPA 0xf000ull
_Static_assert(KVM_PD_GPA(KVM_MAX_PDS) == KVM_MMIO_PD_GPA &&
		   KVM_MMIO_PD_GPA + 0x1000 <= EMBER_SYS_END,
	       "the MMIO PD follows the RAM PDs in the system area");

#define KVM_PT_POOL_PAGES ((EMBER_PT_END - EMBER_PT_START) / EMBER_PAGE_SIZE)

/* ---- Page table entry bits ------------------------------------------- */
#define PTE_P	    (1ull << 0)
#define PTE_RW	    (1ull << 1)
#define PTE_US	    (1ull << 2)
#define PTE_A	    (1ull << 5)
#define PTE_D	    (1ull << 6)
#define PTE_PS	    (1ull << 7) /* in a PDE: 2 MiB page */
#define PTE_NX	    (1ull << 63)
#define PTE_ADDR    0x000ffffffffff000ull
#define PTE_ADDR_2M 0x000fffffffe00000ull
/* The permission bits that describe a leaf mapping. */
#define PTE_PERM (PTE_P | PTE_RW | PTE_US | PTE_NX)

#define KVM_2M (2ull << 20)
#define KVM_1G (1ull << 30)

/* Leaf flags (with A and D preset, see kvm_paging.c) for a mapping;
 * 0 = not present. */
uint64_t kvm_leaf_flags(int user, int write, int exec);

struct kvm_pt {
	uint8_t *mem;	    /* host address of guest-physical 0 */
	uint64_t mem_size;  /* page aligned, <= EMBER_MEM_MAX */
	unsigned pool_used; /* PT pages handed out, never returned */
};

struct image;
struct guest_layout;

/* Zero the PML4s, PDPT and PDs and link them for [0, mem_size).
 * Returns 0, or -EINVAL if mem_size is unusable. */
int kvm_pt_init(struct kvm_pt *pt, uint8_t *mem, uint64_t mem_size);

/* Map [start, end) (page aligned, inside memory) with leaf flags,
 * using 2 MiB pages where a whole aligned 2 MiB region gets the same
 * flags and 4 KiB pages elsewhere. All or nothing: returns 0, -EINVAL
 * (bad range) or -ENOMEM (PT pool exhausted) before changing anything;
 * -EIO if the tables were found corrupt. */
int kvm_pt_map(struct kvm_pt *pt, uint64_t start, uint64_t end, uint64_t flags);

/* Initialise pt over mem (kvm_pt_init) and build the whole map for a
 * guest: page 0 and every gap not present,
 * monitor regions supervisor-only, boot info user read-only, image
 * segments per their ELF flags, heap user RW, stack guard not present,
 * stack user RW. Returns 0 or -errno. */
int kvm_pt_build(struct kvm_pt *pt, uint8_t *mem, const struct guest_layout *l,
		 const struct image *img);

/* Map the network device's register window, [EMBER_NET_MMIO_GPA,
 * +EMBER_NET_MMIO_SIZE), identity, user read/write, no execute. Not RAM:
 * every access exits to the monitor (KVM_EXIT_MMIO). Call after
 * kvm_pt_build. Returns 0, or -ENOMEM if the PT pool is exhausted. */
int kvm_pt_map_mmio(struct kvm_pt *pt);

/* Result of a software page walk, as the CPU would see it. */
struct kvm_walk {
	int present;
	int user;	    /* U/S set at every level */
	int write;	    /* R/W set at every level */
	int exec;	    /* NX clear at every level */
	unsigned page_size; /* 4096 or 2 MiB when present */
	uint64_t phys;
};

/* Walk the tables from the PML4 at pml4_gpa for linear address va.
 * Returns 0, or -EIO if an entry points outside guest memory. */
int kvm_pt_walk(const struct kvm_pt *pt, uint64_t pml4_gpa, uint64_t va,
		struct kvm_walk *w);

/* ---- GDT, IDT, TSS --------------------------------------------------- */
/* Selectors (index * 8); the DPL3 ones are used with RPL 3. */
#define KVM_SEL_KCODE 0x08u /* 64-bit DPL0 code: present but unused */
#define KVM_SEL_UCODE 0x10u /* 64-bit DPL3 code */
#define KVM_SEL_UDATA 0x18u /* DPL3 data */
#define KVM_SEL_TSS   0x20u /* 64-bit TSS, 16 bytes */
#define KVM_GDT_LIMIT (KVM_SEL_TSS + 16u - 1u)
#define KVM_IDT_LIMIT (EMBER_TRAP_VECTORS * 16u - 1u)
#define KVM_TSS_LIMIT 0x67u /* 104-byte TSS, no I/O bitmap (IOPL=3) */

/* Descriptor types (the 4-bit type field). */
#define KVM_TYPE_CODE_XRA   0xbu /* code, execute/read, accessed */
#define KVM_TYPE_DATA_RWA   0x3u /* data, read/write, accessed */
#define KVM_TYPE_TSS64_BUSY 0xbu
#define KVM_TYPE_INTR_GATE  0xeu

uint64_t kvm_gdt_code64(unsigned dpl);
uint64_t kvm_gdt_data(unsigned dpl);
void kvm_gdt_tss64(uint64_t out[2], uint64_t base, uint32_t limit);
void kvm_idt_gate(uint64_t out[2], uint64_t offset, uint16_t selector,
		  unsigned ist, unsigned dpl);

/* Write the GDT, the IDT (vector v -> trap_entry + 16 * v, DPL3, IST1)
 * and the TSS (RSP0 = IST1 = trap_stack_top) at their fixed addresses.
 * mem must hold at least EMBER_SYS_END bytes. */
void kvm_desc_build(uint8_t *mem, uint64_t trap_entry, uint64_t trap_stack_top);

#endif
