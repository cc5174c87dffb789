/*
 * The guest of the process backend's unit tests (test_proc_backend.c,
 * test_proc_mmio.c): a blob of code each test file assembles between
 * the labels guest_blob and guest_blob_end, loaded at CODE, with a data
 * segment from DATA up to TRAP_TOP, booted as an image would be.
 */
#ifndef EMBER_TEST_PROC_GUEST_H
#define EMBER_TEST_PROC_GUEST_H

#include <elf.h>
#include <string.h>

#include "core.h"

#define CODE	 0x100000
#define DATA	 0x102000
#define TRAP_TOP 0x10a000 /* = end of the data segment */
#define MEM	 (4ull << 20)

#define STR_(x) #x
#define STR(x)	STR_(x)

extern const char guest_blob[], guest_blob_end[];

/* The guest address of a label in the blob. */
static inline uint64_t gaddr(const char *label)
{
	return CODE + ((uintptr_t)label - (uintptr_t)guest_blob);
}

/* A zeroed vm whose image is the blob, entered at entry, on the process
 * backend. */
static inline void guest_image(struct vm *vm, struct options *opt,
			       const char *entry)
{
	struct image *img = &vm->img;

	memset(vm, 0, sizeof(*vm));
	vm->opt = opt;
	vm->be = &backend_process;
	img->path = "test-guest";
	img->entry = gaddr(entry);
	img->seg[0] =
	    (struct image_segment){CODE, DATA - CODE, 0, 0, PF_R | PF_X};
	img->seg[1] =
	    (struct image_segment){DATA, TRAP_TOP - DATA, 0, 0, PF_R | PF_W};
	img->nseg = 2;
	img->start = CODE;
	img->end = TRAP_TOP;
	img->manifest.abi_version = EMBER_ABI_VERSION;
	img->manifest.trap_entry = CODE;
	img->manifest.trap_stack_top = TRAP_TOP;
}

/* Once create() made guest memory: the blob into it. */
static inline void guest_copy(struct vm *vm)
{
	memcpy(vm->mem.base + CODE, guest_blob,
	       (uintptr_t)guest_blob_end - (uintptr_t)guest_blob);
}

#endif
