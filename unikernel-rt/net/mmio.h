/*
 * Device register access. Each accessor compiles to exactly one fixed
 * instruction with fixed registers, because on ember-vmm's process
 * backend an MMIO access is a page fault that the monitor decodes from
 * the faulting instruction's bytes (net-plan.md: "MMIO register access
 * from the guest"):
 *   32-bit read   movl (%rdi),%eax      8b 07
 *   32-bit write  movl %esi,(%rdi)      89 37
 *   8-bit read    movzbl (%rdi),%eax    0f b6 07
 * On KVM the same instructions are ordinary MMIO exits. The asm is
 * volatile with a memory clobber: a register access is also a barrier
 * for the compiler (rings must be written before the notify).
 */
#ifndef EMBER_NET_MMIO_H
#define EMBER_NET_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("movl (%%rdi), %%eax"
			 : "=a"(v)
			 : "D"(addr)
			 : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %%esi, (%%rdi)"
			 :
			 : "D"(addr), "S"(v)
			 : "memory");
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("movzbl (%%rdi), %%eax"
			 : "=a"(v)
			 : "D"(addr)
			 : "memory");
	return (uint8_t)v;
}

#endif
