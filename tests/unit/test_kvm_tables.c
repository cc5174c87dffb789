/*
 * Unit test of the KVM backend's pure parts: the page tables it builds
 * and edits (monitor/kvm_paging.c), the GDT/IDT/TSS encoding
 * (monitor/kvm_desc.c) and the vCPU special registers and feature
 * choice (monitor/kvm_cpu.c). Runs natively: no /dev/kvm needed.
 *
 * The page tables are checked with a walker written here, independent
 * of kvm_pt_walk, which is itself checked against it.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm_cpu.h"
#include "kvm_tables.h"
#include "vm.h"

#include "check.h"

/* ---- An independent page walker ---------------------------------- */
enum { NP = 0, R = 1, W = 2, X = 4, U = 8 }; /* expected access bits */

struct walked {
	int access; /* NP or R|W|X|U bits */
	uint64_t phys;
	uint64_t page_size;
};

static uint64_t rd(const uint8_t *mem, uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, mem + gpa, sizeof(v));
	return v;
}

static struct walked walk(const uint8_t *mem, uint64_t cr3, uint64_t va)
{
	struct walked w = {NP, 0, 0};
	uint64_t t = cr3, e = 0;
	int u = 1, wr = 1, nx = 0;

	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		e = rd(mem, (t & PTE_ADDR) + ((va >> shift) & 511) * 8);
		if (!(e & 1))
			return w;
		u &= !!(e & 4);
		wr &= !!(e & 2);
		nx |= !!(e >> 63);
		if (level == 1 || (level <= 3 && (e & 0x80))) {
			uint64_t size = 1ull << shift;
			w.access =
			    R | (wr ? W : 0) | (nx ? 0 : X) | (u ? U : 0);
			w.phys =
			    (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			w.page_size = size;
			return w;
		}
		t = e;
	}
	return w;
}

/* Check va through both PML4 copies, and kvm_pt_walk agrees. */
static void expect(const struct kvm_pt *pt, uint64_t va, int access,
		   uint64_t page_size, int line)
{
	for (unsigned i = 0; i < 2; i++) {
		struct walked w = walk(pt->mem, KVM_PML4_GPA(i), va);
		struct kvm_walk k;
		int ok = w.access == access &&
			 (access == NP ||
			  (w.phys == va &&
			   (!page_size || w.page_size == page_size)));
		check(ok,
		      "line %d: va 0x%llx via PML4 %u: access %d (want %d) "
		      "phys 0x%llx size 0x%llx",
		      line, (unsigned long long)va, i, w.access, access,
		      (unsigned long long)w.phys,
		      (unsigned long long)w.page_size);
		CHECK(kvm_pt_walk(pt, KVM_PML4_GPA(i), va, &k) == 0);
		CHECK(k.present == (w.access != NP));
		if (k.present) {
			CHECK(k.user == !!(w.access & U));
			CHECK(k.write == !!(w.access & W));
			CHECK(k.exec == !!(w.access & X));
			CHECK(k.phys == w.phys && k.page_size == w.page_size);
		}
	}
}
#define EXPECT(pt, va, acc, size) expect(pt, va, acc, size, __LINE__)

/* ---- A representative guest ------------------------------------- */
struct guest {
	uint8_t *mem;
	struct guest_layout l;
	struct image img;
	struct kvm_pt pt;
};

static void make_guest(struct guest *g, uint64_t mem_size)
{
	memset(g, 0, sizeof(*g));
	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	/* Garbage where the tables go: the builder must not rely on zero. */
	memset(g->mem, 0xa5, EMBER_PT_END);
	g->img.nseg = 3;
	g->img.seg[0] =
	    (struct image_segment){0x100000, 0x40000, 0, 0, PF_R | PF_X};
	g->img.seg[1] = (struct image_segment){0x140000, 0x10000, 0, 0, PF_R};
	g->img.seg[2] =
	    (struct image_segment){0x150000, 0x12345, 0, 0, PF_R | PF_W};
	g->l.mem_size = mem_size;
	g->l.image_start = 0x100000;
	g->l.image_end = 0x163000;
	g->l.heap_start = 0x163000;
	g->l.stack_top = mem_size;
	g->l.stack_bottom = mem_size - EMBER_STACK_SIZE;
	g->l.stack_guard = g->l.stack_bottom - EMBER_GUARD_SIZE;
	g->l.heap_end = g->l.stack_guard;
	CHECK(kvm_pt_build(&g->pt, g->mem, &g->l, &g->img) == 0);
}

