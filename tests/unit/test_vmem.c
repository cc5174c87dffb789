/*
 * Unit tests for unikernel-rt/vmem.c, run natively over a real buffer
 * standing in for the guest heap (vmem writes to it when zeroing reused
 * pages and copying on mremap).
 *
 * Errno values are checked as literal Linux numbers: the runtime returns
 * them to musl, which expects the Linux ABI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmem.h"

#include "check.h"

#define L_ENOMEM 12
#define L_EFAULT 14
#define L_EEXIST 17
#define L_EINVAL 22

#define PG	     VMEM_PAGE
#define HEAP_PAGES   4096u
#define STRESS_PAGES 192u

static struct vmem vm;
static unsigned char *heap;
static struct vmem_fixups fx;

static uintptr_t H(size_t page)
{
	return (uintptr_t)heap + page * PG;
}

static void reset(void)
{
	memset(heap, 0, HEAP_PAGES * PG);
	vmem_init(&vm, H(0), H(HEAP_PAGES));
}

static int all_zero(uintptr_t a, size_t len)
{
	const unsigned char *p = (const unsigned char *)a;

	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_brk(void)
{
	reset();
	CHECK(vmem_brk(&vm, 0, &fx) == H(0));
	CHECK(vmem_brk(&vm, H(0) + 100, &fx) == H(0) + 100);
	CHECK(vmem_brk(&vm, H(3) + 5, &fx) == H(3) + 5);
	memset((void *)H(0), 0xaa, 3 * PG + 5);
	/* Shrink, then grow again: the re-used pages read as zero. */
	CHECK(vmem_brk(&vm, H(1), &fx) == H(1));
	CHECK(vmem_brk(&vm, H(4), &fx) == H(4));
	CHECK(all_zero(H(1), 3 * PG));
	/* Below the start or past the end: the break stays. */
	CHECK(vmem_brk(&vm, H(0) - 1, &fx) == H(4));
	CHECK(vmem_brk(&vm, H(HEAP_PAGES) + 1, &fx) == H(4));
	/* Growing into an mmap'd page fails and keeps the break. */
	CHECK(vmem_map(&vm, H(6), PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx) ==
	      (intptr_t)H(6));
	CHECK(vmem_brk(&vm, H(7), &fx) == H(4));
	CHECK(vmem_brk(&vm, H(6), &fx) == H(6));
}

static void test_map_basic(void)
{
	intptr_t a, b;

	reset();
	a = vmem_map(&vm, 0, 3 * PG, VMEM_PROT_RW, 0, &fx);
	CHECK(a == (intptr_t)H(HEAP_PAGES - 3)); /* top-down */
	CHECK(fx.n == 0);
	b = vmem_map(&vm, 0, 1, VMEM_PROT_RW, 0, &fx);
	CHECK(b == (intptr_t)H(HEAP_PAGES - 4));
	CHECK(vmem_map(&vm, 0, 0, VMEM_PROT_RW, 0, &fx) == -L_EINVAL);
	CHECK(vmem_map(&vm, 0, PG, 7, 0, &fx) == -L_EINVAL);
	CHECK(vmem_map(&vm, H(1) + 1, PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx) ==
	      -L_EINVAL);
	CHECK(vmem_map(&vm, H(HEAP_PAGES), PG, VMEM_PROT_RW, VMEM_MAP_FIXED,
		       &fx) == -L_ENOMEM);
	CHECK(vmem_map(&vm, (uintptr_t)a, PG, VMEM_PROT_RW, VMEM_MAP_NOREPLACE,
		       &fx) == -L_EEXIST);
	CHECK(vmem_map(&vm, 0, SIZE_MAX, VMEM_PROT_RW, 0, &fx) == -L_ENOMEM);
	/* A usable hint is honoured; an unusable one is ignored. */
	CHECK(vmem_map(&vm, H(10), PG, VMEM_PROT_RW, 0, &fx) ==
	      (intptr_t)H(10));
	CHECK(vmem_map(&vm, H(10), PG, VMEM_PROT_RW, 0, &fx) ==
	      (intptr_t)H(HEAP_PAGES - 5));
	/* Non-RW mappings ask the caller to apply the protection. */
	a = vmem_map(&vm, 0, 2 * PG, VMEM_PROT_NONE, 0, &fx);
	CHECK(a > 0 && fx.n == 1 && fx.f[0].addr == (uintptr_t)a &&
	      fx.f[0].len == 2 * PG && fx.f[0].prot == VMEM_PROT_NONE);
}

