/*
 * brk, mmap, munmap, mremap, mprotect, madvise: Linux argument checks and
 * errno values here, the address-space bookkeeping in vmem.c, and page
 * protection changes applied by the monitor (EMBER_HC_PROTECT), which
 * owns the page tables.
 *
 * Only anonymous memory exists. Nothing is executable: the heap is never
 * mapped with PROT_EXEC (W^X; the monitor refuses it anyway).
 */
#include <errno.h>
#include <sys/mman.h>

#include "hypercall.h"
#include "rt.h"
#include "syscalls.h"

struct vmem ember_vmem;
static struct ember_hc_protect hc;

void ember_mem_init(void)
{
	uint64_t start = ember_bi->heap_start, end = ember_bi->heap_end;

	if (start < ember_bi->image_end || end > ember_bi->stack_bottom ||
	    end < start)
		end = start; /* nonsense from the monitor: no heap at all */
	vmem_init(&ember_vmem, (uintptr_t)start, (uintptr_t)end);
}

static long protect(uintptr_t addr, size_t len, int prot)
{
	hc.addr = addr;
	hc.len = len;
	hc.prot = (uint32_t)prot;
	hc.ret = 0;
	ember_hypercall(EMBER_HC_PROTECT, &hc);
	return hc.ret;
}

static long apply(const struct vmem_fixups *fx)
{
	long r = 0;

	for (unsigned i = 0; i < fx->n && r == 0; i++)
		r = protect(fx->f[i].addr, fx->f[i].len, fx->f[i].prot);
	return r;
}

/* Linux PROT_* to a vmem protection; -EINVAL/-EACCES if not possible. */
static int to_vprot(long prot)
{
	if (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (prot & PROT_EXEC)
		return -EACCES; /* no executable heap */
	if (prot & PROT_WRITE)
		return VMEM_PROT_RW; /* x86 cannot write without reading */
	return prot & PROT_READ ? VMEM_PROT_READ : VMEM_PROT_NONE;
}

/* Before replacing [addr, addr+len) (MAP_FIXED, MREMAP_FIXED), make
 * its non-RW pages RW: vmem zeroes the replaced pages. */
static void unprotect_for_replace(uintptr_t addr, size_t len)
{
	uintptr_t lo, hi;

	if (addr % VMEM_PAGE || len > ember_vmem.end - ember_vmem.start)
		return;
	len = (len + VMEM_PAGE - 1) & ~(size_t)(VMEM_PAGE - 1);
	if (vmem_nonrw_span(&ember_vmem, addr, len, &lo, &hi))
		protect(lo, hi - lo, VMEM_PROT_RW);
}

long ember_sys_brk(unsigned long addr)
{
	struct vmem_fixups fx;
	uintptr_t r = vmem_brk(&ember_vmem, addr, &fx);

	apply(&fx);
	return (long)r;
}

long ember_sys_mmap(unsigned long addr, size_t len, long prot, long flags,
		    long fd, long off)
{
	struct vmem_fixups fx;
	unsigned vflags = 0;
	long type = flags & MAP_TYPE, r;
	int vprot = to_vprot(prot);

	if (off & (VMEM_PAGE - 1))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	/* One process: a shared anonymous mapping is a private one. */
	if (!(flags & MAP_ANONYMOUS))
		return fd >= 0 && fd < 3 ? -ENODEV : -EBADF;
	if (vprot < 0)
		return vprot;
	if (flags & MAP_FIXED) {
		vflags = VMEM_MAP_FIXED;
		unprotect_for_replace(addr, len);
	} else if (flags & MAP_FIXED_NOREPLACE) {
		vflags = VMEM_MAP_NOREPLACE;
	}
	r = vmem_map(&ember_vmem, addr, len, vprot, vflags, &fx);
	if (r >= 0 && apply(&fx) < 0) {
		ember_sys_munmap((unsigned long)r, len);
		return -ENOMEM;
	}
	return r;
}

long ember_sys_munmap(unsigned long addr, size_t len)
{
	struct vmem_fixups fx;
	int r = vmem_unmap(&ember_vmem, addr, len, &fx);

	apply(&fx);
	return r;
}

long ember_sys_mremap(unsigned long old, size_t old_len, size_t new_len,
		      long flags, unsigned long new_addr)
{
	struct vmem_fixups fx;
	long r;

	if (flags & ~(long)(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL; /* MREMAP_DONTUNMAP is not supported */
	if (flags & MREMAP_FIXED)
		unprotect_for_replace(new_addr, new_len);
	r = vmem_remap(&ember_vmem, old, old_len, new_len,
		       (flags & MREMAP_MAYMOVE ? VMEM_REMAP_MAYMOVE : 0) |
			   (flags & MREMAP_FIXED ? VMEM_REMAP_FIXED : 0),
		       new_addr, &fx);
	apply(&fx);
	return r;
}

long ember_sys_mprotect(unsigned long addr, size_t len, long prot)
{
	bool changed;
	int vprot = to_vprot(prot);
	long r;

	if (addr % VMEM_PAGE || vprot == -EINVAL)
		return -EINVAL;
	if (vprot < 0)
		return vprot;
	r = vmem_protect(&ember_vmem, addr, len, vprot, &changed);
	if (r == 0 && changed)
		r = protect(addr,
			    (len + VMEM_PAGE - 1) & ~(size_t)(VMEM_PAGE - 1),
			    vprot);
	return r;
}

long ember_sys_madvise(unsigned long addr, size_t len, long advice)
{
	if (addr % VMEM_PAGE)
		return -EINVAL;
	/* DONTNEED promises zeroes on the next touch; the rest are hints. */
	if (advice == MADV_DONTNEED)
		return vmem_discard(&ember_vmem, addr, len);
	return 0;
}