static void free_guest(struct guest *g)
{
	munmap(g->mem, g->l.mem_size);
}

static void test_build(uint64_t mem_size, unsigned expect_pts)
{
	struct guest g;
	struct kvm_pt *pt = &g.pt;

	make_guest(&g, mem_size);
	EXPECT(pt, 0, NP, 0);
	EXPECT(pt, 0xfff, NP, 0);
	EXPECT(pt, KVM_GDT_GPA, R | W, 4096); /* supervisor only */
	EXPECT(pt, KVM_IDT_GPA, R | W, 4096);
	EXPECT(pt, KVM_TSS_GPA, R | W, 4096);
	EXPECT(pt, KVM_PML4_GPA(0), R | W, 4096);
	EXPECT(pt, EMBER_SYS_END - 1, R | W, 4096);
	EXPECT(pt, EMBER_BOOTINFO_GPA, R | U, 4096);
	EXPECT(pt, EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE - 1, R | U, 4096);
	EXPECT(pt, EMBER_PT_START, R | W, 4096);
	EXPECT(pt, EMBER_PT_END - 1, R | W, 4096);
	EXPECT(pt, 0x100000, R | X | U, 4096); /* text */
	EXPECT(pt, 0x13ffff, R | X | U, 4096);
	EXPECT(pt, 0x140000, R | U, 4096); /* rodata */
	EXPECT(pt, 0x14ffff, R | U, 4096);
	EXPECT(pt, 0x150000, R | W | U, 4096); /* data, memsz rounded up */
	EXPECT(pt, 0x162fff, R | W | U, 4096);
	EXPECT(pt, 0x163000, R | W | U, 4096); /* heap */
	EXPECT(pt, g.l.heap_end - 1, R | W | U, 0);
	EXPECT(pt, g.l.stack_guard, NP, 0);
	EXPECT(pt, g.l.stack_guard + 4095, NP, 0);
	EXPECT(pt, g.l.stack_bottom, R | W | U, 4096);
	EXPECT(pt, g.l.stack_top - 8, R | W | U, 4096);
	EXPECT(pt, mem_size, NP, 0); /* beyond memory */
	EXPECT(pt, mem_size + KVM_1G, NP, 0);
	EXPECT(pt, 1ull << 47, NP, 0);
	if (mem_size >= (64ull << 20)) {
		/* The middle of the heap uses 2 MiB pages. */
		EXPECT(pt, 16ull << 20, R | W | U, KVM_2M);
		EXPECT(pt, (16ull << 20) + 12345, R | W | U, KVM_2M);
		EXPECT(pt, mem_size - 4 * KVM_2M, R | W | U, KVM_2M);
	}
	/* Region 0, the region with heap end/guard/stack, and a partial
	 * last region if memory ends inside one. */
	CHECK(pt->pool_used == expect_pts);
	free_guest(&g);
}

/* The network device's register window: one user RW NX page at 8 GiB,
 * just above the largest RAM, only when mapped, and nothing around it. */
