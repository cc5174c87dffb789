/*
 * libFuzzer harness for the process backend's instruction decoder
 * (mmio_decode.c): on that backend a guest's access to the device
 * registers arrives as a fault, and the monitor decodes the guest's
 * instruction bytes to emulate it, so those bytes are hostile input.
 *
 * Input: AVAIL(u8, 0..15 bytes readable at rip) CODE(15 bytes)
 * REGS(16 x u64) VALUE(u64, what a load reads). The decoder may refuse
 * anything; what it accepts must be self-consistent (checked below), and
 * computing the address, the stored value and the loaded registers must
 * be safe for any register contents.
 */
#include <stdlib.h>

#include "fuzz_input.h"
#include "mmio_decode.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_by_default(argc, argv);
	return 0;
}

static int pow2_upto8(unsigned v)
{
	return v == 1 || v == 2 || v == 4 || v == 8;
}

static void check(const struct mmio_insn *in, size_t avail)
{
	if (in->len == 0 || in->len > avail || !pow2_upto8(in->size) ||
	    in->reg < -1 || in->reg > 15 || in->base < -1 || in->base > 15 ||
	    in->index < -1 || in->index > 15 || !pow2_upto8(in->scale))
		abort();
	if (in->reg >= 0 && !pow2_upto8(in->reg_size))
		abort();
	if (in->high8 && (in->reg < 4 || in->reg > 7))
		abort(); /* ah, ch, dh, bh are encodings 4..7 without REX */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin fi = {data, size};
	uint8_t code[MMIO_INSN_MAX];
	uint64_t regs[16];
	size_t avail = fin_u8(&fi) % (MMIO_INSN_MAX + 1);
	struct mmio_insn in;
	uint8_t *exact;

	fin_bytes(&fi, code, sizeof(code));
	fin_bytes(&fi, regs, sizeof(regs));
	/* Exactly avail bytes on the heap, so ASan sees a read past them. */
	exact = malloc(avail ? avail : 1);
	if (!exact)
		abort();
	memcpy(exact, code, avail);
	if (mmio_decode(exact, avail, &in) == 0) {
		check(&in, avail);
		mmio_ea(&in, regs);
		if (in.write)
			mmio_store_value(&in, regs);
		else
			mmio_load(&in, regs, fin_u64(&fi));
	}
	free(exact);
	return 0;
}
