/*
 * vmem: brk/mmap bookkeeping over the heap page range. See vmem.h.
 *
 * Everything is a "paint" of a page range onto the sorted extent list
 * (with a protection, or -1 to unmap): paint builds the new list in a
 * scratch array and only commits it if it fits, so every operation is
 * all-or-nothing.
 */
#include "vmem.h"

#include <errno.h>
#include <string.h>

#define UNMAPPED (-1)

static bool page_aligned(uintptr_t x)
{
	return (x & (VMEM_PAGE - 1)) == 0;
}

/* Round len up to pages; false on overflow. */
static bool page_up(size_t len, size_t *out)
{
	if (len > SIZE_MAX - (VMEM_PAGE - 1))
		return false;
	*out = (len + VMEM_PAGE - 1) & ~(size_t)(VMEM_PAGE - 1);
	return true;
}

static bool in_heap(const struct vmem *v, uintptr_t addr, size_t len)
{
	return addr >= v->start && addr <= v->end && len <= v->end - addr;
}

static bool valid_prot(int prot)
{
	return prot == VMEM_PROT_NONE || prot == VMEM_PROT_READ ||
	       prot == VMEM_PROT_RW;
}

static void add_fixup(struct vmem_fixups *fx, uintptr_t addr, size_t len,
		      int prot)
{
	if (fx->n < 2 && len > 0) {
		fx->f[fx->n].addr = addr;
		fx->f[fx->n].len = len;
		fx->f[fx->n].prot = prot;
		fx->n++;
	}
}

/* ---- the extent list ----------------------------------------------- */

/* Append to the scratch list, merging with the previous extent when
 * adjacent with the same protection. False when the list is full. */
static bool emit(struct vmem *v, unsigned *n, uintptr_t s, uintptr_t e,
		 int prot)
{
	struct vmem_extent *prev = *n ? &v->tmp[*n - 1] : NULL;

	if (s >= e || prot == UNMAPPED)
		return true;
	if (prev && prev->end == s && prev->prot == prot) {
		prev->end = e;
		return true;
	}
	if (*n == VMEM_MAX_EXTENTS)
		return false;
	v->tmp[*n].start = s;
	v->tmp[*n].end = e;
	v->tmp[*n].prot = prot;
	(*n)++;
	return true;
}

/* Set [s, e) to prot (UNMAPPED removes it). 0 or -ENOMEM, unchanged. */
static int paint(struct vmem *v, uintptr_t s, uintptr_t e, int prot)
{
	unsigned n = 0;
	bool placed = false, ok = true;

	for (unsigned i = 0; i < v->n && ok; i++) {
		const struct vmem_extent *x = &v->ext[i];

		if (x->start >= e && !placed) {
			ok = emit(v, &n, s, e, prot);
			placed = true;
		}
		if (x->end <= s || x->start >= e) {
			ok = ok && emit(v, &n, x->start, x->end, x->prot);
			continue;
		}
		/* x overlaps [s, e): keep the parts outside it. */
		ok =
		    emit(v, &n, x->start, s < x->start ? x->start : s, x->prot);
		if (!placed) {
			ok = ok && emit(v, &n, s, e, prot);
			placed = true;
		}
		ok =
		    ok && emit(v, &n, e > x->end ? x->end : e, x->end, x->prot);
	}
	if (ok && !placed)
		ok = emit(v, &n, s, e, prot);
	if (!ok)
		return -ENOMEM;
	memcpy(v->ext, v->tmp, n * sizeof(v->ext[0]));
	v->n = n;
	return 0;
}

static bool is_free(const struct vmem *v, uintptr_t s, uintptr_t e)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->ext[i].start < e && v->ext[i].end > s)
			return false;
	return true;
}

static bool is_mapped(const struct vmem *v, uintptr_t s, uintptr_t e)
{
	uintptr_t at = s;

	for (unsigned i = 0; i < v->n && at < e; i++) {
		if (v->ext[i].end <= at)
			continue;
		if (v->ext[i].start > at)
			return false;
		at = v->ext[i].end;
	}
	return at >= e;
}

