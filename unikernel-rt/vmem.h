/*
 * vmem: the guest's address-space bookkeeping for brk and mmap.
 *
 * The runtime owns the page range [start, end) (bootinfo heap). brk grows
 * up from start; mmap places runs of pages top-down from end so the two
 * rarely meet. State is a sorted, merged list of mapped extents with
 * their protection, in fixed arrays: when the list is full an operation
 * fails with -ENOMEM and changes nothing.
 *
 * Pages handed out must read as zero. Fresh guest memory already is, and
 * touching a fresh page is expensive here, so vmem only zeroes pages that
 * were handed out before (the "dirty" set, kept as a few intervals that
 * may over-approximate but never under-approximate).
 *
 * Pure C with no hypercalls: the caller applies protection changes that
 * vmem reports in struct vmem_fixups, which keeps this testable natively.
 * Invariant the caller maintains: pages that are not mapped are readable
 * and writable (vmem writes to them when zeroing or copying).
 */
#ifndef EMBER_VMEM_H
#define EMBER_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMEM_PAGE	 4096u
#define VMEM_MAX_EXTENTS 1024u
#define VMEM_MAX_DIRTY	 64u

/* Protections, as the ABI's EMBER_HC_PROTECT understands them. */
#define VMEM_PROT_NONE 0
#define VMEM_PROT_READ 1
#define VMEM_PROT_RW   3

/* vmem_map flags */
#define VMEM_MAP_FIXED	   1u /* replace whatever is at addr */
#define VMEM_MAP_NOREPLACE 2u /* at addr exactly, -EEXIST if in use */
/* vmem_remap flags */
#define VMEM_REMAP_MAYMOVE 1u
#define VMEM_REMAP_FIXED   2u

struct vmem_extent {
	uintptr_t start, end;
	int prot;
};

struct vmem_range {
	uintptr_t start, end;
};

/* Protection changes the caller must apply, in order, after a call. */
struct vmem_fixups {
	unsigned n;
	struct {
		uintptr_t addr;
		size_t len;
		int prot;
	} f[2];
};

struct vmem {
	uintptr_t start, end;
	uintptr_t brk_start, brk_cur;
	unsigned n;
	struct vmem_extent ext[VMEM_MAX_EXTENTS];
	struct vmem_extent tmp[VMEM_MAX_EXTENTS];  /* paint() scratch */
	struct vmem_extent save[VMEM_MAX_EXTENTS]; /* undo of a multi-step op */
	unsigned save_n;
	unsigned ndirty;
	struct vmem_range dirty[VMEM_MAX_DIRTY];
};

/* Manage [start, end); both are rounded inwards to pages. */
void vmem_init(struct vmem *v, uintptr_t start, uintptr_t end);

/* Linux brk(2): returns the new break, or the current one on failure. */
uintptr_t vmem_brk(struct vmem *v, uintptr_t want, struct vmem_fixups *fx);

/* Anonymous mmap of len bytes: the address, or -EINVAL/-ENOMEM/-EEXIST.
 * Without flags addr is a hint. With VMEM_MAP_FIXED the caller must first
 * make any non-RW pages in the range RW (see vmem_nonrw_span). */
intptr_t vmem_map(struct vmem *v, uintptr_t addr, size_t len, int prot,
		  unsigned flags, struct vmem_fixups *fx);

/* munmap: 0 or -EINVAL. Unmapped holes inside the range are fine. */
int vmem_unmap(struct vmem *v, uintptr_t addr, size_t len,
	       struct vmem_fixups *fx);

/* mremap: the (possibly new) address or -EINVAL/-EFAULT/-ENOMEM. */
intptr_t vmem_remap(struct vmem *v, uintptr_t old, size_t old_len,
		    size_t new_len, unsigned flags, uintptr_t new_addr,
		    struct vmem_fixups *fx);

/* mprotect bookkeeping: 0, -EINVAL, or -ENOMEM if not all mapped.
 * *changed says whether any page's protection actually changed. */
int vmem_protect(struct vmem *v, uintptr_t addr, size_t len, int prot,
		 bool *changed);

/* madvise(MADV_DONTNEED): mapped RW pages in the range read as zero
 * afterwards. 0, -EINVAL, or -ENOMEM if part of the range is unmapped. */
int vmem_discard(struct vmem *v, uintptr_t addr, size_t len);

/* Smallest range covering every non-RW mapped page in [addr, addr+len);
 * false if there is none. */
bool vmem_nonrw_span(const struct vmem *v, uintptr_t addr, size_t len,
		     uintptr_t *lo, uintptr_t *hi);

/* The mapping containing addr (merged extent), if any. */
bool vmem_lookup(const struct vmem *v, uintptr_t addr, struct vmem_extent *out);

/* Bytes of the range not currently mapped. */
size_t vmem_free_bytes(const struct vmem *v);

#endif
