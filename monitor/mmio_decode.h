/*
 * A small x86-64 decoder for the instructions a guest uses to reach a
 * device register, for the process backend, where an access to the
 * register window arrives as a page fault with no decoding done (KVM
 * decodes for us). Only moves between a general register or an
 * immediate and memory:
 *   88/89 mov r/m, reg     8a/8b mov reg, r/m     c6/c7 /0 mov r/m, imm
 *   0f b6/b7 movzx         0f be/bf movsx
 * with a REX prefix and 0x66 (16-bit operands), ModRM with SIB and
 * disp8/disp32. Everything else (RIP-relative, segment overrides, 0x67,
 * lock/rep, register operands) is refused.
 */
#ifndef EMBER_MMIO_DECODE_H
#define EMBER_MMIO_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define MMIO_INSN_MAX 15u /* the longest x86 instruction */

enum mmio_ext { MMIO_MOV, MMIO_ZX, MMIO_SX };

struct mmio_insn {
	unsigned len;	   /* bytes of the instruction */
	unsigned size;	   /* bytes accessed in memory: 1, 2, 4 or 8 */
	int write;	   /* 1: store to memory, 0: load */
	int reg;	   /* register operand 0..15 (rax, rcx, ... r15); -1:
			      an immediate */
	int high8;	   /* reg is ah/ch/dh/bh (bits 8..15 of reg - 4) */
	unsigned reg_size; /* bytes of the register operand */
	enum mmio_ext ext; /* loads: how the value is widened */
	uint64_t imm;	   /* stores of an immediate: already extended */
	int base, index;   /* address registers, -1 = none */
	unsigned scale;	   /* 1, 2, 4, 8 */
	int64_t disp;
};

/* Decode the instruction at code[0..avail). 0, or -1 if it is not one
 * of the above (or is cut short). */
int mmio_decode(const uint8_t *code, size_t avail, struct mmio_insn *in);

/* The effective address, from the 16 registers in encoding order. */
uint64_t mmio_ea(const struct mmio_insn *in, const uint64_t regs[16]);

/* The value a store writes (from the register or the immediate). */
uint64_t mmio_store_value(const struct mmio_insn *in, const uint64_t regs[16]);

/* Complete a load of `value` (size bytes from memory) into regs, with
 * x86-64's rules: a 32-bit destination clears bits 63..32, an 8 or
 * 16-bit one keeps the rest, ah..bh are bits 15..8. */
void mmio_load(const struct mmio_insn *in, uint64_t regs[16], uint64_t value);

#endif
