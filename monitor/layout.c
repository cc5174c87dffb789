/*
 * Where everything goes in guest memory (GPA == GVA):
 *
 *   [0, 1 MiB)                  NULL page, monitor tables, boot info
 *   [image_start, image_end)    the image's segments, page aligned
 *   [heap_start, heap_end)      the runtime's brk/mmap arena
 *   [stack_guard, +4K)          unmapped guard page
 *   [stack_bottom, stack_top)   main stack (1 MiB), stack_top = mem_size
 *
 * The heap starts right at image_end, with no guard page: the image's
 * last segment is its data/bss, the heap grows upwards away from it, and
 * the runtime can fence any region itself with EMBER_HC_PROTECT. The guard
 * page that matters is the one that stops the stack, which grows down
 * towards the heap.
 */
#include <inttypes.h>

#include "vm.h"

/* Less heap than this is not a useful guest. */
#define HEAP_MIN (1ull << 20)

#define MIB (1ull << 20)

int layout_compute(const struct image *img, uint64_t mem_size,
		   struct guest_layout *out)
{
	uint64_t need =
	    img->end + HEAP_MIN + EMBER_GUARD_SIZE + EMBER_STACK_SIZE;
	uint64_t need_mib = (need + MIB - 1) / MIB;

	if (need_mib * MIB < EMBER_MEM_MIN)
		need_mib = EMBER_MEM_MIN / MIB;
	if (need > mem_size) {
		if (need_mib * MIB > EMBER_MEM_MAX)
			vmm_error("%s needs %" PRIu64 " MiB of memory, more "
				  "than the 8G maximum; make the image "
				  "smaller",
				  img->path, need_mib);
		else
			vmm_error("%s needs at least %" PRIu64 " MiB of memory "
				  "(image %" PRIu64 " KiB + stack + boot "
				  "info); use --mem %" PRIu64 "M",
				  img->path, need_mib,
				  (img->end - img->start) / 1024, need_mib);
		return -1;
	}
	out->mem_size = mem_size;
	out->image_start = img->start;
	out->image_end = img->end;
	out->heap_start = img->end;
	out->stack_guard = mem_size - EMBER_STACK_SIZE - EMBER_GUARD_SIZE;
	out->heap_end = out->stack_guard;
	out->stack_bottom = out->stack_guard + EMBER_GUARD_SIZE;
	out->stack_top = mem_size;
	return 0;
}
