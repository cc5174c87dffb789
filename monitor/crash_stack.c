/*
 * Callers that the runtime's frame-pointer backtrace misses, found in
 * guest memory: the return address of a leaf function that set up no
 * frame, and the call site of abort() past libc frames built without
 * frame pointers. A word on the stack is taken for a return address only
 * if the instruction before it is a direct call (e8 rel32) to the right
 * function, so stale stack data is not mistaken for a caller. Everything
 * read here is guest data: bounds-checked, and used as numbers only.
 */
#include <elf.h>
#include <string.h>

#include "core.h"

#define CALL_REL32 0xe8
#define CALL_LEN   5
/* How far above rsp to look for abort()'s call site. */
#define SCAN_BYTES 0x4000u

static int read_u64(const struct vm *vm, uint64_t gpa, uint64_t *out)
{
	const void *p = guest_ptr(&vm->mem, gpa, sizeof(*out));

	if (!p)
		return -1;
	memcpy(out, p, sizeof(*out));
	return 0;
}

/* The target of the direct call that ends just before ret, or 0. */
static uint64_t call_target(const struct vm *vm, uint64_t ret)
{
	const struct image_segment *s;
	const uint8_t *insn;
	int32_t rel;

	if (ret < CALL_LEN)
		return 0;
	s = image_segment_at(&vm->img, ret - CALL_LEN, CALL_LEN);
	insn = guest_ptr(&vm->mem, ret - CALL_LEN, CALL_LEN);
	if (!s || !(s->flags & PF_X) || !insn || insn[0] != CALL_REL32)
		return 0;
	memcpy(&rel, insn + 1, sizeof(rel));
	return ret + (uint64_t)(int64_t)rel;
}

uint64_t crash_leaf_caller(const struct vm *vm, const struct ember_hc_crash *c)
{
	uint64_t off, ret;

	if (!image_symbolize(&vm->img, c->regs.rip, &off) ||
	    read_u64(vm, c->regs.rsp, &ret) < 0)
		return 0;
	return call_target(vm, ret) == c->regs.rip - off ? ret : 0;
}

uint64_t crash_call_site(const struct vm *vm, uint64_t rsp, const char *fn)
{
	uint64_t target = image_symbol_addr(&vm->img, fn);

	if (!target)
		return 0;
	rsp &= ~7ull;
	for (uint64_t a = rsp; a - rsp < SCAN_BYTES; a += 8) {
		uint64_t ret;

		if (read_u64(vm, a, &ret) < 0)
			return 0;
		if (call_target(vm, ret) == target)
			return ret;
	}
	return 0;
}
