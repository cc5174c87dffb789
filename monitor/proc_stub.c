/*
 * The guest process's own program: a few dozen instructions, written as
 * an ELF executable into a memfd at run time and exec'd (proc_spawn.c).
 * Exec'ing it, rather than fork()ing the monitor, costs less here (no
 * page tables to copy and tear down) and means the guest process never
 * holds any of the monitor's memory, not even for a moment.
 *
 * The stub, with no stack and no libc:
 *   ptrace(PTRACE_TRACEME)            else exit(PROC_STUB_EXIT_TRACEME)
 *   prctl(PR_SET_NAME, "ember-guest")
 *   for each guest range: mmap(gpa, len, prot, MAP_SHARED |
 *       MAP_FIXED_NOREPLACE, fd 0 = guest memfd, offset gpa)
 *   munmap everything above guest memory but its own page (the kernel's
 *       stack, vDSO, vvar)
 *   close(0); kill(getpid(), SIGSTOP)
 * On a failure it executes ud2 with rax = the result and r14 = the map
 * index (-1: munmap) for the tracer to report. Then it holds, at the end
 * of its page, the `syscall; int3` gadget used by proc_inject.c.
 */
#include <elf.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "proc.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

/* Offsets in struct stub_params, as used by the assembly. */
#define P_NMAPS	       0
#define P_UNMAP_LO     8
#define P_STUB_START   16
#define P_STUB_END     24
#define P_MAPS	       32
#define USER_SPACE_END 0x7ffffffff000 /* TASK_SIZE_MAX, 47 bits */
#define STUB_MAP_FLAGS 0x100001	      /* MAP_SHARED | MAP_FIXED_NOREPLACE */

struct stub_params {
	uint64_t nmaps, unmap_lo, stub_start, stub_end;
	uint64_t maps[PROC_MAX_MAPS][3]; /* gpa, len, prot */
};
_Static_assert(offsetof(struct stub_params, nmaps) == P_NMAPS &&
		   offsetof(struct stub_params, unmap_lo) == P_UNMAP_LO &&
		   offsetof(struct stub_params, stub_start) == P_STUB_START &&
		   offsetof(struct stub_params, stub_end) == P_STUB_END &&
		   offsetof(struct stub_params, maps) == P_MAPS,
	       "the stub's assembly knows these offsets");
_Static_assert(STUB_MAP_FLAGS == (MAP_SHARED | MAP_FIXED_NOREPLACE),
	       "mmap flags");

/* In rodata: copied into the stub's ELF, never run in the monitor. The
 * offsets of the gadget and the parameters follow, computed by the
 * assembler. */
