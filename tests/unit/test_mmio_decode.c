/*
 * Unit test of the process backend's MMIO instruction decoder
 * (monitor/mmio_decode.c) on real encodings, assembled with GNU as
 * (the disassembly is in each comment), including x86-64's register
 * write rules and the instructions it must refuse.
 */
#include <string.h>

#include "check.h"
#include "mmio_decode.h"

enum {
	RAX,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI,
	R8,
	R9,
	R10,
	R11,
	R12,
	R13,
	R14,
	R15
};

static uint64_t regs[16];

static void reset_regs(void)
{
	for (int i = 0; i < 16; i++)
		regs[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
}

/* Decode code, check its length, access size, direction and address. */
static int dec(const char *what, const uint8_t *code, size_t n,
	       struct mmio_insn *in, unsigned size, int write, uint64_t ea)
{
	int ok = mmio_decode(code, n, in) == 0;

	check(ok, "%s: decodes", what);
	if (!ok)
		return 0;
	check(in->len == n, "%s: length %u, want %zu", what, in->len, n);
	check(in->size == size, "%s: size %u, want %u", what, in->size, size);
	check(in->write == write, "%s: direction", what);
	check(mmio_ea(in, regs) == ea, "%s: address 0x%llx, want 0x%llx", what,
	      (unsigned long long)mmio_ea(in, regs), (unsigned long long)ea);
	return 1;
}

#define CODE(...)                                                              \
	(const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})

static void test_loads(void)
{
	struct mmio_insn in;

	reset_regs();
	regs[RDI] = 0x200000000ull;
	/* 8b 07: mov (%rdi),%eax: 32-bit load zero-extends */
	if (dec("movl (%rdi),%eax", CODE(0x8b, 0x07), &in, 4, 0, regs[RDI])) {
		mmio_load(&in, regs, 0xdeadbeef);
		check(regs[RAX] == 0xdeadbeef, "movl clears bits 63..32");
	}
	/* 0f b6 07: movzbl (%rdi),%eax */
	reset_regs();
	regs[RDI] = 0x200000100ull;
	if (dec("movzbl", CODE(0x0f, 0xb6, 0x07), &in, 1, 0, regs[RDI])) {
		mmio_load(&in, regs, 0xfe);
		check(regs[RAX] == 0xfe, "movzbl zero-extends to 64");
	}
	/* 0f b6 8f 05 01 00 00: movzbl 0x105(%rdi),%ecx */
	if (dec("movzbl disp32", CODE(0x0f, 0xb6, 0x8f, 0x05, 0x01, 0, 0), &in,
		1, 0, regs[RDI] + 0x105)) {
		mmio_load(&in, regs, 0x1ff);
		check(regs[RCX] == 0xff, "movzbl takes one byte");
	}
	/* 44 0f b7 4e 02: movzwl 0x2(%rsi),%r9d */
	reset_regs();
	if (dec("movzwl r9d", CODE(0x44, 0x0f, 0xb7, 0x4e, 0x02), &in, 2, 0,
		regs[RSI] + 2)) {
		mmio_load(&in, regs, 0x8001);
		check(regs[R9] == 0x8001, "movzwl into r9d");
	}
	/* 4c 8b 64 98 08: mov 0x8(%rax,%rbx,4),%r12 */
	reset_regs();
	if (dec("movq SIB", CODE(0x4c, 0x8b, 0x64, 0x98, 0x08), &in, 8, 0,
		regs[RAX] + regs[RBX] * 4 + 8)) {
		mmio_load(&in, regs, 0x0123456789abcdefull);
		check(regs[R12] == 0x0123456789abcdefull, "64-bit load");
	}
	/* 8a 7a 10: mov 0x10(%rdx),%bh */
	reset_regs();
	if (dec("mov to bh", CODE(0x8a, 0x7a, 0x10), &in, 1, 0,
		regs[RDX] + 0x10)) {
		mmio_load(&in, regs, 0xab);
		check(regs[RBX] == 0x444444444444ab44ull,
		      "bh written, rest of rbx kept: %llx",
		      (unsigned long long)regs[RBX]);
	}
	/* 66 8b 07: mov (%rdi),%ax: 16-bit merge */
	reset_regs();
	if (dec("movw", CODE(0x66, 0x8b, 0x07), &in, 2, 0, regs[RDI])) {
		mmio_load(&in, regs, 0xbeef);
		check(regs[RAX] == 0x111111111111beefull, "movw merges");
	}
	/* 8a 07: mov (%rdi),%al */
	reset_regs();
	if (dec("movb al", CODE(0x8a, 0x07), &in, 1, 0, regs[RDI])) {
		mmio_load(&in, regs, 0x42);
		check(regs[RAX] == 0x1111111111111142ull, "movb merges");
	}
	/* 0f be 17: movsbl (%rdi),%edx */
	reset_regs();
	if (dec("movsbl", CODE(0x0f, 0xbe, 0x17), &in, 1, 0, regs[RDI])) {
		mmio_load(&in, regs, 0x80);
		check(regs[RDX] == 0xffffff80ull,
		      "movsbl: sign to 32, zero "
		      "above: %llx",
		      (unsigned long long)regs[RDX]);
	}
	/* 4c 0f bf 17: movswq (%rdi),%r10 */
	if (dec("movswq", CODE(0x4c, 0x0f, 0xbf, 0x17), &in, 2, 0, regs[RDI])) {
		mmio_load(&in, regs, 0x8000);
		check(regs[R10] == 0xffffffffffff8000ull,
		      "movswq sign-extends");
	}
	/* 8b 04 24: mov (%rsp),%eax (SIB with no index) */
	reset_regs();
	dec("(%rsp)", CODE(0x8b, 0x04, 0x24), &in, 4, 0, regs[RSP]);
	/* 45 8b 7c 24 70: mov 0x70(%r12),%r15d */
	if (dec("r12 base r15d", CODE(0x45, 0x8b, 0x7c, 0x24, 0x70), &in, 4, 0,
		regs[R12] + 0x70)) {
		mmio_load(&in, regs, 7);
		check(regs[R15] == 7, "r15d");
	}
	/* 8b 04 25 00 00 00 40: mov 0x40000000,%eax (absolute) */
	dec("absolute", CODE(0x8b, 0x04, 0x25, 0, 0, 0, 0x40), &in, 4, 0,
	    0x40000000);
}

