/*
 * Unit tests for the process backend (monitor/backend_process.c and
 * monitor/proc_*.c) with the real hypercall code: a tiny hand-written
 * guest (assembled into this test binary's rodata, copied to 1 MiB of
 * guest memory) is run from several entry points, and what it did is
 * checked: hypercall output and exit status, exceptions delivered into
 * its trap stubs with the CPU's frame, timeouts, crashes for `syscall`
 * and bad port I/O, EMBER_HC_PROTECT and EMBER_HC_SET_FS_BASE, and that
 * the guest process holds nothing but guest memory.
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"
#include "proc.h"
#include "vm.h"

#include "check.h"
#include "proc_guest.h"

/* Guest addresses, shared by the assembly below and the checks. */
#define CON	     (DATA + 0x00)  /* struct ember_hc_console */
#define EXIT	     (DATA + 0x40)  /* struct ember_hc_exit */
#define PROT	     (DATA + 0x60)  /* struct ember_hc_protect */
#define FSB	     (DATA + 0x80)  /* struct ember_hc_fs_base */
#define MSG	     (DATA + 0x100) /* "hi\n" */
#define FRAME	     (DATA + 0x200) /* the trap handler's copy of its frame */
#define SCRATCH	     (DATA + 0x300)
#define HEAP	     TRAP_TOP /* layout: the heap starts at the image's end */
#define STACK_BOTTOM (MEM - EMBER_STACK_SIZE) /* guard page below */

/* Trap stubs at CODE (16 bytes per vector: push the vector, jump to a
 * handler that copies the frame to FRAME and exits with 100 + vector),
 * then one entry point per test. */
/* clang-format off */
__asm__(".pushsection .rodata.guest,\"a\"\n"
	".p2align 12\n"
	"guest_blob:\n"
	".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	"22,23,24,25,26,27,28,29,30,31\n"
	"\t.balign 16, 0xcc\n"
	"\tpushq $\\v\n"
	"\tjmp trap_common\n"
	".endr\n"
	"trap_common:\n"
	".irp i,0,1,2,3,4,5,6\n"
	"\tmovq 8*\\i(%rsp), %rax\n"
	"\tmovq %rax, " STR(FRAME) "+8*\\i\n"
	".endr\n"
	"\tmovl (%rsp), %eax\n"
	"\taddl $100, %eax\n"
	"\tmovl %eax, " STR(EXIT) "\n"
	"\tmovl $" STR(EXIT) ", %eax\n"
	"\tmovw $0x501, %dx\n"
	"\toutl %eax, %dx\n"
	"\tud2\n"
	/* console "hi\n", exit 7 */
	"g_hello:\n"
	"\tmovl $0x0a6968, " STR(MSG) "\n"
	"\tmovq $" STR(MSG) ", " STR(CON) "\n"
	"\tmovq $3, " STR(CON) "+8\n"
	"\tmovl $1, " STR(CON) "+16\n"
	"\tmovl $" STR(CON) ", %eax\n"
	"\tmovw $0x500, %dx\n"
	"\toutl %eax, %dx\n"
	"g_exit7:\n"
	"\tmovl $7, " STR(EXIT) "\n"
	"\tmovl $" STR(EXIT) ", %eax\n"
	"\tmovw $0x501, %dx\n"
	"\toutl %eax, %dx\n"
	"\tud2\n"
	"g_null:\n"
	"\tmovq 0, %rax\n"
	"\tud2\n"
	"g_hang:\n"
	"\tjmp g_hang\n"
	"g_syscall:\n"
	"\tmovl $39, %eax\n"
	"\tsyscall\n"
	"\tud2\n"
	"g_outw:\n"
	"\tmovw $0x501, %dx\n"
	"\toutw %ax, %dx\n"
	/* a push into the stack guard page */
	"g_push:\n"
	"\tmovl $0x300000, %esp\n"
	"\tpushq %rax\n"
	"\tud2\n"
	"g_ud:\n"
	"\tud2\n"
	"g_int3:\n"
	"\tint3\n"
	"\tud2\n"
	"g_wrcode:\n"
	"\tmovb $1, " STR(CODE) "\n"
	"\tud2\n"
	"g_div0:\n"
	"\txorl %ecx, %ecx\n"
	"\tmovl $1, %eax\n"
	"\tcltd\n"
	"\tdivl %ecx\n"
	"\tud2\n"
	"g_execdata:\n"
	"\tmovl $" STR(DATA) ", %eax\n"
	"\tjmp *%rax\n"
	/* the host address at SCRATCH+8 (one of the monitor's) */
	"g_monitor:\n"
	"\tmovq " STR(SCRATCH) "+8, %rax\n"
	"\tmovq (%rax), %rax\n"
	"\tud2\n"
	/* fault with rsp on the trap stack: inside the handler */
	"g_double:\n"
	"\tmovl $" STR(TRAP_TOP) "-64, %esp\n"
	"\tud2\n"
	/* heap page: write, protect PROT_NONE, read */
	"g_protect:\n"
	"\tmovq $5, " STR(HEAP) "\n"
	"\tmovq $" STR(HEAP) ", " STR(PROT) "\n"
	"\tmovq $0x1000, " STR(PROT) "+8\n"
	"\tmovl $0, " STR(PROT) "+16\n"
	"\tmovq $-1, " STR(PROT) "+24\n"
	"\tmovl $" STR(PROT) ", %eax\n"
	"\tmovw $0x503, %dx\n"
	"\toutl %eax, %dx\n"
	"\tmovq " STR(HEAP) ", %rax\n"
	"\tud2\n"
	/* FS base = SCRATCH, then exit with the low byte of %fs:0 */
	"g_fsbase:\n"
	"\tmovq $" STR(SCRATCH) ", " STR(FSB) "\n"
	"\tmovq $-1, " STR(FSB) "+8\n"
	"\tmovl $" STR(FSB) ", %eax\n"
	"\tmovw $0x505, %dx\n"
	"\toutl %eax, %dx\n"
	"\tmovq $0x1234, " STR(SCRATCH) "\n"
	"\tmovq %fs:0, %rax\n"
	"\tmovl %eax, " STR(EXIT) "\n"
	"\tmovl $" STR(EXIT) ", %eax\n"
	"\tmovw $0x501, %dx\n"
	"\toutl %eax, %dx\n"
	"\tud2\n"
	/* the entry state: exit with the sum of all GPRs but rsp/rdi */
	"g_regs:\n"
	"\tmovq %rbx, %r15\n"
	"\taddq %rax, %r15\n"
	"\taddq %rcx, %r15\n"
	"\taddq %rdx, %r15\n"
	"\taddq %rsi, %r15\n"
	"\taddq %rbp, %r15\n"
	"\taddq %r8, %r15\n"
	"\taddq %r9, %r15\n"
	"\taddq %r10, %r15\n"
	"\taddq %r11, %r15\n"
	"\taddq %r12, %r15\n"
	"\taddq %r13, %r15\n"
	"\taddq %r14, %r15\n"
	"\tcmpq $0x10000, %rdi\n"
	"\tje 1f\n"
	"\tincq %r15\n"
	"1:\tmovl %r15d, " STR(EXIT) "\n"
	"\tmovl $" STR(EXIT) ", %eax\n"
	"\tmovw $0x501, %dx\n"
	"\toutl %eax, %dx\n"
	"\tud2\n"
	"guest_blob_end:\n"
	".popsection\n");
