/*
 * The guest's identity-mapping page tables, built and edited from the
 * host side. The guest runs at CPL3 only and the tables are mapped
 * supervisor-only, so it can read none of this and change none of it.
 *
 * Shape: two identical PML4 pages (entry 0 used) -> one PDPT -> one PD
 * per GiB -> either a 2 MiB page, or a 4 KiB PT from the pool in
 * [EMBER_PT_START, EMBER_PT_END). A 2 MiB region gets a PT only where
 * permissions change inside it, so a 64 MiB guest needs a handful of
 * PTs, not 16k PTEs.
 *
 * Every entry is written with its Accessed bit (and leaves with their
 * Dirty bit) already set: the CPU would otherwise set them with locked
 * writes on first use, and under shadow paging each such update is a
 * trip through the host's MMU code.
 *
 * Why PTs are never reused: under shadow paging (PVM, or KVM without
 * EPT/NPT) KVM keeps a shadow page per guest page-table page, found by
 * its guest-physical address, and trusts it because it traps every
 * *guest* write to that page. Our writes come from the host side and
 * are invisible to it. Changing a leaf PTE is safe because the backend
 * then makes KVM drop every shadow entry mapping the affected pages (see
 * kvm_flush_guest_tlb). But a PT page moved to another 2 MiB region
 * would meet its old shadow page, full of translations for the old
 * region. So a PT, once given to a region, stays with it for the life of
 * the VM, and a table PDE never turns back into a 2 MiB page (a whole
 * region remapped under a PT gets its 512 PTEs rewritten instead). The
 * pool is a bump allocator.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "kvm_tables.h"
#include "vm.h"

/* Non-leaf entries allow everything; leaves carry the permissions
 * (the CPU ANDs U/S and R/W and ORs NX over all levels). */
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A)

uint64_t kvm_leaf_flags(int user, int write, int exec)
{
	uint64_t f = PTE_P | PTE_A | PTE_D;

	if (user)
		f |= PTE_US;
	if (write)
		f |= PTE_RW;
	if (!exec)
		f |= PTE_NX;
	return f;
}

/* The permission a leaf entry grants: 0 when not present. */
static uint64_t perm_of(uint64_t entry)
{
	return (entry & PTE_P) ? (entry & PTE_PERM) : 0;
}

static uint64_t *table_at(const struct kvm_pt *pt, uint64_t gpa)
{
	return (uint64_t *)(void *)(pt->mem + gpa);
}

static uint64_t *pde_for(const struct kvm_pt *pt, uint64_t va)
{
	return table_at(pt, KVM_PD_GPA(va / KVM_1G)) + ((va >> 21) & 511);
}

static int pde_is_table(uint64_t pde)
{
	return (pde & PTE_P) && !(pde & PTE_PS);
}

/* The PT a table PDE points at, or 0 if it is not a pool page (the
 * tables are corrupt: nothing but this file writes them). */
static uint64_t pde_table_gpa(uint64_t pde)
{
	uint64_t gpa = pde & PTE_ADDR;

	if (gpa < EMBER_PT_START || gpa >= EMBER_PT_END)
		return 0;
	return gpa;
}

/* Take the next PT page from the pool. Pages are never given back: see
 * "Why PTs are never reused" above. */
static uint64_t pool_alloc(struct kvm_pt *pt)
{
	uint64_t gpa =
	    EMBER_PT_START + (uint64_t)pt->pool_used * EMBER_PAGE_SIZE;

	pt->pool_used++;
	memset(pt->mem + gpa, 0, EMBER_PAGE_SIZE);
	return gpa;
}

int kvm_pt_init(struct kvm_pt *pt, uint8_t *mem, uint64_t mem_size)
{
	if (mem_size < EMBER_MEM_MIN || mem_size > EMBER_MEM_MAX ||
	    mem_size % EMBER_PAGE_SIZE != 0 ||
	    mem_size > (uint64_t)KVM_MAX_PDS * KVM_1G)
		return -EINVAL;
	pt->mem = mem;
	pt->mem_size = mem_size;
	pt->pool_used = 0;

	memset(mem + KVM_PML4_GPA(0), 0,
	       KVM_PD_GPA(KVM_MAX_PDS) - KVM_PML4_GPA(0));
	for (unsigned i = 0; i < 2; i++)
		table_at(pt, KVM_PML4_GPA(i))[0] = KVM_PDPT_GPA | TABLE_FLAGS;
	uint64_t npd = (mem_size + KVM_1G - 1) / KVM_1G;
	for (unsigned i = 0; i < npd; i++)
		table_at(pt, KVM_PDPT_GPA)[i] = KVM_PD_GPA(i) | TABLE_FLAGS;
	return 0;
}