static void test_unmap(void)
{
	intptr_t a;
	struct vmem_extent x;

	reset();
	a = vmem_map(&vm, 0, 8 * PG, VMEM_PROT_RW, 0, &fx);
	CHECK(vmem_unmap(&vm, (uintptr_t)a + 2 * PG, 2 * PG, &fx) == 0);
	CHECK(vmem_lookup(&vm, (uintptr_t)a, &x) &&
	      x.end == (uintptr_t)a + 2 * PG);
	CHECK(!vmem_lookup(&vm, (uintptr_t)a + 3 * PG, &x));
	CHECK(vmem_lookup(&vm, (uintptr_t)a + 4 * PG, &x) &&
	      x.start == (uintptr_t)a + 4 * PG);
	/* Unmapping across holes and already-free pages is fine. */
	CHECK(vmem_unmap(&vm, (uintptr_t)a, 8 * PG, &fx) == 0);
	CHECK(vmem_free_bytes(&vm) == HEAP_PAGES * PG);
	CHECK(vmem_unmap(&vm, H(1) + 8, PG, &fx) == -L_EINVAL);
	CHECK(vmem_unmap(&vm, H(1), 0, &fx) == -L_EINVAL);
	CHECK(vmem_unmap(&vm, H(HEAP_PAGES - 1), 2 * PG, &fx) == -L_EINVAL);
	/* Unmapping a PROT_NONE page asks for it to become RW again. */
	a = vmem_map(&vm, 0, 4 * PG, VMEM_PROT_RW, 0, &fx);
	CHECK(vmem_map(&vm, (uintptr_t)a + PG, PG, VMEM_PROT_NONE,
		       VMEM_MAP_FIXED, &fx) == a + (intptr_t)PG);
	CHECK(vmem_unmap(&vm, (uintptr_t)a, 4 * PG, &fx) == 0);
	CHECK(fx.n == 1 && fx.f[0].addr == (uintptr_t)a + PG &&
	      fx.f[0].len == PG && fx.f[0].prot == VMEM_PROT_RW);
}

static void test_reuse_zeroed(void)
{
	intptr_t a, b;

	reset();
	a = vmem_map(&vm, 0, 16 * PG, VMEM_PROT_RW, 0, &fx);
	memset((void *)a, 0x5a, 16 * PG);
	CHECK(vmem_unmap(&vm, (uintptr_t)a, 16 * PG, &fx) == 0);
	b = vmem_map(&vm, 0, 16 * PG, VMEM_PROT_RW, 0, &fx);
	CHECK(b == a);
	CHECK(all_zero((uintptr_t)b, 16 * PG));
	/* MAP_FIXED over live data replaces it with zeros. */
	memset((void *)b, 0x77, 16 * PG);
	CHECK(vmem_map(&vm, (uintptr_t)b + PG, PG, VMEM_PROT_RW, VMEM_MAP_FIXED,
		       &fx) == b + (intptr_t)PG);
	CHECK(all_zero((uintptr_t)b + PG, PG));
	CHECK(((unsigned char *)b)[0] == 0x77 &&
	      ((unsigned char *)b)[2 * PG] == 0x77);
	/* MADV_DONTNEED-style discard. */
	CHECK(vmem_discard(&vm, (uintptr_t)b, 16 * PG) == 0);
	CHECK(all_zero((uintptr_t)b, 16 * PG));
	CHECK(vmem_discard(&vm, (uintptr_t)b + 1, PG) == -L_EINVAL);
	CHECK(vmem_discard(&vm, H(0), PG) == -L_ENOMEM);
}

