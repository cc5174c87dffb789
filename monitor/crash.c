/*
 * The crash report for EMBER_HC_CRASH: one line saying what happened and
 * where, then indented details (vector, error code, registers, a
 * symbolised backtrace). Everything in the report came from the guest:
 * it is printed as numbers only, and names come from the image's
 * symbol table (made printable when it was loaded).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

#define PF_VECTOR 14

struct vector_name {
	const char *mnemonic, *name;
};

static const struct vector_name vectors[EMBER_TRAP_VECTORS] = {
    {"#DE", "divide error"},
    {"#DB", "debug exception"},
    {"NMI", "non-maskable interrupt"},
    {"#BP", "breakpoint (int3)"},
    {"#OF", "overflow"},
    {"#BR", "bound range exceeded"},
    {"#UD", "invalid opcode"},
    {"#NM", "device not available"},
    {"#DF", "double fault"},
    {"#CSO", "coprocessor segment overrun"},
    {"#TS", "invalid TSS"},
    {"#NP", "segment not present"},
    {"#SS", "stack-segment fault"},
    {"#GP", "general protection fault"},
    {"#PF", "page fault"},
    {"#15", "reserved exception 15"},
    {"#MF", "x87 floating-point error"},
    {"#AC", "alignment check"},
    {"#MC", "machine check"},
    {"#XM", "SIMD floating-point exception"},
    {"#VE", "virtualization exception"},
    {"#CP", "control protection exception"},
    {"#22", "reserved exception 22"},
    {"#23", "reserved exception 23"},
    {"#24", "reserved exception 24"},
    {"#25", "reserved exception 25"},
    {"#26", "reserved exception 26"},
    {"#27", "reserved exception 27"},
    {"#HV", "hypervisor injection exception"},
    {"#VC", "VMM communication exception"},
    {"#SX", "security exception"},
    {"#31", "reserved exception 31"},
};

/* "crash_here+0x12" or "0x1001a2". For a return address, the call is
 * the byte before it, which may be the end of another function. */