/* Highest free run of len bytes (top-down keeps mmap away from brk). */
static bool find_gap(const struct vmem *v, size_t len, uintptr_t *addr)
{
	for (unsigned i = v->n + 1; i-- > 0;) {
		uintptr_t hi = i == v->n ? v->end : v->ext[i].start;
		uintptr_t lo = i == 0 ? v->start : v->ext[i - 1].end;

		if (hi - lo >= len) {
			*addr = hi - len;
			return true;
		}
	}
	return false;
}

static void snapshot(struct vmem *v)
{
	memcpy(v->save, v->ext, v->n * sizeof(v->ext[0]));
	v->save_n = v->n;
}

static void rollback(struct vmem *v)
{
	memcpy(v->ext, v->save, v->save_n * sizeof(v->ext[0]));
	v->n = v->save_n;
}

/* ---- the dirty set: pages that may hold old data -------------------- */

/* Merge the two closest intervals, freeing a slot. Over-approximates:
 * the gap between them will be zeroed needlessly, never missed. */
static void dirty_coalesce(struct vmem *v)
{
	unsigned best = 0;

	for (unsigned k = 1; k + 1 < v->ndirty; k++)
		if (v->dirty[k + 1].start - v->dirty[k].end <
		    v->dirty[best + 1].start - v->dirty[best].end)
			best = k;
	v->dirty[best].end = v->dirty[best + 1].end;
	memmove(&v->dirty[best + 1], &v->dirty[best + 2],
		(v->ndirty - best - 2) * sizeof(v->dirty[0]));
	v->ndirty--;
}

static void dirty_add(struct vmem *v, uintptr_t s, uintptr_t e)
{
	unsigned i = 0, j;

	while (i < v->ndirty && v->dirty[i].end < s)
		i++;
	for (j = i; j < v->ndirty && v->dirty[j].start <= e; j++) {
		if (v->dirty[j].start < s)
			s = v->dirty[j].start;
		if (v->dirty[j].end > e)
			e = v->dirty[j].end;
	}
	if (j > i) { /* [i, j) collapse into one interval */
		v->dirty[i].start = s;
		v->dirty[i].end = e;
		memmove(&v->dirty[i + 1], &v->dirty[j],
			(v->ndirty - j) * sizeof(v->dirty[0]));
		v->ndirty -= j - i - 1;
		return;
	}
	if (v->ndirty == VMEM_MAX_DIRTY) {
		dirty_coalesce(v);
		dirty_add(v, s, e);
		return;
	}
	memmove(&v->dirty[i + 1], &v->dirty[i],
		(v->ndirty - i) * sizeof(v->dirty[0]));
	v->dirty[i].start = s;
	v->dirty[i].end = e;
	v->ndirty++;
}

static void dirty_zero(const struct vmem *v, uintptr_t s, uintptr_t e)
{
	for (unsigned i = 0; i < v->ndirty; i++) {
		uintptr_t lo = v->dirty[i].start > s ? v->dirty[i].start : s;
		uintptr_t hi = v->dirty[i].end < e ? v->dirty[i].end : e;

		if (lo < hi)
			memset((void *)lo, 0, hi - lo);
	}
}

/* [s, e) is being handed to the application: make it read as zero. */
static void hand_out(struct vmem *v, uintptr_t s, uintptr_t e)
{
	dirty_zero(v, s, e);
	dirty_add(v, s, e);
}

/* ---- operations ----------------------------------------------------- */

void vmem_init(struct vmem *v, uintptr_t start, uintptr_t end)
{
	start = (start + VMEM_PAGE - 1) & ~(uintptr_t)(VMEM_PAGE - 1);
	end &= ~(uintptr_t)(VMEM_PAGE - 1);
	if (end < start)
		end = start;
	v->start = start;
	v->end = end;
	v->brk_start = start;
	v->brk_cur = start;
	v->n = 0;
	v->save_n = 0;
	v->ndirty = 0;
}

uintptr_t vmem_brk(struct vmem *v, uintptr_t want, struct vmem_fixups *fx)
{
	uintptr_t cur_top, new_top, lo, hi;

	fx->n = 0;
	if (want < v->brk_start || want > v->end)
		return v->brk_cur;
	cur_top = (v->brk_cur + VMEM_PAGE - 1) & ~(uintptr_t)(VMEM_PAGE - 1);
	new_top = (want + VMEM_PAGE - 1) & ~(uintptr_t)(VMEM_PAGE - 1);
	if (new_top > cur_top) {
		if (!is_free(v, cur_top, new_top) ||
		    paint(v, cur_top, new_top, VMEM_PROT_RW))
			return v->brk_cur;
		hand_out(v, cur_top, new_top);
	} else if (new_top < cur_top) {
		bool nonrw =
		    vmem_nonrw_span(v, new_top, cur_top - new_top, &lo, &hi);

		if (paint(v, new_top, cur_top, UNMAPPED))
			return v->brk_cur;
		if (nonrw)
			add_fixup(fx, lo, hi - lo, VMEM_PROT_RW);
	}
	v->brk_cur = want;
	return want;
}