static void test_stores(void)
{
	struct mmio_insn in;

	reset_regs();
	/* 89 37: mov %esi,(%rdi) */
	if (dec("movl %esi", CODE(0x89, 0x37), &in, 4, 1, regs[RDI]))
		check(mmio_store_value(&in, regs) == 0x77777777, "store esi");
	/* 66 47 89 44 f5 fc: mov %r8w,-0x4(%r13,%r14,8) */
	if (dec("movw r8w SIB disp8-", CODE(0x66, 0x47, 0x89, 0x44, 0xf5, 0xfc),
		&in, 2, 1, regs[R13] + regs[R14] * 8 - 4))
		check(mmio_store_value(&in, regs) == 0x9999, "store r8w");
	/* 88 62 10: mov %ah,0x10(%rdx) */
	regs[RAX] = 0x1234;
	if (dec("movb %ah", CODE(0x88, 0x62, 0x10), &in, 1, 1,
		regs[RDX] + 0x10))
		check(mmio_store_value(&in, regs) == 0x12, "store ah");
	/* 40 88 31: mov %sil,(%rcx) (REX: sil, not dh) */
	if (dec("movb %sil", CODE(0x40, 0x88, 0x31), &in, 1, 1, regs[RCX]))
		check(mmio_store_value(&in, regs) == 0x77, "store sil");
	/* c7 47 50 78 56 34 12: movl $0x12345678,0x50(%rdi) */
	if (dec("movl imm", CODE(0xc7, 0x47, 0x50, 0x78, 0x56, 0x34, 0x12), &in,
		4, 1, regs[RDI] + 0x50))
		check(mmio_store_value(&in, regs) == 0x12345678, "imm32");
	/* 48 c7 07 fe ff ff ff: movq $-2,(%rdi) */
	if (dec("movq imm", CODE(0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff), &in,
		8, 1, regs[RDI]))
		check(mmio_store_value(&in, regs) == (uint64_t)-2,
		      "imm32 sign-extended to 64");
	/* 66 c7 07 34 12: movw $0x1234,(%rdi) */
	if (dec("movw imm", CODE(0x66, 0xc7, 0x07, 0x34, 0x12), &in, 2, 1,
		regs[RDI]))
		check(mmio_store_value(&in, regs) == 0x1234, "imm16");
	/* c6 85 00 01 00 00 7f: movb $0x7f,0x100(%rbp) */
	if (dec("movb imm", CODE(0xc6, 0x85, 0, 1, 0, 0, 0x7f), &in, 1, 1,
		regs[RBP] + 0x100))
		check(mmio_store_value(&in, regs) == 0x7f, "imm8");
	/* 89 04 4d 00 00 00 00: mov %eax,0x0(,%rcx,2) */
	dec("index only", CODE(0x89, 0x04, 0x4d, 0, 0, 0, 0), &in, 4, 1,
	    regs[RCX] * 2);
}

static void refuse(const char *what, const uint8_t *code, size_t n)
{
	struct mmio_insn in;

	check(mmio_decode(code, n, &in) < 0, "refused: %s", what);
}

static void test_refused(void)
{
	refuse("rip-relative", CODE(0x8b, 0x05, 0, 0, 0, 0));
	refuse("lock add", CODE(0xf0, 0x01, 0x07));
	refuse("add", CODE(0x03, 0x07));
	refuse("fs override", CODE(0x64, 0x8b, 0x07));
	refuse("addr32", CODE(0x67, 0x8b, 0x07));
	refuse("register operand", CODE(0x8b, 0xc7));
	refuse("c7 /1", CODE(0xc7, 0x4f, 0x50, 1, 2, 3, 4));
	refuse("cut short: modrm", CODE(0x8b));
	refuse("cut short: disp32", CODE(0x8b, 0x87, 0x00, 0x01));
	refuse("cut short: imm", CODE(0xc7, 0x07, 0x78, 0x56));
	refuse("cut short: sib", CODE(0x8b, 0x04));
	refuse("REX then 66 (REX must be last)", CODE(0x48, 0x66, 0x8b, 0x07));
	refuse("empty", (const uint8_t *)"", 0);
	refuse("push", CODE(0xff, 0x37));
	/* 16 prefixes: longer than any x86 instruction. */
	refuse("too long",
	       CODE(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		    0x66, 0x66, 0x66, 0x66, 0x8b, 0x07));
}

int main(void)
{
	test_loads();
	test_stores();
	test_refused();
	return check_summary("test_mmio_decode");
}
