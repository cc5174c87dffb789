/*
 * Boot: from _ember_start (start.S) to musl's __libc_start_main.
 *
 * The boot info is read-only and holds argv/envp as pointer arrays; musl
 * expects the Linux process-start layout, one writable block of
 * [argv..., NULL, envp..., NULL, auxv pairs..., AT_NULL], which we build
 * on the stack as the kernel would.
 */
#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "hypercall.h"
#include "rt.h"
#include "sched_impl.h"

struct ember_guest_stats ember_guest_stats;
const struct ember_bootinfo *ember_bi;

_Static_assert(offsetof(struct ember_guest_stats, first_insn_tsc) == 0,
	       "start.S stores first_insn_tsc at offset 0");

/* The ELF header, mapped with the program headers at the start of the
 * first PT_LOAD segment (the linker script arranges it). */
extern const Elf64_Ehdr __ehdr_start;

int main(int, char **, char **);
int __libc_start_main(int (*)(int, char **, char **), int, char **,
		      void (*)(void), void (*)(void), void (*)(void));
_Noreturn void ember_start_c(const struct ember_bootinfo *bi);

#define AUX_PAIRS	19
#define HWCAP2_FSGSBASE (1u << 1)
/* argv + envp pointers that fit in the boot info region, at most. */
#define MAX_POINTERS (EMBER_BOOTINFO_SIZE / sizeof(uint64_t))

static unsigned char at_random[16];

/* After musl's own start-up (TLS, stdio) so the network module can
 * spawn threads and use the C library; before the program's main. */
static int main_wrapper(int argc, char **argv, char **envp)
{
	if (ember_net_start && (ember_bi->flags & EMBER_BI_NET))
		ember_net_start();
	ember_guest_stats.main_tsc = ember_rdtsc();
	return main(argc, argv, envp);
}

/* Before the boot info is trusted: raw console hypercall, then exit. */
static _Noreturn void bad_boot(const char *msg)
{
	static struct ember_hc_console hc;

	hc.buf = (uintptr_t)msg;
	hc.len = strlen(msg);
	hc.fd = 2;
	ember_hypercall(EMBER_HC_CONSOLE, &hc);
	ember_exit(EMBER_EXIT_CRASH);
}

/* Is the pointer array [addr, addr + 8*(n+1)) inside the boot info? */
static int in_bootinfo(uint64_t addr, uint64_t n)
{
	uint64_t end = EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE;

	return n < MAX_POINTERS && addr >= EMBER_BOOTINFO_GPA &&
	       addr % 8 == 0 && addr < end && (n + 1) * 8 <= end - addr;
}

static uintptr_t *put_aux(uintptr_t *p, uintptr_t type, uintptr_t value)
{
	p[0] = type;
	p[1] = value;
	return p + 2;
}

static void fill_auxv(uintptr_t *p, const char *execfn)
{
	const Elf64_Ehdr *eh = &__ehdr_start;

	ember_seed_bytes(at_random, sizeof(at_random));
	p = put_aux(p, AT_PHDR, (uintptr_t)eh + eh->e_phoff);
	p = put_aux(p, AT_PHENT, eh->e_phentsize);
	p = put_aux(p, AT_PHNUM, eh->e_phnum);
	p = put_aux(p, AT_PAGESZ, EMBER_PAGE_SIZE);
	p = put_aux(p, AT_BASE, 0);
	p = put_aux(p, AT_FLAGS, 0);
	p = put_aux(p, AT_ENTRY, eh->e_entry);
	p = put_aux(p, AT_UID, 0);
	p = put_aux(p, AT_EUID, 0);
	p = put_aux(p, AT_GID, 0);
	p = put_aux(p, AT_EGID, 0);
	p = put_aux(p, AT_SECURE, 0);
	p = put_aux(p, AT_RANDOM, (uintptr_t)at_random);
	p = put_aux(p, AT_HWCAP, ember_cpuid1_edx);
	p = put_aux(p, AT_HWCAP2,
		    ember_bi->flags & EMBER_BI_FSGSBASE ? HWCAP2_FSGSBASE : 0);
	p = put_aux(p, AT_CLKTCK, 100);
	p = put_aux(p, AT_EXECFN, (uintptr_t)execfn);
	p = put_aux(p, AT_PLATFORM, (uintptr_t) "x86_64");
	put_aux(p, AT_NULL, 0);
}

_Noreturn void ember_start_c(const struct ember_bootinfo *bi)
{
	if (bi->magic != EMBER_BOOTINFO_MAGIC)
		bad_boot("ember: bad boot info (wrong magic): this image "
			 "needs an Ember monitor\n");
	if (bi->abi_version != EMBER_ABI_VERSION)
		bad_boot("ember: the monitor speaks a different ABI version "
			 "than this image (1): use a matching ember-vmm\n");
	if (bi->argc == 0 || !in_bootinfo(bi->argv, bi->argc) ||
	    !in_bootinfo(bi->envp, bi->envc) ||
	    (uint64_t)bi->argc + bi->envc >= MAX_POINTERS)
		bad_boot("ember: bad argv/envp in the boot info\n");
	ember_bi = bi;
	ember_cpu_init();
	ember_clock_init();
	ember_random_init();
	ember_mem_init();
	ember_sched_init();

	/* The block lives in this frame for the life of the program:
	 * __libc_start_main never returns. */
	size_t argc = bi->argc, envc = bi->envc;
	uintptr_t block[argc + 1 + envc + 1 + 2 * AUX_PAIRS];
	const uintptr_t *argv = (const uintptr_t *)(uintptr_t)bi->argv;
	const uintptr_t *envp = (const uintptr_t *)(uintptr_t)bi->envp;

	memcpy(block, argv, argc * sizeof(block[0]));
	block[argc] = 0;
	memcpy(block + argc + 1, envp, envc * sizeof(block[0]));
	block[argc + 1 + envc] = 0;
	fill_auxv(block + argc + 1 + envc + 1, (const char *)argv[0]);
	__libc_start_main(main_wrapper, (int)argc, (char **)block, 0, 0, 0);
	ember_exit(EMBER_EXIT_CRASH); /* not reached: musl calls exit() */
}
