/*
 * The guest the hypercall and virtio harnesses work on: an image of two
 * segments (code at TEXT, data at DATA) that is never read from a file,
 * laid out in MEM_SIZE bytes of guest memory (anonymous, only the pages
 * a run touches become real).
 */
#ifndef EMBER_FUZZ_GUEST_H
#define EMBER_FUZZ_GUEST_H

#include <elf.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core.h"

#define MEM_SIZE EMBER_MEM_MIN
#define TEXT	 EMBER_IMAGE_BASE
#define DATA	 (EMBER_IMAGE_BASE + 0x10000)
#define SEG_SIZE 0x10000ull

/* vm's image, layout and memory; aborts if any cannot be had. */
static inline void fuzz_guest(struct vm *vm)
{
	void *m;

	vm->img.path = "fuzz.ember";
	vm->img.entry = TEXT;
	vm->img.seg[0] =
	    (struct image_segment){TEXT, SEG_SIZE, 0, SEG_SIZE, PF_R | PF_X};
	vm->img.seg[1] =
	    (struct image_segment){DATA, SEG_SIZE, 0, 0x100, PF_R | PF_W};
	vm->img.nseg = 2;
	vm->img.start = TEXT;
	vm->img.end = DATA + SEG_SIZE;
	if (layout_compute(&vm->img, MEM_SIZE, &vm->layout) < 0)
		abort();
	m = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		abort();
	vm->mem.base = m;
	vm->mem.size = MEM_SIZE;
}

#endif