static void test_remap(void)
{
	intptr_t a, b, c;

	reset();
	a = vmem_map(&vm, H(100), 2 * PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx);
	memset((void *)a, 0x11, 2 * PG);
	/* Grow in place into free pages. */
	CHECK(vmem_remap(&vm, (uintptr_t)a, 2 * PG, 4 * PG, 0, 0, &fx) == a);
	CHECK(all_zero((uintptr_t)a + 2 * PG, 2 * PG));
	/* Blocked above: without MAYMOVE -> ENOMEM, with it -> moved. */
	CHECK(vmem_map(&vm, H(104), PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx) ==
	      (intptr_t)H(104));
	CHECK(vmem_remap(&vm, (uintptr_t)a, 4 * PG, 8 * PG, 0, 0, &fx) ==
	      -L_ENOMEM);
	b = vmem_remap(&vm, (uintptr_t)a, 4 * PG, 8 * PG, VMEM_REMAP_MAYMOVE, 0,
		       &fx);
	CHECK(b > 0 && b != a);
	if (b <= 0)
		return;
	CHECK(((unsigned char *)b)[0] == 0x11 &&
	      ((unsigned char *)b)[2 * PG - 1] == 0x11);
	CHECK(all_zero((uintptr_t)b + 2 * PG, 6 * PG));
	CHECK(vmem_map(&vm, (uintptr_t)a, PG, VMEM_PROT_RW, VMEM_MAP_NOREPLACE,
		       &fx) == a); /* old range freed */
	/* Shrink. */
	CHECK(vmem_remap(&vm, (uintptr_t)b, 8 * PG, PG, 0, 0, &fx) == b);
	CHECK(vmem_free_bytes(&vm) == (HEAP_PAGES - 3) * PG);
	/* Errors. */
	CHECK(vmem_remap(&vm, (uintptr_t)b + 1, PG, PG, 0, 0, &fx) ==
	      -L_EINVAL);
	CHECK(vmem_remap(&vm, (uintptr_t)b, PG, PG, 8, 0, &fx) == -L_EINVAL);
	CHECK(vmem_remap(&vm, (uintptr_t)b, PG, PG, VMEM_REMAP_FIXED, 0, &fx) ==
	      -L_EINVAL);
	CHECK(vmem_remap(&vm, (uintptr_t)b, 0, PG, 0, 0, &fx) == -L_EINVAL);
	CHECK(vmem_remap(&vm, (uintptr_t)b, PG, 0, 0, 0, &fx) == -L_EINVAL);
	CHECK(vmem_remap(&vm, H(50), PG, 2 * PG, 0, 0, &fx) == -L_EFAULT);
	CHECK(vmem_remap(&vm, (uintptr_t)b, 2 * PG, 4 * PG, VMEM_REMAP_MAYMOVE,
			 0, &fx) == -L_EFAULT);
	/* MREMAP_FIXED: moves to the exact place, replacing what is there. */
	memset((void *)b, 0x22, PG);
	c = vmem_remap(&vm, (uintptr_t)b, PG, 2 * PG,
		       VMEM_REMAP_MAYMOVE | VMEM_REMAP_FIXED, H(104), &fx);
	CHECK(c == (intptr_t)H(104));
	CHECK(((unsigned char *)c)[0] == 0x22 && all_zero(c + PG, PG));
	CHECK(vmem_remap(&vm, (uintptr_t)c, PG, 2 * PG,
			 VMEM_REMAP_MAYMOVE | VMEM_REMAP_FIXED, c - PG,
			 &fx) == -L_EINVAL); /* overlaps */
	/* A PROT_NONE mapping cannot be copied, so it cannot move. */
	a = vmem_map(&vm, H(200), PG, VMEM_PROT_NONE, VMEM_MAP_FIXED, &fx);
	CHECK(vmem_map(&vm, H(201), PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx) ==
	      (intptr_t)H(201));
	CHECK(vmem_remap(&vm, (uintptr_t)a, PG, 2 * PG, VMEM_REMAP_MAYMOVE, 0,
			 &fx) == -L_ENOMEM);
}

static void test_protect(void)
{
	intptr_t a;
	bool changed;

	reset();
	a = vmem_map(&vm, H(100), 4 * PG, VMEM_PROT_RW, VMEM_MAP_FIXED, &fx);
	CHECK(vmem_protect(&vm, (uintptr_t)a, 4 * PG, VMEM_PROT_RW, &changed) ==
		  0 &&
	      !changed);
	CHECK(vmem_protect(&vm, (uintptr_t)a + PG, PG, VMEM_PROT_READ,
			   &changed) == 0 &&
	      changed);
	CHECK(vmem_protect(&vm, (uintptr_t)a, 5 * PG, VMEM_PROT_READ,
			   &changed) == -L_ENOMEM &&
	      !changed);
	CHECK(vmem_protect(&vm, (uintptr_t)a + 1, PG, VMEM_PROT_READ,
			   &changed) == -L_EINVAL);
	CHECK(vmem_protect(&vm, (uintptr_t)a, 0, VMEM_PROT_READ, &changed) ==
	      0);
	/* Growing a read-only mapping in place asks for the tail too. */
	CHECK(vmem_protect(&vm, (uintptr_t)a, 4 * PG, VMEM_PROT_READ,
			   &changed) == 0);
	CHECK(vmem_remap(&vm, (uintptr_t)a + 3 * PG, PG, 2 * PG, 0, 0, &fx) ==
	      a + 3 * (intptr_t)PG);
	CHECK(fx.n == 1 && fx.f[0].addr == (uintptr_t)a + 4 * PG &&
	      fx.f[0].prot == VMEM_PROT_READ);
}

