/*
 * The process backend's decoder for device register accesses (see
 * mmio_decode.h). The input is guest code: every byte is checked
 * against `avail` before it is read, and anything unexpected is a
 * refusal, never a guess.
 */
#include <string.h>

#include "mmio_decode.h"

#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

struct cursor {
	const uint8_t *code;
	size_t avail, pos;
};

static int next(struct cursor *c, uint8_t *b)
{
	if (c->pos >= c->avail || c->pos >= MMIO_INSN_MAX)
		return -1;
	*b = c->code[c->pos++];
	return 0;
}

/* Little-endian immediate or displacement of n bytes, sign-extended. */
static int signed_le(struct cursor *c, unsigned n, int64_t *out)
{
	uint64_t v = 0;
	uint8_t b = 0;

	for (unsigned i = 0; i < n; i++) {
		if (next(c, &b) < 0)
			return -1;
		v |= (uint64_t)b << (8 * i);
	}
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ull << (8 * n);
	*out = (int64_t)v;
	return 0;
}

/* ModRM (and SIB, displacement) for a memory operand; *reg gets the
 * ModRM reg field extended by REX.R. */
static int modrm(struct cursor *c, unsigned rex, struct mmio_insn *in,
		 unsigned *reg)
{
	uint8_t m, sib;
	unsigned mod, rm;

	if (next(c, &m) < 0)
		return -1;
	mod = m >> 6;
	rm = m & 7;
	*reg = ((m >> 3) & 7) | (rex & REX_R ? 8 : 0);
	if (mod == 3)
		return -1; /* a register operand: no memory access */
	in->base = in->index = -1;
	in->scale = 1;
	in->disp = 0;
	if (rm == 4) {
		if (next(c, &sib) < 0)
			return -1;
		unsigned idx = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
		unsigned base = (sib & 7) | (rex & REX_B ? 8 : 0);

		in->scale = 1u << (sib >> 6);
		if (idx != 4) /* rsp cannot be an index: "none" */
			in->index = (int)idx;
		if ((sib & 7) == 5 && mod == 0) {
			if (signed_le(c, 4, &in->disp) < 0)
				return -1;
		} else {
			in->base = (int)base;
		}
	} else if (rm == 5 && mod == 0) {
		return -1; /* RIP-relative: never aims at the window */
	} else {
		in->base = (int)(rm | (rex & REX_B ? 8 : 0));
	}
	if (mod == 1)
		return signed_le(c, 1, &in->disp);
	if (mod == 2)
		return signed_le(c, 4, &in->disp);
	return 0;
}

/* Operand size of a non-byte instruction. */
static unsigned op_size(unsigned rex, int opsize16)
{
	return rex & REX_W ? 8 : opsize16 ? 2 : 4;
}

static int decode_op(struct cursor *c, uint8_t op, unsigned rex, int o16,
		     struct mmio_insn *in)
{
	unsigned reg = 0, osz = op_size(rex, o16);
	int64_t imm;

	in->ext = MMIO_MOV;
	switch (op) {
	case 0x88: /* mov r/m8, r8 */
	case 0x8a: /* mov r8, r/m8 */
		in->size = in->reg_size = 1;
		in->write = op == 0x88;
		break;
	case 0x89: /* mov r/m, r */
	case 0x8b: /* mov r, r/m */
		in->size = in->reg_size = osz;
		in->write = op == 0x89;
		break;
	case 0xc6: /* mov r/m8, imm8 */
	case 0xc7: /* mov r/m, imm16/32 */
		in->size = op == 0xc6 ? 1 : osz;
		in->write = 1;
		if (modrm(c, rex, in, &reg) < 0 || (reg & 7) != 0)
			return -1;
		if (signed_le(c, in->size == 8 ? 4 : in->size, &imm) < 0)
			return -1;
		in->reg = -1;
		in->imm = in->size == 8
			      ? (uint64_t)imm
			      : (uint64_t)imm & (~0ull >> (64 - 8 * in->size));
		return 0;
	default:
		return -1;
	}
	if (modrm(c, rex, in, &reg) < 0)
		return -1;
	in->reg = (int)reg;
	/* Without REX, byte registers 4..7 are ah, ch, dh, bh. */
	in->high8 = in->reg_size == 1 && !rex && reg >= 4 && reg < 8;
	return 0;
}

static int decode_0f(struct cursor *c, unsigned rex, int o16,
		     struct mmio_insn *in)
{
	uint8_t op;
	unsigned reg = 0;

	if (next(c, &op) < 0)
		return -1;
	switch (op) {
	case 0xb6:
	case 0xb7:
		in->ext = MMIO_ZX;
		break;
	case 0xbe:
	case 0xbf:
		in->ext = MMIO_SX;
		break;
	default:
		return -1;
	}
	in->size = (op & 1) ? 2 : 1;
	in->reg_size = op_size(rex, o16);
	in->write = 0;
	if (modrm(c, rex, in, &reg) < 0)
		return -1;
	in->reg = (int)reg;
	return 0;
}

int mmio_decode(const uint8_t *code, size_t avail, struct mmio_insn *in)
{
	struct cursor c = {code, avail, 0};
	unsigned rex = 0;
	int o16 = 0;
	uint8_t b;

	memset(in, 0, sizeof(*in));
	if (next(&c, &b) < 0)
		return -1;
	while (b == 0x66) {
		o16 = 1;
		if (next(&c, &b) < 0)
			return -1;
	}
	if ((b & 0xf0) == 0x40) { /* REX: must come right before the op */
		rex = b;
		if (next(&c, &b) < 0)
			return -1;
	}
	if (b == 0x0f) {
		if (decode_0f(&c, rex, o16, in) < 0)
			return -1;
	} else if (decode_op(&c, b, rex, o16, in) < 0) {
		return -1;
	}
	in->len = (unsigned)c.pos;
	return 0;
}

uint64_t mmio_ea(const struct mmio_insn *in, const uint64_t regs[16])
{
	uint64_t ea = (uint64_t)in->disp;

	if (in->base >= 0 && in->base < 16)
		ea += regs[in->base];
	if (in->index >= 0 && in->index < 16)
		ea += regs[in->index] * in->scale;
	return ea;
}

static uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t mmio_store_value(const struct mmio_insn *in, const uint64_t regs[16])
{
	if (in->reg < 0 || in->reg >= 16)
		return in->imm;
	if (in->high8)
		return (regs[in->reg - 4] >> 8) & 0xff;
	return regs[in->reg] & mask(in->size);
}

void mmio_load(const struct mmio_insn *in, uint64_t regs[16], uint64_t value)
{
	unsigned rs = in->reg_size;
	uint64_t v = value & mask(in->size);
	uint64_t *r;

	if (in->reg < 0 || in->reg >= 16)
		return;
	if (in->high8) {
		r = &regs[in->reg - 4];
		*r = (*r & ~0xff00ull) | (v << 8);
		return;
	}
	if (in->ext == MMIO_SX && in->size < 8 && (v >> (8 * in->size - 1)))
		v |= ~mask(in->size);
	v &= mask(rs);
	r = &regs[in->reg];
	/* 32 and 64-bit destinations replace the register; narrower ones
	 * merge. */
	*r = rs >= 4 ? v : (*r & ~mask(rs)) | v;
}