static void test_mmio(uint64_t mem_size)
{
	struct guest g;
	struct kvm_pt *pt = &g.pt;
	const uint64_t w = EMBER_NET_MMIO_GPA;
	unsigned used;

	make_guest(&g, mem_size);
	EXPECT(pt, w, NP, 0); /* not without a device */
	used = pt->pool_used;
	CHECK(kvm_pt_map_mmio(pt) == 0);
	CHECK(pt->pool_used == used + 1);
	EXPECT(pt, w, R | W | U, 4096);
	EXPECT(pt, w + EMBER_NET_MMIO_SIZE - 4, R | W | U, 4096);
	EXPECT(pt, w + EMBER_NET_MMIO_SIZE, NP, 0);
	EXPECT(pt, w - EMBER_PAGE_SIZE,
	       mem_size == EMBER_MEM_MAX ? R | W | U : NP,
	       4096 * (mem_size == EMBER_MEM_MAX));
	EXPECT(pt, w + KVM_2M, NP, 0);
	EXPECT(pt, w + KVM_1G, NP, 0);
	/* RAM is as it was. */
	EXPECT(pt, 0x100000, R | X | U, 4096);
	EXPECT(pt, g.l.stack_top - 8, R | W | U, 4096);
	EXPECT(pt, g.l.stack_guard, NP, 0);
	/* The MMIO PD lives in the supervisor-only system area. */
	EXPECT(pt, KVM_MMIO_PD_GPA, R | W, 4096);
	free_guest(&g);
}

static void test_protect(void)
{
	struct guest g;
	struct kvm_pt *pt = &g.pt;
	const uint64_t ro = kvm_leaf_flags(1, 0, 0);
	const uint64_t rw = kvm_leaf_flags(1, 1, 0);
	const uint64_t big = 8ull << 20; /* a 2 MiB page inside the heap */

	make_guest(&g, 64ull << 20);
	unsigned used = pt->pool_used;

	/* One guard page in a 2 MiB page: split, neighbours unchanged. */
	CHECK(kvm_pt_map(pt, big + 0x5000, big + 0x6000, 0) == 0);
	CHECK(pt->pool_used == used + 1);
	EXPECT(pt, big + 0x5000, NP, 0);
	EXPECT(pt, big + 0x4fff, R | W | U, 4096);
	EXPECT(pt, big + 0x6000, R | W | U, 4096);
	EXPECT(pt, big, R | W | U, 4096);
	EXPECT(pt, big + KVM_2M - 1, R | W | U, 4096);
	EXPECT(pt, big + KVM_2M, R | W | U, KVM_2M);

	/* Read-only, then back; no new PT. */
	CHECK(kvm_pt_map(pt, big + 0x5000, big + 0x8000, ro) == 0);
	EXPECT(pt, big + 0x5000, R | U, 4096);
	EXPECT(pt, big + 0x7fff, R | U, 4096);
	EXPECT(pt, big + 0x8000, R | W | U, 4096);
	CHECK(kvm_pt_map(pt, big + 0x5000, big + 0x8000, rw) == 0);
	EXPECT(pt, big + 0x6000, R | W | U, 4096);
	CHECK(pt->pool_used == used + 1);

	/* A whole region that has a PT keeps it (PTs are never reused). */
	CHECK(kvm_pt_map(pt, big, big + KVM_2M, ro) == 0);
	EXPECT(pt, big + 0x123000, R | U, 4096);
	CHECK(pt->pool_used == used + 1);

	/* A whole 2 MiB page changes in place, no PT. */
	uint64_t big2 = big + 2 * KVM_2M;
	CHECK(kvm_pt_map(pt, big2, big2 + KVM_2M, 0) == 0);
	EXPECT(pt, big2, NP, 0);
	EXPECT(pt, big2 + KVM_2M - 1, NP, 0);
	CHECK(kvm_pt_map(pt, big2, big2 + KVM_2M, rw) == 0);
	EXPECT(pt, big2 + 77, R | W | U, KVM_2M);
	/* Same permission on part of a 2 MiB page: no split needed. */
	CHECK(kvm_pt_map(pt, big2 + 0x1000, big2 + 0x3000, rw) == 0);
	EXPECT(pt, big2 + 0x1000, R | W | U, KVM_2M);
	CHECK(pt->pool_used == used + 1);

	/* A range across regions: PT-backed + 2 MiB + partial. */
	CHECK(kvm_pt_map(pt, big + KVM_2M - 0x2000, big2 + 0x3000, ro) == 0);
	EXPECT(pt, big + KVM_2M - 0x2000, R | U, 4096);
	EXPECT(pt, big + KVM_2M, R | U, KVM_2M);
	EXPECT(pt, big2 + 0x2fff, R | U, 4096);
	EXPECT(pt, big2 + 0x3000, R | W | U, 4096);
	CHECK(pt->pool_used == used + 2);

	/* Bad ranges. */
	CHECK(kvm_pt_map(pt, big + 1, big + 0x1000, ro) == -EINVAL);
	CHECK(kvm_pt_map(pt, big, big + 0x1001, ro) == -EINVAL);
	CHECK(kvm_pt_map(pt, big + 0x2000, big + 0x1000, ro) == -EINVAL);
	CHECK(kvm_pt_map(pt, g.l.mem_size - 0x1000, g.l.mem_size + 0x1000,
			 ro) == -EINVAL);

	free_guest(&g);
}