static void test_exhaustion(void)
{
	struct vmem_extent x;
	unsigned i, done = 0;
	int r = 0;
	bool changed;

	reset();
	/* Memory: fill the heap, then one more page fails. */
	CHECK(vmem_map(&vm, 0, HEAP_PAGES * PG, VMEM_PROT_RW, 0, &fx) ==
	      (intptr_t)H(0));
	CHECK(vmem_map(&vm, 0, PG, VMEM_PROT_RW, 0, &fx) == -L_ENOMEM);
	CHECK(vmem_brk(&vm, H(1), &fx) == H(0));
	/* Fragmented: two free pages that are not adjacent do not make a
	 * two-page mapping. */
	CHECK(vmem_unmap(&vm, H(10), PG, &fx) == 0);
	CHECK(vmem_unmap(&vm, H(20), PG, &fx) == 0);
	CHECK(vmem_map(&vm, 0, 2 * PG, VMEM_PROT_RW, 0, &fx) == -L_ENOMEM);
	CHECK(vmem_map(&vm, 0, PG, VMEM_PROT_RW, 0, &fx) == (intptr_t)H(20));
	/* Metadata: alternate protections until the extent list is full;
	 * the failing call must change nothing. */
	reset();
	CHECK(vmem_map(&vm, 0, HEAP_PAGES * PG, VMEM_PROT_RW, 0, &fx) > 0);
	for (i = 1; i < HEAP_PAGES; i += 2) {
		r = vmem_protect(&vm, H(i), PG, VMEM_PROT_READ, &changed);
		if (r)
			break;
		done++;
	}
	CHECK(r == -L_ENOMEM && !changed);
	CHECK(done == (VMEM_MAX_EXTENTS - 1) / 2);
	CHECK(vm.n == VMEM_MAX_EXTENTS - 1);
	CHECK(vmem_lookup(&vm, H(i), &x) && x.prot == VMEM_PROT_RW &&
	      x.start == H(i - 1) && x.end == H(HEAP_PAGES));
	CHECK(vmem_lookup(&vm, H(i - 2), &x) && x.prot == VMEM_PROT_READ);
	/* Fill the last slot; then a hole in the middle of an extent (which
	 * needs one more) fails too. */
	CHECK(vmem_protect(&vm, H(HEAP_PAGES - 1), PG, VMEM_PROT_READ,
			   &changed) == 0);
	CHECK(vm.n == VMEM_MAX_EXTENTS);
	CHECK(vmem_unmap(&vm, H(HEAP_PAGES - 3), PG, &fx) == -L_ENOMEM);
	CHECK(vmem_lookup(&vm, H(HEAP_PAGES - 3), &x));
	/* Unmapping that removes extents still works when full. */
	CHECK(vmem_unmap(&vm, H(0), 8 * PG, &fx) == 0);
	CHECK(fx.n == 1 && fx.f[0].addr == H(1) && fx.f[0].len == 7 * PG &&
	      fx.f[0].prot == VMEM_PROT_RW);
}

/* ---- randomised stress against a per-page shadow model -------------- */

static struct {
	int prot; /* -1: unmapped */
	unsigned char tag;
} shadow[STRESS_PAGES];
static uintptr_t model_brk;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static size_t page_of(uintptr_t a)
{
	return (a - (uintptr_t)heap) / PG;
}

/* Does the shadow have a free run of n pages? */
static bool shadow_has_gap(unsigned n)
{
	unsigned run = 0;

	for (unsigned p = 0; p < STRESS_PAGES; p++) {
		run = shadow[p].prot < 0 ? run + 1 : 0;
		if (run >= n)
			return true;
	}
	return false;
}

static bool shadow_free(size_t p, size_t n)
{
	for (size_t i = p; i < p + n; i++)
		if (i >= STRESS_PAGES || shadow[i].prot >= 0)
			return false;
	return true;
}