/* clang-format on */

extern const char g_hello[], g_exit7[], g_null[], g_hang[], g_syscall[],
    g_outw[], g_push[], g_ud[], g_int3[], g_wrcode[], g_div0[], g_execdata[],
    g_monitor[], g_double[], g_protect[], g_fsbase[], g_regs[];

static struct options opt;

/* A VM with the guest blob as its image, created and prepared. */
static int setup(struct vm *vm, const char *entry)
{
	guest_image(vm, &opt, entry);
	if (layout_compute(&vm->img, MEM, &vm->layout) < 0 ||
	    vm->be->create(vm) < 0)
		return -1;
	guest_copy(vm);
	return vm->be->prepare(vm);
}

/* Run entry to its end; returns the exit status (-1 on setup failure). */
static int run(struct vm *vm, const char *entry, double timeout)
{
	if (setup(vm, entry) < 0) {
		check(0, "setup for guest entry 0x%llx",
		      (unsigned long long)gaddr(entry));
		vm->be->destroy(vm);
		return -1;
	}
	if (timeout > 0)
		vm->deadline_ns = now_ns() + (uint64_t)(timeout * 1e9);
	return vm->be->run(vm);
}

static uint64_t frame(const struct vm *vm, int i)
{
	uint64_t v;

	memcpy(&v, vm->mem.base + FRAME + 8 * i, 8);
	return v;
}

static uint64_t gword(const struct vm *vm, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, vm->mem.base + gpa, 8);
	return v;
}