static void test_exhaust(void)
{
	struct guest g;
	struct kvm_pt *pt = &g.pt;
	const uint64_t ro = kvm_leaf_flags(1, 0, 0);

	make_guest(&g, 1ull << 30);
	/* Exhaust the pool one split per region; then -ENOMEM with no
	 * change made. */
	uint64_t r = 16ull << 20;
	int rc = 0;
	while (r + KVM_2M <= g.l.heap_end && rc == 0) {
		rc = kvm_pt_map(pt, r, r + 0x1000, ro);
		r += KVM_2M;
	}
	CHECK(rc == -ENOMEM);
	CHECK(pt->pool_used == KVM_PT_POOL_PAGES);
	r -= KVM_2M; /* the region that did not fit */
	EXPECT(pt, r, R | W | U, KVM_2M);
	/* A range spanning a PT-backed region and the full one fails as
	 * a whole: the first part must stay untouched. */
	CHECK(kvm_pt_map(pt, r - 0x1000, r + 0x1000, 0) == -ENOMEM);
	EXPECT(pt, r - 0x1000, R | W | U, 4096);
	/* Edits that need no new PT still work. */
	CHECK(kvm_pt_map(pt, r, r + KVM_2M, ro) == 0);
	EXPECT(pt, r + 0x1000, R | U, KVM_2M);
	CHECK(kvm_pt_map(pt, r - KVM_2M + 0x9000, r - KVM_2M + 0xa000, 0) == 0);
	EXPECT(pt, r - KVM_2M + 0x9000, NP, 0);
	free_guest(&g);
}

static void test_corrupt(void)
{
	struct guest g;

	make_guest(&g, 16ull << 20);
	/* A PDE pointing outside the PT pool is refused, not followed. */
	uint64_t *pd = (uint64_t *)(void *)(g.mem + KVM_PD_GPA(0));
	pd[4] = 0x200000 | PTE_P | PTE_RW | PTE_US;
	CHECK(kvm_pt_map(&g.pt, 8ull << 20, (8ull << 20) + 0x1000, 0) == -EIO);
	free_guest(&g);
}

static void test_bad_layout(void)
{
	struct guest g;
	struct kvm_pt pt2;

	make_guest(&g, 16ull << 20);
	g.l.heap_end = g.l.stack_guard + 0x1000; /* heap over the guard */
	CHECK(kvm_pt_build(&pt2, g.mem, &g.l, &g.img) == -EINVAL);
	g.l.heap_end = g.l.stack_guard;
	g.img.seg[1].vaddr = 0x80000; /* below the image base */
	CHECK(kvm_pt_build(&pt2, g.mem, &g.l, &g.img) == -EINVAL);
	CHECK(kvm_pt_init(&pt2, g.mem, 16ull << 30) == -EINVAL);
	CHECK(kvm_pt_init(&pt2, g.mem, (16ull << 20) + 1) == -EINVAL);
	free_guest(&g);
}

/* ---- GDT, IDT, TSS ------------------------------------------------- */
struct seg {
	uint64_t base;
	uint32_t limit;
	unsigned type, s, dpl, p, l, db, g;
};