/* New pages [p, p+n) with prot: they must read as zero; RW ones get a
 * fresh tag written all over them. */
static void shadow_hand_out(size_t p, size_t n, int prot)
{
	for (size_t i = p; i < p + n; i++) {
		CHECK(all_zero(H(i), PG));
		shadow[i].prot = prot;
		shadow[i].tag = 0;
		if (prot == VMEM_PROT_RW) {
			shadow[i].tag = (unsigned char)(1 + rnd(255));
			memset((void *)H(i), shadow[i].tag, PG);
		}
	}
}

static void stress_map(void)
{
	unsigned n = 1 + rnd(16), p = rnd(STRESS_PAGES);
	int prot = rnd(4) ? VMEM_PROT_RW : (rnd(2) ? VMEM_PROT_READ : 0);
	unsigned flags = rnd(4) ? 0 : VMEM_MAP_FIXED;
	intptr_t r = vmem_map(&vm, H(p), n * PG - rnd(PG), prot, flags, &fx);

	if (flags) {
		if (p + n > STRESS_PAGES) {
			CHECK(r == -L_ENOMEM);
			return;
		}
		CHECK(r == (intptr_t)H(p));
		/* The runtime makes replaced non-RW pages RW first. */
		for (unsigned i = p; i < p + n; i++)
			shadow[i].prot = -1;
	} else if (shadow_free(p, n)) {
		CHECK(r == (intptr_t)H(p)); /* usable hint */
	} else if (!shadow_has_gap(n)) {
		CHECK(r == -L_ENOMEM);
		return;
	}
	CHECK(r > 0 && (uintptr_t)r % PG == 0 && shadow_free(page_of(r), n));
	CHECK(prot == VMEM_PROT_RW ? fx.n == 0
				   : fx.n == 1 && fx.f[0].len == n * PG);
	if (r > 0)
		shadow_hand_out(page_of(r), n, prot);
}

static void stress_unmap(void)
{
	unsigned p = rnd(STRESS_PAGES), n = 1 + rnd(24);
	long lo = -1, hi = -1;

	if (p + n > STRESS_PAGES)
		n = STRESS_PAGES - p;
	for (unsigned i = p; i < p + n; i++) {
		if (shadow[i].prot >= 0 && shadow[i].prot != VMEM_PROT_RW) {
			lo = lo < 0 ? (long)i : lo;
			hi = (long)i + 1;
		}
		shadow[i].prot = -1;
	}
	CHECK(vmem_unmap(&vm, H(p), n * PG, &fx) == 0);
	CHECK(lo < 0 ? fx.n == 0
		     : fx.n == 1 && fx.f[0].addr == H(lo) &&
			   fx.f[0].len == (size_t)(hi - lo) * PG &&
			   fx.f[0].prot == VMEM_PROT_RW);
}

/* Same protection on every page of [p, p+n)? */
static bool shadow_one_extent(unsigned p, unsigned n)
{
	if (p + n > STRESS_PAGES || shadow[p].prot < 0)
		return false;
	for (unsigned i = p; i < p + n; i++)
		if (shadow[i].prot != shadow[p].prot)
			return false;
	return true;
}

static void stress_remap(void)
{
	unsigned p = rnd(STRESS_PAGES), n = 1 + rnd(8), nn = 1 + rnd(16);
	unsigned flags = rnd(2) ? VMEM_REMAP_MAYMOVE : 0;
	intptr_t r = vmem_remap(&vm, H(p), n * PG, nn * PG, flags, 0, &fx);
	unsigned char tags[16];
	int prot;

	if (!shadow_one_extent(p, n)) {
		CHECK(r == -L_EFAULT);
		return;
	}
	prot = shadow[p].prot;
	for (unsigned i = 0; i < n; i++)
		tags[i] = shadow[p + i].tag;
	if (nn <= n || shadow_free(p + n, nn - n)) {
		CHECK(r == (intptr_t)H(p));
		for (unsigned i = nn; i < n; i++)
			shadow[p + i].prot = -1;
		if (nn > n)
			shadow_hand_out(p + n, nn - n, prot);
		return;
	}
	if (!flags || !(prot & VMEM_PROT_READ) || !shadow_has_gap(nn)) {
		CHECK(r == -L_ENOMEM);
		return;
	}
	CHECK(r > 0 && shadow_free(page_of(r), nn));
	if (r <= 0)
		return;
	for (unsigned i = 0; i < n; i++)
		shadow[p + i].prot = -1;
	for (unsigned i = 0; i < nn; i++) {
		size_t q = page_of(r) + i;

		shadow[q].prot = prot;
		shadow[q].tag = i < n ? tags[i] : 0;
		if (i >= n)
			CHECK(all_zero(H(q), PG));
	}
}