/* The guest process maps guest ranges, the gadget page and vsyscall. */
static void test_address_space(void)
{
	struct vm vm;
	char path[64], line[512];
	FILE *f;
	int n = 0, bad = 0;

	if (setup(&vm, g_hello) < 0) {
		check(0, "setup for the address space test");
		vm.be->destroy(&vm);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)proc_of(&vm)->pid);
	f = fopen(path, "r");
	check(f != NULL, "open %s", path);
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		n++;
		if (hi <= MEM || strstr(line, "[vsyscall]"))
			continue;
		/* one page of the monitor's text: the syscall gadget */
		if (hi - lo == EMBER_PAGE_SIZE && strstr(line, "r-xp") &&
		    !bad++)
			continue;
		check(0, "guest process maps a non-guest range: %s", line);
	}
	if (f)
		fclose(f);
	check(n >= 5, "guest process has its %d mappings", n);
	snprintf(path, sizeof(path), "/proc/%d/fd/0", (int)proc_of(&vm)->pid);
	check(access(path, F_OK) < 0, "guest process has no fd 0");
	vm.be->destroy(&vm);
}

static void test_hello(void)
{
	struct vm vm;
	char out[16] = {0};
	int fd = memfd_create("out", 0), saved = dup(1), st;

	fflush(stdout);
	dup2(fd, 1);
	st = run(&vm, g_hello, 10);
	dup2(saved, 1);
	close(saved);
	check(pread(fd, out, sizeof(out) - 1, 0) == 3 &&
		  strcmp(out, "hi\n") == 0,
	      "hello printed \"%s\"", out);
	close(fd);
	check(st == 7 && vm.end == VM_EXITED && vm.exit_status == 7,
	      "hello exit status %d, end %d", st, vm.end);
	check(vm.stats.exits[STAT_EXIT_HYPERCALL] == 2,
	      "hello made %llu hypercalls",
	      (unsigned long long)vm.stats.exits[STAT_EXIT_HYPERCALL]);
	check(gword(&vm, CON + 24) == 3, "console ret %lld",
	      (long long)gword(&vm, CON + 24));
	vm.be->destroy(&vm);
	check(vm.be_state == NULL && vm.mem.base == NULL, "destroy clears");
	vm.be->destroy(&vm); /* idempotent */
}

static void test_entry_state(void)
{
	struct vm vm;
	int st = run(&vm, g_regs, 10);

	check(st == 0, "entry GPRs are 0 and rdi is boot info (status %d)", st);
	vm.be->destroy(&vm);
}

/* A fault delivered to stub `vec`: status 100 + vec, and the frame. */
static void test_fault(const char *name, const char *entry, unsigned vec,
		       int has_err, uint64_t err, uint64_t rip)
{
	struct vm vm;
	int st = run(&vm, entry, 10), i = has_err ? 2 : 1;

	check(st == (int)(100 + vec), "%s: exit status %d, want %u", name, st,
	      100 + vec);
	check(frame(&vm, 0) == vec, "%s: vector %llu", name,
	      (unsigned long long)frame(&vm, 0));
	if (has_err)
		check(frame(&vm, 1) == err,
		      "%s: error code 0x%llx, want 0x%llx", name,
		      (unsigned long long)frame(&vm, 1),
		      (unsigned long long)err);
	check(frame(&vm, i) == rip, "%s: rip 0x%llx, want 0x%llx", name,
	      (unsigned long long)frame(&vm, i), (unsigned long long)rip);
	check(frame(&vm, i + 1) == 0x33 && frame(&vm, i + 4) == 0x2b,
	      "%s: cs 0x%llx ss 0x%llx", name,
	      (unsigned long long)frame(&vm, i + 1),
	      (unsigned long long)frame(&vm, i + 4));
	check((frame(&vm, i + 2) & 0x200) && !(frame(&vm, i + 2) & 0x3000),
	      "%s: rflags 0x%llx", name, (unsigned long long)frame(&vm, i + 2));
	check(frame(&vm, i + 3) == vm.layout.stack_top, "%s: rsp 0x%llx", name,
	      (unsigned long long)frame(&vm, i + 3));
	check(vm.stats.exits[STAT_EXIT_FAULT] == 1, "%s: %llu faults", name,
	      (unsigned long long)vm.stats.exits[STAT_EXIT_FAULT]);
	vm.be->destroy(&vm);
}

static void test_faults(void)
{
	struct vm vm;
	static int canary = 42;
	int st;

	test_fault("NULL read", g_null, 14, 1, 0x4, gaddr(g_null));
	test_fault("ud2", g_ud, 6, 0, 0, gaddr(g_ud));
	test_fault("int3", g_int3, 3, 0, 0, gaddr(g_int3) + 1);
	test_fault("write to code", g_wrcode, 14, 1, 0x7, gaddr(g_wrcode));
	test_fault("divide by 0", g_div0, 0, 0, 0, gaddr(g_div0) + 8);
	test_fault("jump to data", g_execdata, 14, 1, 0x15, DATA);

	/* The monitor's own memory is not in the guest's address space. */
	if (setup(&vm, g_monitor) == 0) {
		uint64_t host = (uint64_t)(uintptr_t)&canary;

		memcpy(vm.mem.base + SCRATCH + 8, &host, 8);
		st = vm.be->run(&vm);
		check(st == 114 && frame(&vm, 1) == 0x4 &&
			  vm.be->fault_address(&vm) == host,
		      "monitor memory unmapped: status %d err 0x%llx cr2 "
		      "0x%llx",
		      st, (unsigned long long)frame(&vm, 1),
		      (unsigned long long)vm.be->fault_address(&vm));
	} else {
		check(0, "setup for the monitor-memory test");
	}
	vm.be->destroy(&vm);
}

