/*
 * GDT, IDT and TSS encoding (Intel SDM vol. 3A, 3.4.5, 6.14.1, 7.7).
 *
 * The guest never runs at CPL0: exceptions go through DPL3 interrupt
 * gates into the DPL3 code segment, so the handler stays at CPL3, with
 * IST1 switching to the exception stack the image declares. Code and
 * data descriptors are written with their Accessed bit set so the CPU
 * never has to write to the (supervisor-only) GDT when the guest's
 * iretq reloads CS and SS.
 */
#include <string.h>

#include "kvm_tables.h"

#define DESC_P	(1ull << 47)
#define DESC_S	(1ull << 44) /* code/data (not system) */
#define DESC_L	(1ull << 53) /* 64-bit code */
#define DESC_DB (1ull << 54)
#define DESC_G	(1ull << 55)
/* Base 0 and limit 0xfffff (with G: 4 GiB); ignored in 64-bit mode
 * except by VM-entry consistency checks, which want them sane. */
#define DESC_FLAT (0xffffull | (0xfull << 48) | DESC_G)

static uint64_t dpl_bits(unsigned dpl)
{
	return (uint64_t)(dpl & 3) << 45;
}

uint64_t kvm_gdt_code64(unsigned dpl)
{
	return DESC_FLAT | DESC_P | DESC_S | DESC_L | dpl_bits(dpl) |
	       ((uint64_t)KVM_TYPE_CODE_XRA << 40);
}

uint64_t kvm_gdt_data(unsigned dpl)
{
	return DESC_FLAT | DESC_P | DESC_S | DESC_DB | dpl_bits(dpl) |
	       ((uint64_t)KVM_TYPE_DATA_RWA << 40);
}

void kvm_gdt_tss64(uint64_t out[2], uint64_t base, uint32_t limit)
{
	out[0] = (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
		 ((uint64_t)KVM_TYPE_TSS64_BUSY << 40) | DESC_P |
		 ((uint64_t)((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xffull) << 56);
	out[1] = base >> 32;
}

void kvm_idt_gate(uint64_t out[2], uint64_t offset, uint16_t selector,
		  unsigned ist, unsigned dpl)
{
	out[0] = (offset & 0xffffull) | ((uint64_t)selector << 16) |
		 ((uint64_t)(ist & 7) << 32) |
		 ((uint64_t)KVM_TYPE_INTR_GATE << 40) | dpl_bits(dpl) | DESC_P |
		 (((offset >> 16) & 0xffffull) << 48);
	out[1] = offset >> 32;
}

/* 64-bit TSS field offsets (bytes). */
#define TSS_RSP0  4
#define TSS_IST1  36
#define TSS_IOMAP 102
#define TSS_SIZE  104

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v)); /* x86 host: little endian, unaligned */
}

static void build_gdt(uint8_t *gdt)
{
	uint64_t tss[2];

	memset(gdt, 0, EMBER_PAGE_SIZE);
	put64(gdt + KVM_SEL_KCODE, kvm_gdt_code64(0));
	put64(gdt + KVM_SEL_UCODE, kvm_gdt_code64(3));
	put64(gdt + KVM_SEL_UDATA, kvm_gdt_data(3));
	kvm_gdt_tss64(tss, KVM_TSS_GPA, KVM_TSS_LIMIT);
	put64(gdt + KVM_SEL_TSS, tss[0]);
	put64(gdt + KVM_SEL_TSS + 8, tss[1]);
}

static void build_idt(uint8_t *idt, uint64_t trap_entry)
{
	uint64_t gate[2];

	memset(idt, 0, EMBER_PAGE_SIZE);
	for (unsigned v = 0; v < EMBER_TRAP_VECTORS; v++) {
		kvm_idt_gate(gate,
			     trap_entry + (uint64_t)v * EMBER_TRAP_STUB_SIZE,
			     KVM_SEL_UCODE | 3, 1, 3);
		put64(idt + v * 16, gate[0]);
		put64(idt + v * 16 + 8, gate[1]);
	}
}

static void build_tss(uint8_t *tss, uint64_t stack_top)
{
	uint16_t iomap = TSS_SIZE; /* beyond the limit: no I/O bitmap */

	memset(tss, 0, EMBER_PAGE_SIZE);
	/* RSP0 is only used on a switch to CPL0, which never happens;
	 * point it at the exception stack anyway rather than at 0. */
	put64(tss + TSS_RSP0, stack_top);
	put64(tss + TSS_IST1, stack_top);
	memcpy(tss + TSS_IOMAP, &iomap, sizeof(iomap));
}

void kvm_desc_build(uint8_t *mem, uint64_t trap_entry, uint64_t trap_stack_top)
{
	build_gdt(mem + KVM_GDT_GPA);
	build_idt(mem + KVM_IDT_GPA, trap_entry);
	build_tss(mem + KVM_TSS_GPA, trap_stack_top);
}