intptr_t vmem_map(struct vmem *v, uintptr_t addr, size_t len, int prot,
		  unsigned flags, struct vmem_fixups *fx)
{
	size_t size;

	fx->n = 0;
	if (len == 0 || !valid_prot(prot))
		return -EINVAL;
	if (!page_up(len, &size))
		return -ENOMEM;
	if (flags & (VMEM_MAP_FIXED | VMEM_MAP_NOREPLACE)) {
		if (!page_aligned(addr))
			return -EINVAL;
		if (!in_heap(v, addr, size))
			return -ENOMEM;
		if ((flags & VMEM_MAP_NOREPLACE) &&
		    !is_free(v, addr, addr + size))
			return -EEXIST;
	} else if (!page_aligned(addr) || !in_heap(v, addr, size) ||
		   !is_free(v, addr, addr + size)) {
		/* The hint is unusable: choose the place ourselves. */
		if (!find_gap(v, size, &addr))
			return -ENOMEM;
	}
	if (paint(v, addr, addr + size, prot))
		return -ENOMEM;
	hand_out(v, addr, addr + size);
	if (prot != VMEM_PROT_RW)
		add_fixup(fx, addr, size, prot);
	return (intptr_t)addr;
}

int vmem_unmap(struct vmem *v, uintptr_t addr, size_t len,
	       struct vmem_fixups *fx)
{
	size_t size;
	uintptr_t lo, hi;
	bool nonrw;

	fx->n = 0;
	if (len == 0 || !page_aligned(addr) || !page_up(len, &size) ||
	    !in_heap(v, addr, size))
		return -EINVAL;
	nonrw = vmem_nonrw_span(v, addr, size, &lo, &hi);
	if (paint(v, addr, addr + size, UNMAPPED))
		return -ENOMEM;
	/* Keep the invariant: unmapped pages are RW. */
	if (nonrw)
		add_fixup(fx, lo, hi - lo, VMEM_PROT_RW);
	return 0;
}

/* Move [old, old+old_len) (one extent, protection prot) to dest. */
static intptr_t move(struct vmem *v, uintptr_t old, size_t old_len,
		     size_t new_len, uintptr_t dest, int prot,
		     struct vmem_fixups *fx)
{
	size_t copy = old_len < new_len ? old_len : new_len;

	/* We copy through the old mapping: it must be readable. */
	if (!(prot & VMEM_PROT_READ))
		return -ENOMEM;
	snapshot(v);
	if (paint(v, dest, dest + new_len, prot))
		return -ENOMEM;
	if (paint(v, old, old + old_len, UNMAPPED)) {
		rollback(v);
		return -ENOMEM;
	}
	dirty_zero(v, dest + copy, dest + new_len);
	memcpy((void *)dest, (const void *)old, copy);
	dirty_add(v, dest, dest + new_len);
	if (prot != VMEM_PROT_RW) {
		add_fixup(fx, dest, new_len, prot);
		add_fixup(fx, old, old_len, VMEM_PROT_RW);
	}
	return (intptr_t)dest;
}

static intptr_t remap_in_place(struct vmem *v, uintptr_t old, size_t old_len,
			       size_t new_len, int prot, struct vmem_fixups *fx)
{
	uintptr_t tail = old + old_len;

	if (new_len < old_len) {
		if (paint(v, old + new_len, tail, UNMAPPED))
			return -ENOMEM;
		if (prot != VMEM_PROT_RW)
			add_fixup(fx, old + new_len, old_len - new_len,
				  VMEM_PROT_RW);
	} else if (new_len > old_len) {
		if (paint(v, tail, old + new_len, prot))
			return -ENOMEM;
		hand_out(v, tail, old + new_len);
		if (prot != VMEM_PROT_RW)
			add_fixup(fx, tail, new_len - old_len, prot);
	}
	return (intptr_t)old;
}