/* How many new PTs mapping [start, end) needs; -EIO if corrupt. */
static long pts_needed(const struct kvm_pt *pt, uint64_t start, uint64_t end,
		       uint64_t flags)
{
	long need = 0;

	for (uint64_t r = start & ~(KVM_2M - 1); r < end; r += KVM_2M) {
		uint64_t pde = *pde_for(pt, r);
		int full = start <= r && end >= r + KVM_2M;

		if (pde_is_table(pde)) {
			if (!pde_table_gpa(pde))
				return -EIO;
		} else if (!full && perm_of(pde) != perm_of(flags)) {
			need++;
		}
	}
	return need;
}

/* Replace the 2 MiB leaf (or hole) at PDE *pde for region r by a PT
 * holding the same mapping in 4 KiB pages. */
static uint64_t split(struct kvm_pt *pt, uint64_t *pde, uint64_t r)
{
	uint64_t gpa = pool_alloc(pt);
	uint64_t *pte = table_at(pt, gpa);
	uint64_t keep = *pde & (PTE_PERM | PTE_A | PTE_D);

	if (*pde & PTE_P) {
		for (unsigned i = 0; i < 512; i++)
			pte[i] = (r + i * EMBER_PAGE_SIZE) | keep;
	}
	*pde = gpa | TABLE_FLAGS;
	return gpa;
}

/* Map the part [s, e) of the 2 MiB region r. */
static void map_region(struct kvm_pt *pt, uint64_t r, uint64_t s, uint64_t e,
		       uint64_t flags)
{
	uint64_t *pde = pde_for(pt, r);
	uint64_t gpa;

	if (pde_is_table(*pde))
		gpa = pde_table_gpa(*pde);
	else if (s == r && e == r + KVM_2M) {
		*pde = flags ? (r | flags | PTE_PS) : 0;
		return;
	} else if (perm_of(*pde) == perm_of(flags))
		return; /* already mapped that way as a 2 MiB page */
	else
		gpa = split(pt, pde, r);

	uint64_t *pte = table_at(pt, gpa);
	for (uint64_t va = s; va < e; va += EMBER_PAGE_SIZE)
		pte[(va >> 12) & 511] = flags ? (va | flags) : 0;
}

int kvm_pt_map(struct kvm_pt *pt, uint64_t start, uint64_t end, uint64_t flags)
{
	if (start % EMBER_PAGE_SIZE || end % EMBER_PAGE_SIZE || start > end ||
	    end > pt->mem_size)
		return -EINVAL;
	if (!(flags & PTE_P))
		flags = 0;

	long need = pts_needed(pt, start, end, flags);
	if (need < 0)
		return (int)need;
	if ((unsigned long)need > KVM_PT_POOL_PAGES - pt->pool_used)
		return -ENOMEM;

	for (uint64_t r = start & ~(KVM_2M - 1); r < end; r += KVM_2M) {
		uint64_t s = start > r ? start : r;
		uint64_t e = end < r + KVM_2M ? end : r + KVM_2M;
		map_region(pt, r, s, e, flags);
	}
	return 0;
}

static uint64_t page_up(uint64_t x)
{
	return (x + EMBER_PAGE_SIZE - 1) & ~(EMBER_PAGE_SIZE - 1);
}

static int layout_ok(const struct guest_layout *l)
{
	return l->image_start >= EMBER_IMAGE_BASE &&
	       l->image_start <= l->image_end &&
	       l->image_end <= l->heap_start && l->heap_start <= l->heap_end &&
	       l->heap_end <= l->stack_guard &&
	       l->stack_guard + EMBER_GUARD_SIZE == l->stack_bottom &&
	       l->stack_bottom < l->stack_top && l->stack_top <= l->mem_size;
}