/* clang-format off */
__asm__(".pushsection .rodata.ember_proc_stub,\"a\"\n"
	".balign 16\n"
	"ember_proc_stub:\n"
	"\txorl %edi, %edi\n"
	"\txorl %esi, %esi\n"
	"\txorl %edx, %edx\n"
	"\txorl %r10d, %r10d\n"
	"\tmovl $101, %eax\n"			/* ptrace(PTRACE_TRACEME) */
	"\tsyscall\n"
	"\ttestq %rax, %rax\n"
	"\tjnz .Lno_trace\n"
	"\tmovl $15, %edi\n"			/* prctl(PR_SET_NAME) */
	"\tleaq .Lname(%rip), %rsi\n"
	"\tmovl $157, %eax\n"
	"\tsyscall\n"
	"\tleaq .Lparams(%rip), %rbx\n"
	"\tmovq " STR(P_NMAPS) "(%rbx), %r12\n"
	"\tleaq " STR(P_MAPS) "(%rbx), %r13\n"
	"\txorl %r14d, %r14d\n"
	".Lmap:\n"
	"\tcmpq %r12, %r14\n"
	"\tjae .Lmapped\n"
	"\tmovq 0(%r13), %rdi\n"		/* gpa */
	"\tmovq 8(%r13), %rsi\n"		/* len */
	"\tmovq 16(%r13), %rdx\n"		/* prot */
	"\tmovl $" STR(STUB_MAP_FLAGS) ", %r10d\n"
	"\txorl %r8d, %r8d\n"			/* fd 0 */
	"\tmovq %rdi, %r9\n"			/* offset = gpa */
	"\tmovl $9, %eax\n"			/* mmap */
	"\tsyscall\n"
	"\tcmpq 0(%r13), %rax\n"
	"\tjne .Lfail\n"
	"\taddq $24, %r13\n"
	"\tincq %r14\n"
	"\tjmp .Lmap\n"
	".Lmapped:\n"
	"\tmovq $-1, %r14\n"
	"\tmovq " STR(P_UNMAP_LO) "(%rbx), %rdi\n"
	"\tmovq " STR(P_STUB_START) "(%rbx), %rsi\n"
	"\tsubq %rdi, %rsi\n"
	"\tmovl $11, %eax\n"			/* munmap */
	"\tsyscall\n"
	"\ttestq %rax, %rax\n"
	"\tjnz .Lfail\n"
	"\tmovq " STR(P_STUB_END) "(%rbx), %rdi\n"
	"\tmovabsq $" STR(USER_SPACE_END) ", %rsi\n"
	"\tsubq %rdi, %rsi\n"
	"\tmovl $11, %eax\n"			/* munmap */
	"\tsyscall\n"
	"\ttestq %rax, %rax\n"
	"\tjnz .Lfail\n"
	"\txorl %edi, %edi\n"
	"\tmovl $3, %eax\n"			/* close(0) */
	"\tsyscall\n"
	"\tmovl $39, %eax\n"			/* getpid */
	"\tsyscall\n"
	"\tmovl %eax, %edi\n"
	"\tmovl $19, %esi\n"			/* SIGSTOP */
	"\tmovl $62, %eax\n"			/* kill */
	"\tsyscall\n"
	".Lfail:\n"
	"\tud2\n"
	".Lno_trace:\n"
	"\tmovl $" STR(PROC_STUB_EXIT_TRACEME) ", %edi\n"
	"\tmovl $60, %eax\n"			/* exit */
	"\tsyscall\n"
	".Lgadget:\n"
	"\tsyscall\n"
	"\tint3\n"
	".Lname:\n"
	"\t.asciz \"ember-guest\"\n"
	".balign 8, 0xcc\n"
	".Lparams:\n"
	".balign 8\n"
	"ember_proc_stub_offsets:\n"
	"\t.quad .Lgadget - ember_proc_stub\n"
	"\t.quad .Lparams - ember_proc_stub\n"
	".popsection\n");
/* clang-format on */
extern const char ember_proc_stub[];
extern const uint64_t ember_proc_stub_offsets[2]; /* gadget, params */

/* File layout: ELF header, 2 program headers, code at CODE_OFF, then the
 * parameters; all of it one page at PROC_STUB_BASE. */
#define CODE_OFF 0x100u

static size_t params_off(void)
{
	return CODE_OFF + (size_t)ember_proc_stub_offsets[1];
}

uint64_t proc_stub_gadget(void)
{
	return PROC_STUB_BASE + CODE_OFF + ember_proc_stub_offsets[0];
}

static void elf_headers(uint8_t *buf, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = PROC_STUB_BASE + CODE_OFF;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph[0]);
	eh.e_phnum = 2;
	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_X;
	ph[0].p_vaddr = ph[0].p_paddr = PROC_STUB_BASE;
	ph[0].p_filesz = ph[0].p_memsz = size;
	ph[0].p_align = EMBER_PAGE_SIZE;
	/* Without PT_GNU_STACK the kernel may turn on READ_IMPLIES_EXEC,
	 * which would make every readable guest range executable. */
	ph[1].p_type = PT_GNU_STACK;
	ph[1].p_flags = PF_R | PF_W;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
}

size_t proc_stub_image(const struct proc *p, uint64_t mem_size, uint8_t *buf,
		       size_t len)
{
	struct stub_params sp;
	size_t size = params_off() + sizeof(sp);
	unsigned i;

	if (size > len || size > EMBER_PAGE_SIZE)
		return 0;
	memset(&sp, 0, sizeof(sp));
	sp.nmaps = p->nmaps;
	sp.unmap_lo = (mem_size + EMBER_PAGE_SIZE - 1) & ~(EMBER_PAGE_SIZE - 1);
	sp.stub_start = PROC_STUB_BASE;
	sp.stub_end = PROC_STUB_BASE + EMBER_PAGE_SIZE;
	for (i = 0; i < p->nmaps; i++) {
		sp.maps[i][0] = p->maps[i].gpa;
		sp.maps[i][1] = p->maps[i].len;
		sp.maps[i][2] = (uint64_t)p->maps[i].prot;
	}
	memset(buf, 0, size);
	elf_headers(buf, size);
	memcpy(buf + CODE_OFF, ember_proc_stub,
	       (size_t)ember_proc_stub_offsets[1]);
	memcpy(buf + params_off(), &sp, sizeof(sp));
	return size;
}