static struct seg decode(uint64_t d)
{
	struct seg s;
	s.limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	s.base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	s.type = (d >> 40) & 0xf;
	s.s = (d >> 44) & 1;
	s.dpl = (d >> 45) & 3;
	s.p = (d >> 47) & 1;
	s.l = (d >> 53) & 1;
	s.db = (d >> 54) & 1;
	s.g = (d >> 55) & 1;
	return s;
}

static void test_desc(void)
{
	uint8_t *mem = calloc(1, EMBER_SYS_END);
	const uint64_t entry = 0xffffffff80101230ull; /* all offset bits */
	const uint64_t stack = 0x234560;

	if (!mem) {
		perror("calloc");
		exit(1);
	}
	kvm_desc_build(mem, entry, stack);
	CHECK(rd(mem, KVM_GDT_GPA) == 0);
	struct seg k = decode(rd(mem, KVM_GDT_GPA + KVM_SEL_KCODE));
	CHECK(k.p && k.s && k.l && !k.db && k.dpl == 0 && k.type == 0xb);
	struct seg c = decode(rd(mem, KVM_GDT_GPA + KVM_SEL_UCODE));
	CHECK(c.p && c.s && c.l && !c.db && c.dpl == 3 && c.type == 0xb);
	CHECK(c.base == 0 && c.limit == 0xfffff && c.g);
	struct seg d = decode(rd(mem, KVM_GDT_GPA + KVM_SEL_UDATA));
	CHECK(d.p && d.s && !d.l && d.db && d.dpl == 3 && d.type == 0x3);
	CHECK(d.base == 0 && d.limit == 0xfffff && d.g);
	struct seg t = decode(rd(mem, KVM_GDT_GPA + KVM_SEL_TSS));
	CHECK(t.p && !t.s && t.dpl == 0 && t.type == 0xb && !t.g);
	CHECK(t.base == KVM_TSS_GPA && t.limit == KVM_TSS_LIMIT);
	CHECK(rd(mem, KVM_GDT_GPA + KVM_SEL_TSS + 8) == 0); /* base 63:32 */
	CHECK(KVM_GDT_LIMIT == KVM_SEL_TSS + 15);

	for (unsigned v = 0; v < EMBER_TRAP_VECTORS; v++) {
		uint64_t lo = rd(mem, KVM_IDT_GPA + v * 16);
		uint64_t hi = rd(mem, KVM_IDT_GPA + v * 16 + 8);
		uint64_t off =
		    (lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32);
		CHECK(off == entry + 16 * v);
		CHECK(((lo >> 16) & 0xffff) == (KVM_SEL_UCODE | 3));
		CHECK(((lo >> 32) & 7) == 1);	  /* IST1 */
		CHECK(((lo >> 35) & 0x1f) == 0);  /* reserved */
		CHECK(((lo >> 40) & 0xf) == 0xe); /* interrupt gate */
		CHECK(((lo >> 44) & 1) == 0);
		CHECK(((lo >> 45) & 3) == 3 && ((lo >> 47) & 1) == 1);
		CHECK((hi >> 32) == 0);
	}
	CHECK(rd(mem, KVM_IDT_GPA + EMBER_TRAP_VECTORS * 16) == 0);

	CHECK(rd(mem, KVM_TSS_GPA + 4) == stack);  /* RSP0 */
	CHECK(rd(mem, KVM_TSS_GPA + 36) == stack); /* IST1 */
	CHECK(rd(mem, KVM_TSS_GPA + 44) == 0);	   /* IST2 */
	uint16_t iomap;
	memcpy(&iomap, mem + KVM_TSS_GPA + 102, 2);
	CHECK(iomap == 104 && iomap > KVM_TSS_LIMIT);
	free(mem);
}