static int map_segments(struct kvm_pt *pt, const struct image *img)
{
	for (unsigned i = 0; i < img->nseg && i < IMAGE_MAX_SEGMENTS; i++) {
		const struct image_segment *s = &img->seg[i];
		if (s->memsz == 0)
			continue;
		if (s->vaddr < EMBER_IMAGE_BASE || s->memsz > pt->mem_size ||
		    s->vaddr > pt->mem_size - s->memsz)
			return -EINVAL;
		uint64_t f =
		    kvm_leaf_flags(1, !!(s->flags & PF_W), !!(s->flags & PF_X));
		int rc = kvm_pt_map(pt, s->vaddr & ~(EMBER_PAGE_SIZE - 1),
				    page_up(s->vaddr + s->memsz), f);
		if (rc)
			return rc;
	}
	return 0;
}

int kvm_pt_build(struct kvm_pt *pt, uint8_t *mem, const struct guest_layout *l,
		 const struct image *img)
{
	const uint64_t sys = kvm_leaf_flags(0, 1, 0);
	const uint64_t user_rw = kvm_leaf_flags(1, 1, 0);
	int rc;

	if (!layout_ok(l))
		return -EINVAL;
	rc = kvm_pt_init(pt, mem, l->mem_size);
	if (rc)
		return rc;
	/* Page 0 and the stack guard page are simply never mapped. */
	if ((rc = kvm_pt_map(pt, EMBER_SYS_START, EMBER_SYS_END, sys)) ||
	    (rc = kvm_pt_map(pt, EMBER_BOOTINFO_GPA,
			     EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE,
			     kvm_leaf_flags(1, 0, 0))) ||
	    (rc = kvm_pt_map(pt, EMBER_PT_START, EMBER_PT_END, sys)) ||
	    (rc = map_segments(pt, img)) ||
	    (rc = kvm_pt_map(pt, l->heap_start, l->heap_end, user_rw)) ||
	    (rc = kvm_pt_map(pt, l->stack_bottom, l->stack_top, user_rw)))
		return rc;
	return 0;
}

int kvm_pt_map_mmio(struct kvm_pt *pt)
{
	const uint64_t va = EMBER_NET_MMIO_GPA;
	uint64_t *pdpt = table_at(pt, KVM_PDPT_GPA);
	uint64_t *pd = table_at(pt, KVM_MMIO_PD_GPA), *pte, gpa;

	_Static_assert(EMBER_NET_MMIO_GPA % KVM_1G == 0 &&
			   EMBER_NET_MMIO_GPA / KVM_1G == KVM_MAX_PDS &&
			   EMBER_NET_MMIO_SIZE == EMBER_PAGE_SIZE,
		       "the window is the first page of the ninth GiB");
	if (pt->pool_used >= KVM_PT_POOL_PAGES)
		return -ENOMEM;
	memset(pd, 0, EMBER_PAGE_SIZE);
	gpa = pool_alloc(pt);
	pte = table_at(pt, gpa);
	pte[0] = va | kvm_leaf_flags(1, 1, 0);
	pd[0] = gpa | TABLE_FLAGS;
	pdpt[va / KVM_1G] = KVM_MMIO_PD_GPA | TABLE_FLAGS;
	return 0;
}

/* Entry idx of the table at gpa, or -EIO if it lies outside memory. */
static int read_entry(const struct kvm_pt *pt, uint64_t gpa, unsigned idx,
		      uint64_t *out)
{
	if (gpa > pt->mem_size || pt->mem_size - gpa < EMBER_PAGE_SIZE)
		return -EIO;
	*out = table_at(pt, gpa)[idx & 511];
	return 0;
}

int kvm_pt_walk(const struct kvm_pt *pt, uint64_t pml4_gpa, uint64_t va,
		struct kvm_walk *w)
{
	static const unsigned shift[4] = {39, 30, 21, 12};
	uint64_t table = pml4_gpa, e = 0;

	memset(w, 0, sizeof(*w));
	if (va >= (1ull << 47))
		return 0; /* only the lower canonical half is ever mapped */
	w->user = w->write = w->exec = 1;
	for (unsigned lvl = 0; lvl < 4; lvl++) {
		if (read_entry(pt, table, (unsigned)(va >> shift[lvl]), &e))
			return -EIO;
		if (!(e & PTE_P)) {
			w->user = w->write = w->exec = 0;
			return 0;
		}
		w->user &= !!(e & PTE_US);
		w->write &= !!(e & PTE_RW);
		w->exec &= !(e & PTE_NX);
		if (lvl == 3 || ((lvl == 1 || lvl == 2) && (e & PTE_PS))) {
			uint64_t size = 1ull << shift[lvl];
			w->present = 1;
			w->page_size = (unsigned)size;
			w->phys =
			    (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EIO; /* not reached */
}