static void where(const struct vm *vm, uint64_t addr, int is_return, char *buf,
		  size_t len)
{
	uint64_t off = 0;
	const char *name =
	    image_symbolize(&vm->img, addr - (is_return && addr), &off);

	if (name)
		snprintf(buf, len, "%s+0x%" PRIx64, name,
			 off + (is_return && addr));
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

static uint32_t nframes(const struct ember_hc_crash *c)
{
	return c->nframes < EMBER_CRASH_MAX_FRAMES ? c->nframes
						   : EMBER_CRASH_MAX_FRAMES;
}

/* Where the guest gave up: the caller of the outermost of these in the
 * backtrace (the frame closest to main), since the runtime's own frames
 * (ember_crash_abort, the kill/raise path) only say how. */
static const char *const abort_entries[] = {
    "abort", "__assert_fail", "raise", "kill", "pthread_kill",
};

static int is_abort_entry(const struct vm *vm, uint64_t addr)
{
	uint64_t off;
	const char *name = image_symbolize(&vm->img, addr, &off);
	size_t n = sizeof(abort_entries) / sizeof(abort_entries[0]);

	for (size_t i = 0; name && i < n; i++)
		if (strcmp(name, abort_entries[i]) == 0)
			return 1;
	return 0;
}

/* A runtime or libc internal: not where the application went wrong. */
static int is_internal(const struct vm *vm, uint64_t addr)
{
	uint64_t off;
	const char *name = image_symbolize(&vm->img, addr, &off);

	return name && (name[0] == '_' || strncmp(name, "ember_", 6) == 0);
}

static void abort_site(const struct vm *vm, const struct ember_hc_crash *c,
		       char *buf, size_t len)
{
	uint32_t n = nframes(c), i;
	int entry = -1; /* frame index of the outermost entry; -1 = rip */
	uint64_t site = crash_call_site(vm, c->regs.rsp, "__assert_fail");

	/* The call to assert's or abort()'s own code, found on the stack:
	 * libc's frames may lack frame pointers, breaking the chain. */
	if (!site)
		site = crash_call_site(vm, c->regs.rsp, "abort");
	if (site) {
		where(vm, site, 1, buf, len);
		return;
	}
	if (is_abort_entry(vm, c->regs.rip))
		entry = 0;
	for (i = 0; i < n; i++)
		if (is_abort_entry(vm, c->frames[i] - 1))
			entry = (int)i + 1;
	if (entry >= 0 && (uint32_t)entry < n) {
		where(vm, c->frames[entry], 1, buf, len);
		return;
	}
	/* No known entry (a deadlock, say): the first frame of the app. */
	for (i = 0; i < n; i++)
		if (!is_internal(vm, c->frames[i] - 1)) {
			where(vm, c->frames[i], 1, buf, len);
			return;
		}
	where(vm, c->regs.rip, 0, buf, len);
}

/* The first line of an abort: error_code is the signal (SIGABRT from
 * abort()), or 0 when the runtime found a deadlock. */
static void abort_line(const struct vm *vm, const struct ember_hc_crash *c)
{
	char at[160];
	const char *sig = NULL;

	abort_site(vm, c, at, sizeof(at));
	if (c->error_code == 0) {
		vmm_error(
		    "guest aborted: deadlock (a thread waits with nothing "
		    "to wake it) in %s",
		    at);
		return;
	}
	if (c->error_code == SIGABRT) {
		vmm_error("guest aborted (abort() called) in %s", at);
		return;
	}
	if (c->error_code < 256)
		sig = sigabbrev_np((int)c->error_code);
	vmm_error("guest aborted by signal %" PRIu64 " (SIG%s) in %s",
		  c->error_code, sig ? sig : "?", at);
}

/* The fault hit the main stack's guard page, or a page just below the
 * stack pointer (a thread stack's guard). */
static int stack_overflow(const struct vm *vm, uint64_t cr2, uint64_t rsp)
{
	const struct guest_layout *l = &vm->layout;

	if (cr2 >= l->stack_guard && cr2 < l->stack_bottom)
		return 1;
	if (cr2 < l->heap_start || cr2 >= l->heap_end)
		return 0;
	return cr2 <= rsp ? rsp - cr2 < EMBER_PAGE_SIZE : cr2 - rsp < 256;
}

static const char *pf_kind(uint64_t err)
{
	int present = err & 1, write = err & 2, fetch = err & 16;

	if (fetch)
		return present ? "executing non-executable memory"
			       : "executing unmapped memory";
	if (write)
		return present ? "write to read-only memory"
			       : "write to unmapped memory";
	return present ? "read of protected memory" : "read of unmapped memory";
}

static void first_line(struct vm *vm, const struct ember_hc_crash *c,
		       uint64_t cr2)
{
	char at[160];

	where(vm, c->regs.rip, 0, at, sizeof(at));
	if (c->vector == EMBER_CRASH_ABORT) {
		abort_line(vm, c);
	} else if (c->vector >= EMBER_TRAP_VECTORS) {
		vmm_error("guest crashed with unknown vector %" PRIu32 " in %s",
			  c->vector, at);
	} else if (c->vector != PF_VECTOR) {
		vmm_error("guest crashed: %s (%s) in %s",
			  vectors[c->vector].name, vectors[c->vector].mnemonic,
			  at);
	} else if (stack_overflow(vm, cr2, c->regs.rsp)) {
		vmm_error("guest crashed: stack overflow (page fault at "
			  "address 0x%" PRIx64 ") in %s",
			  cr2, at);
	} else {
		vmm_error("guest crashed: page fault at address 0x%" PRIx64
			  " (%s) in %s",
			  cr2,
			  cr2 < EMBER_PAGE_SIZE ? "NULL pointer dereference"
						: pf_kind(c->error_code),
			  at);
	}
}

static void print_vector(const struct ember_hc_crash *c, uint64_t cr2)
{
	if (c->vector == EMBER_CRASH_ABORT)
		return;
	if (c->vector >= EMBER_TRAP_VECTORS) {
		fprintf(stderr, "  vector %" PRIu32 " (unknown)\n", c->vector);
		return;
	}
	fprintf(stderr, "  vector %" PRIu32 " %s (%s), error code 0x%" PRIx64,
		c->vector, vectors[c->vector].mnemonic, vectors[c->vector].name,
		c->error_code);
	if (c->vector == PF_VECTOR)
		fprintf(stderr, " (%s, %s), address 0x%" PRIx64,
			c->error_code & 2 ? "write" : "read",
			c->error_code & 1 ? "protection" : "not present", cr2);
	fputc('\n', stderr);
}

static void print_regs(const struct ember_crash_regs *r)
{
	fprintf(stderr,
		"  rip 0x%016" PRIx64 "  rsp 0x%016" PRIx64
		"  rflags 0x%" PRIx64 "\n"
		"  rax 0x%016" PRIx64 "  rbx 0x%016" PRIx64
		"  rcx 0x%016" PRIx64 "\n  rdx 0x%016" PRIx64
		"  rsi 0x%016" PRIx64 "  rdi 0x%016" PRIx64
		"\n  rbp 0x%016" PRIx64 "  r8  0x%016" PRIx64
		"  r9  0x%016" PRIx64 "\n"
		"  r10 0x%016" PRIx64 "  r11 0x%016" PRIx64
		"  r12 0x%016" PRIx64 "\n  r13 0x%016" PRIx64
		"  r14 0x%016" PRIx64 "  r15 0x%016" PRIx64 "\n",
		r->rip, r->rsp, r->rflags, r->rax, r->rbx, r->rcx, r->rdx,
		r->rsi, r->rdi, r->rbp, r->r8, r->r9, r->r10, r->r11, r->r12,
		r->r13, r->r14, r->r15);
}

/* One backtrace line, or a count for a run of the same frame (deep
 * recursion). */
static void frame_line(const struct vm *vm, uint32_t *line, uint64_t addr,
		       uint32_t repeats)
{
	char at[160];

	where(vm, addr, 1, at, sizeof(at));
	if (repeats > 1)
		fprintf(stderr,
			"    #%" PRIu32 "-%" PRIu32 " 0x%" PRIx64
			" %s (%" PRIu32 " times)\n",
			*line, *line + repeats - 1, addr, at, repeats);
	else
		fprintf(stderr, "    #%" PRIu32 " 0x%" PRIx64 " %s\n", *line,
			addr, at);
	*line += repeats;
}

static void print_backtrace(const struct vm *vm, const struct ember_hc_crash *c)
{
	char at[160];
	uint32_t n = nframes(c), line = 1, i = 0;
	uint64_t leaf = crash_leaf_caller(vm, c);

	where(vm, c->regs.rip, 0, at, sizeof(at));
	fprintf(stderr, "  backtrace:\n    #0 0x%" PRIx64 " %s\n", c->regs.rip,
		at);
	/* The runtime may list rip itself first. */
	if (n && c->frames[0] == c->regs.rip)
		i++;
	/* A leaf function without a frame: its caller is not in the chain. */
	if (leaf && (i == n || c->frames[i] != leaf))
		frame_line(vm, &line, leaf, 1);
	while (i < n) {
		uint32_t run = 1;

		while (i + run < n && c->frames[i + run] == c->frames[i])
			run++;
		frame_line(vm, &line, c->frames[i], run);
		i += run;
	}
}

void crash_report(struct vm *vm, const struct ember_hc_crash *c)
{
	uint64_t cr2 = 0;

	if (c->vector == PF_VECTOR)
		cr2 = vm->be->fault_address(vm);
	first_line(vm, c, cr2);
	print_vector(c, cr2);
	print_regs(&c->regs);
	print_backtrace(vm, c);
	vm->end = VM_CRASHED;
	vm->exit_status = EMBER_EXIT_CRASH;
}