intptr_t vmem_remap(struct vmem *v, uintptr_t old, size_t old_len,
		    size_t new_len, unsigned flags, uintptr_t new_addr,
		    struct vmem_fixups *fx)
{
	struct vmem_extent x;
	uintptr_t dest;

	fx->n = 0;
	if (!page_aligned(old) ||
	    (flags & ~(VMEM_REMAP_MAYMOVE | VMEM_REMAP_FIXED)) ||
	    (flags == VMEM_REMAP_FIXED))
		return -EINVAL;
	if (!page_up(old_len, &old_len) || !page_up(new_len, &new_len))
		return -EINVAL;
	/* old_len 0 only duplicates shared mappings; ours are private. */
	if (old_len == 0 || new_len == 0)
		return -EINVAL;
	if (!vmem_lookup(v, old, &x) || old_len > x.end - old)
		return -EFAULT;
	if (flags & VMEM_REMAP_FIXED) {
		if (!page_aligned(new_addr))
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
		if (!in_heap(v, new_addr, new_len))
			return -ENOMEM;
		return move(v, old, old_len, new_len, new_addr, x.prot, fx);
	}
	if (new_len <= old_len ||
	    (in_heap(v, old + old_len, new_len - old_len) &&
	     is_free(v, old + old_len, old + new_len)))
		return remap_in_place(v, old, old_len, new_len, x.prot, fx);
	if (!(flags & VMEM_REMAP_MAYMOVE) || !find_gap(v, new_len, &dest))
		return -ENOMEM;
	return move(v, old, old_len, new_len, dest, x.prot, fx);
}

int vmem_protect(struct vmem *v, uintptr_t addr, size_t len, int prot,
		 bool *changed)
{
	size_t size;

	*changed = false;
	if (!page_aligned(addr) || !valid_prot(prot))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!page_up(len, &size) || !in_heap(v, addr, size) ||
	    !is_mapped(v, addr, addr + size))
		return -ENOMEM;
	for (unsigned i = 0; i < v->n; i++)
		if (v->ext[i].start < addr + size && v->ext[i].end > addr &&
		    v->ext[i].prot != prot)
			*changed = true;
	if (*changed && paint(v, addr, addr + size, prot)) {
		*changed = false;
		return -ENOMEM;
	}
	return 0;
}

int vmem_discard(struct vmem *v, uintptr_t addr, size_t len)
{
	size_t size;
	uintptr_t e;

	if (!page_aligned(addr) || !page_up(len, &size))
		return -EINVAL;
	if (size == 0)
		return 0;
	if (!in_heap(v, addr, size))
		return -ENOMEM;
	e = addr + size;
	/* Non-RW pages cannot be written from here; they keep their data. */
	for (unsigned i = 0; i < v->n; i++) {
		const struct vmem_extent *x = &v->ext[i];

		if (x->prot == VMEM_PROT_RW && x->start < e && x->end > addr)
			dirty_zero(v, x->start > addr ? x->start : addr,
				   x->end < e ? x->end : e);
	}
	return is_mapped(v, addr, e) ? 0 : -ENOMEM;
}

bool vmem_nonrw_span(const struct vmem *v, uintptr_t addr, size_t len,
		     uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t e = addr + len;
	bool found = false;

	for (unsigned i = 0; i < v->n; i++) {
		const struct vmem_extent *x = &v->ext[i];

		if (x->prot == VMEM_PROT_RW || x->start >= e || x->end <= addr)
			continue;
		if (!found)
			*lo = x->start > addr ? x->start : addr;
		*hi = x->end < e ? x->end : e;
		found = true;
	}
	return found;
}

bool vmem_lookup(const struct vmem *v, uintptr_t addr, struct vmem_extent *out)
{
	for (unsigned i = 0; i < v->n; i++) {
		if (addr >= v->ext[i].start && addr < v->ext[i].end) {
			*out = v->ext[i];
			return true;
		}
	}
	return false;
}

size_t vmem_free_bytes(const struct vmem *v)
{
	size_t used = 0;

	for (unsigned i = 0; i < v->n; i++)
		used += v->ext[i].end - v->ext[i].start;
	return (v->end - v->start) - used;
}