/* ---- CPU features and sregs ---------------------------------------- */
static struct kvm_cpuid2 *cpuid(uint32_t ecx1, uint32_t ebx7, uint32_t xcr0)
{
	struct kvm_cpuid2 *c =
	    calloc(1, sizeof(*c) + 4 * sizeof(c->entries[0]));
	if (!c) {
		perror("calloc");
		exit(1);
	}
	c->nent = 4;
	c->entries[0] = (struct kvm_cpuid_entry2){.function = 1, .ecx = ecx1};
	c->entries[1] =
	    (struct kvm_cpuid_entry2){.function = 7,
				      .index = 0,
				      .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
				      .ebx = ebx7};
	c->entries[2] =
	    (struct kvm_cpuid_entry2){.function = 0xd,
				      .index = 0,
				      .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
				      .eax = xcr0};
	c->entries[3] = (struct kvm_cpuid_entry2){
	    .function = 0x80000001, .edx = (1u << 20) | (1u << 29)};
	return c;
}

static void test_cpu(void)
{
	struct kvm_cpu_features f;
	struct kvm_cpuid2 *c = cpuid((1u << 26) | (1u << 28), 1, 7);

	kvm_cpu_features(c, 1, &f);
	CHECK(f.nx && f.lm && f.xsave && f.fsgsbase && f.xcr0 == 7);
	kvm_cpu_features(c, 0, &f); /* no KVM_CAP_XCRS */
	CHECK(!f.xsave && f.fsgsbase);
	free(c);
	c = cpuid(1u << 26, 0, 3); /* XSAVE, no AVX, no FSGSBASE */
	kvm_cpu_features(c, 1, &f);
	CHECK(f.xsave && f.xcr0 == 3 && !f.fsgsbase);
	free(c);

	struct kvm_sregs s;
	memset(&s, 0x5a, sizeof(s));
	s.apic_base = 0xfee00900;
	f.fsgsbase = 1;
	kvm_sregs_setup(&s, &f, KVM_PML4_GPA(1));
	CHECK(s.cs.selector == 0x13 && s.cs.dpl == 3 && s.cs.l == 1);
	CHECK(s.cs.db == 0 && s.cs.s == 1 && s.cs.present && s.cs.type == 0xb);
	CHECK(s.cs.unusable == 0 && s.cs.base == 0);
	CHECK(s.ss.selector == 0x1b && s.ss.dpl == 3 && s.ss.type == 0x3);
	CHECK(s.ss.db == 1 && s.ss.l == 0 && s.ss.unusable == 0);
	CHECK(s.ds.selector == 0x1b && s.fs.selector == 0x1b);
	CHECK(s.fs.base == 0 && s.gs.base == 0);
	CHECK(s.tr.selector == KVM_SEL_TSS && s.tr.type == 0xb && !s.tr.s);
	CHECK(s.tr.base == KVM_TSS_GPA && s.tr.limit == 0x67 && s.tr.present);
	CHECK(s.tr.unusable == 0);
	CHECK(s.gdt.base == KVM_GDT_GPA && s.gdt.limit == KVM_GDT_LIMIT);
	CHECK(s.idt.base == KVM_IDT_GPA && s.idt.limit == 511);
	CHECK(s.cr0 == 0x80010033ull);
	CHECK(s.cr3 == KVM_PML4_GPA(1));
	CHECK(s.cr4 == (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE |
			CR4_FSGSBASE));
	CHECK(s.efer == (EFER_LME | EFER_LMA | EFER_NXE)); /* no SCE */
	CHECK(s.apic_base == 0xfee00900);		   /* kept */
}

int main(void)
{
	test_build(64ull << 20, 2);
	test_build(EMBER_MEM_MIN, 2);
	test_build(EMBER_MEM_MIN + 3 * EMBER_PAGE_SIZE, 3); /* partial region */
	test_build(EMBER_MEM_MAX, 2);
	test_mmio(64ull << 20);
	test_mmio(EMBER_MEM_MAX);
	test_protect();
	test_exhaust();
	test_corrupt();
	test_bad_layout();
	test_desc();
	test_cpu();
	return check_summary("test_kvm_tables");
}