static void test_stack_overflow(void)
{
	struct vm vm;
	int st = run(&vm, g_push, 10);

	check(STACK_BOTTOM == 0x300000 && vm.layout.stack_bottom == 0x300000,
	      "stack bottom 0x%llx",
	      (unsigned long long)vm.layout.stack_bottom);
	check(st == 114 && frame(&vm, 1) == 0x6 &&
		  vm.be->fault_address(&vm) == STACK_BOTTOM - 8 &&
		  frame(&vm, 5) == STACK_BOTTOM,
	      "push into the guard page: status %d err 0x%llx cr2 0x%llx", st,
	      (unsigned long long)frame(&vm, 1),
	      (unsigned long long)vm.be->fault_address(&vm));
	vm.be->destroy(&vm);
}

static void test_crashes(void)
{
	struct vm vm;
	uint64_t t0;
	int st;

	st = run(&vm, g_syscall, 10);
	check(st == EMBER_EXIT_CRASH && vm.end == VM_CRASHED,
	      "syscall: status %d", st);
	vm.be->destroy(&vm);

	st = run(&vm, g_outw, 10);
	check(st == EMBER_EXIT_CRASH && vm.end == VM_CRASHED, "outw: status %d",
	      st);
	vm.be->destroy(&vm);

	st = run(&vm, g_double, 10);
	check(st == EMBER_EXIT_CRASH && vm.end == VM_CRASHED,
	      "fault in handler: status %d", st);
	vm.be->destroy(&vm);

	t0 = now_ns();
	opt.timeout_sec = 0.2;
	st = run(&vm, g_hang, 0.2);
	opt.timeout_sec = 0;
	check(st == EMBER_EXIT_TIMEOUT && vm.end == VM_TIMEOUT,
	      "timeout: status %d", st);
	/* Generous: only proves that it did not wait forever. */
	check(now_ns() - t0 < 10000000000ull, "timeout came");
	vm.be->destroy(&vm);
}

static void test_protect_fsbase(void)
{
	struct vm vm;
	int st = run(&vm, g_protect, 10);

	check(gword(&vm, PROT + 24) == 0, "protect ret %lld",
	      (long long)gword(&vm, PROT + 24));
	check(gword(&vm, HEAP) == 5, "heap write before protect");
	check(st == 114 && frame(&vm, 1) == 0x5 &&
		  vm.be->fault_address(&vm) == HEAP,
	      "read of PROT_NONE page: status %d err 0x%llx", st,
	      (unsigned long long)frame(&vm, 1));
	vm.be->destroy(&vm);

	st = run(&vm, g_fsbase, 10);
	check(gword(&vm, FSB + 8) == 0, "set_fs_base ret %lld",
	      (long long)gword(&vm, FSB + 8));
	check(st == 0x34, "%%fs:0 after SET_FS_BASE: status 0x%x", st);
	vm.be->destroy(&vm);
}

/* destroy() must leave no process behind, even after a timeout. */
static void test_no_leftovers(void)
{
	int st;

	check(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD,
	      "no child processes left");
}

static void *send_sigterm(void *arg)
{
	struct timespec ts = {0, 200000000};

	(void)arg;
	nanosleep(&ts, NULL);
	kill(getpid(), SIGTERM);
	return NULL;
}

/* SIGTERM ends a spinning guest through the monitor's handler (util.c).
 * Last: the monitor's stop signal stays set for the process. */
static void test_sigterm(void)
{
	struct vm vm;
	pthread_t t;
	sigset_t set;
	int st;

	check(vmm_install_signals() == 0, "install the monitor's handlers");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	/* The helper thread blocks SIGTERM, so the main thread gets it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_create(&t, NULL, send_sigterm, NULL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	st = run(&vm, g_hang, 0);
	pthread_join(t, NULL);
	check(st == 128 + SIGTERM && vm.end == VM_ERROR,
	      "SIGTERM: status %d end %d", st, vm.end);
	vm.be->destroy(&vm);
}

int main(void)
{
	test_address_space();
	test_hello();
	test_entry_state();
	test_faults();
	test_crashes();
	test_stack_overflow();
	test_protect_fsbase();
	test_no_leftovers();
	test_sigterm();
	test_no_leftovers();
	return check_summary("test_proc_backend");
}