static void stress_protect(void)
{
	unsigned p = rnd(STRESS_PAGES), n = 1 + rnd(8);
	int prot = rnd(3) ? VMEM_PROT_RW : VMEM_PROT_READ;
	bool changed, mapped = p + n <= STRESS_PAGES, differ = false;
	int r = vmem_protect(&vm, H(p), n * PG, prot, &changed);

	for (unsigned i = p; mapped && i < p + n; i++) {
		mapped = shadow[i].prot >= 0;
		differ = differ || shadow[i].prot != prot;
	}
	if (!mapped) {
		CHECK(r == -L_ENOMEM && !changed);
		return;
	}
	CHECK(r == 0 && changed == differ);
	for (unsigned i = p; i < p + n; i++)
		shadow[i].prot = prot;
}

static void stress_brk(void)
{
	uintptr_t want = H(0) + rnd(40 * PG);
	uintptr_t cur_top = (model_brk + PG - 1) & ~(uintptr_t)(PG - 1);
	uintptr_t new_top = (want + PG - 1) & ~(uintptr_t)(PG - 1);
	uintptr_t r = vmem_brk(&vm, want, &fx);

	if (new_top > cur_top &&
	    !shadow_free(page_of(cur_top), (new_top - cur_top) / PG)) {
		CHECK(r == model_brk);
		return;
	}
	CHECK(r == want);
	if (new_top > cur_top)
		shadow_hand_out(page_of(cur_top), (new_top - cur_top) / PG,
				VMEM_PROT_RW);
	for (size_t i = page_of(new_top); i < page_of(cur_top); i++)
		shadow[i].prot = -1;
	model_brk = want;
}

static void stress_verify(void)
{
	size_t free_pages = 0;
	bool ok = true;
	struct vmem_extent x;

	for (unsigned i = 0; i < vm.n; i++) {
		ok = ok && vm.ext[i].start < vm.ext[i].end &&
		     vm.ext[i].start >= vm.start && vm.ext[i].end <= vm.end;
		if (i > 0)
			ok = ok && (vm.ext[i - 1].end < vm.ext[i].start ||
				    (vm.ext[i - 1].end == vm.ext[i].start &&
				     vm.ext[i - 1].prot != vm.ext[i].prot));
	}
	for (unsigned p = 0; p < STRESS_PAGES; p++) {
		const unsigned char *b = (const unsigned char *)H(p);
		bool m = vmem_lookup(&vm, H(p), &x);

		free_pages += shadow[p].prot < 0;
		ok = ok && m == (shadow[p].prot >= 0);
		if (shadow[p].prot < 0)
			continue;
		ok = ok && x.prot == shadow[p].prot && b[0] == shadow[p].tag &&
		     b[PG - 1] == shadow[p].tag && b[rnd(PG)] == shadow[p].tag;
	}
	CHECK(ok);
	CHECK(vmem_free_bytes(&vm) == free_pages * PG);
}

static void test_stress(unsigned rounds)
{
	int before = failed;

	reset();
	vmem_init(&vm, H(0), H(STRESS_PAGES));
	model_brk = H(0);
	for (unsigned p = 0; p < STRESS_PAGES; p++)
		shadow[p].prot = -1;
	for (unsigned i = 0; i < rounds && failed == before; i++) {
		switch (rnd(9)) {
		case 0:
		case 1:
		case 2:
			stress_map();
			break;
		case 3:
		case 4:
			stress_unmap();
			break;
		case 5:
		case 6:
			stress_remap();
			break;
		case 7:
			stress_protect();
			break;
		default:
			stress_brk();
			break;
		}
		stress_verify();
		if (failed != before)
			fprintf(stderr, "stress: failed at round %u\n", i);
	}
}

int main(void)
{
	heap = aligned_alloc(PG, HEAP_PAGES * PG);
	if (!heap) {
		perror("aligned_alloc");
		return 2;
	}
	test_brk();
	test_map_basic();
	test_unmap();
	test_reuse_zeroed();
	test_remap();
	test_protect();
	test_exhaustion();
	test_stress(20000);
	free(heap);
	return check_summary("test_vmem");
}
