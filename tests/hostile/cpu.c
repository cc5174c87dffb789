/*
 * cpu: hostile guest code. Endless loops (with and without hypercalls:
 * --timeout and signals must still work), stack overflow, memory
 * exhaustion, a fault inside the exception handler (the nearest a CPL3
 * guest gets to a triple fault: it cannot touch the IDT or the trap
 * stack's mapping), W^X (executing data, heap, stack, boot info;
 * writing code and read-only data; asking for executable memory),
 * touching monitor-owned pages, privileged and system call
 * instructions. Each must end as a crash with one line and 126, a
 * timeout (124) or a clean exit of the guest's own.
 */
#include <errno.h>
#include <sys/mman.h>

#include "hostile.h"

static const char ro_text[] = "read-only";

static void spin(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

/* Hypercalls as fast as possible: each is an exit to the monitor. */
static void hc_storm(void)
{
	static struct ember_hc_console c = {.fd = 1};

	for (;;)
		hypercall(EMBER_HC_CONSOLE, &c);
}

static volatile unsigned depth;

static unsigned recurse(unsigned n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	depth = n;
	if (n == UINT32_MAX) /* never: the stack runs out long before */
		return 0;
	return recurse(n + 1) + pad[0];
}

static void stack_overflow(void)
{
	printf("%u\n", recurse(0));
	not_stopped("stack-overflow");
}

/* Small blocks until malloc fails; then free them and exit 0. */
static void oom_small(void)
{
	void **head = NULL;
	unsigned long n = 0;

	for (;;) {
		void **b = malloc(96);

		if (!b)
			break;
		*b = head;
		head = b;
		n++;
	}
	if (errno != ENOMEM)
		exit(20);
	while (head) {
		void **next = *head;

		free(head);
		head = next;
	}
	head = malloc(96); /* works again */
	if (!head)
		exit(21);
	free(head);
	printf("hostile: oom-small: %lu blocks, then ENOMEM\n", n);
	exit(0);
}

static void oom_mmap(void)
{
	unsigned long n = 0;

	for (;;) {
		void *p = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		memset(p, 0x5a, 1u << 20);
		n++;
	}
	if (errno != ENOMEM)
		exit(22);
	printf("hostile: oom-mmap: %lu MiB, then ENOMEM\n", n);
	exit(0);
}

/* The runtime's handler reads the boot info to find the stack: point
 * it at nothing, then fault. The handler faults in turn. */
static void handler_fault(void)
{
	*(const struct ember_bootinfo *volatile *)&ember_bi =
	    (const struct ember_bootinfo *)(uintptr_t)0x8;
	volatile int *volatile near_null = (volatile int *)(uintptr_t)0x40;

	*near_null = 1;
	not_stopped("handler-fault");
}

/* Enter the runtime's #PF stub directly, with a stack pointer inside
 * the monitor's pages: its first push faults. */
extern char ember_trap_entry[];
static void handler_bad_rsp(void)
{
	__asm__ volatile("movq %0, %%rsp\n\tjmp *%1"
			 :
			 : "i"(EMBER_SYS_START + 0x800),
			   "r"(ember_trap_entry + EMBER_TRAP_STUB_SIZE * 14)
			 : "memory");
	not_stopped("handler-bad-rsp");
}

static void jump_to(uint64_t addr)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)addr;

	fn();
}

static unsigned char data_ret[16] = {0xc3}; /* ret */

static void exec_data(void)
{
	jump_to((uintptr_t)data_ret);
	not_stopped("exec-data");
}

static void exec_heap(void)
{
	unsigned char *p = malloc(64);

	p[0] = 0xc3;
	jump_to((uintptr_t)p);
	not_stopped("exec-heap");
}

static void exec_stack(void)
{
	volatile unsigned char code[16] = {0xc3};

	jump_to((uintptr_t)code);
	not_stopped("exec-stack");
}

static void exec_bootinfo(void)
{
	jump_to(EMBER_BOOTINFO_GPA);
	not_stopped("exec-bootinfo");
}

static void exec_sys(void)
{
	jump_to(EMBER_SYS_START);
	not_stopped("exec-sys");
}

static void exec_kernel(void)
{
	jump_to(0xffffffff81000000ull);
	not_stopped("exec-kernel");
}

static void exec_noncanonical(void)
{
	jump_to(0x8000000000000000ull);
	not_stopped("exec-noncanonical");
}

static void poke(uint64_t addr, const char *what)
{
	*(volatile unsigned char *)(uintptr_t)addr = 0xcc;
	not_stopped(what);
}

static void write_code(void)
{
	poke((uintptr_t)&write_code, "write-code");
}

static void write_rodata(void)
{
	poke((uintptr_t)ro_text, "write-rodata");
}

static void write_bootinfo(void)
{
	poke(EMBER_BOOTINFO_GPA + 8, "write-bootinfo");
}

static void write_sys(void)
{
	poke(EMBER_SYS_START + 0x100, "write-sys");
}

static void read_pt(void)
{
	(void)*(volatile unsigned char *)(uintptr_t)EMBER_PT_START;
	not_stopped("read-pt");
}

/* W^X from the inside: no executable memory, ever. */
static void no_exec_memory_ok(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		exit(30);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		exit(31);
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0)
		exit(32);
	/* The image's own code cannot be made writable either. */
	if (mprotect((void *)((uintptr_t)&no_exec_memory_ok & ~0xfffull), 4096,
		     PROT_READ | PROT_WRITE) == 0)
		exit(33);
	printf("hostile: no-exec-memory-ok: refused 3 times\n");
	exit(0);
}

static void priv_hlt(void)
{
	__asm__ volatile("hlt");
	not_stopped("priv-hlt");
}

static void priv_cr3(void)
{
	__asm__ volatile("movq %0, %%cr3" : : "r"(0x1000ull) : "memory");
	not_stopped("priv-cr3");
}

static void priv_wrmsr(void)
{
	/* IA32_LSTAR: where `syscall` would go. */
	__asm__ volatile("wrmsr" : : "c"(0xc0000082u), "a"(0u), "d"(0u));
	not_stopped("priv-wrmsr");
}

static void priv_lidt(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idt = {0xfff, 0x100000};

	__asm__ volatile("lidt %0" : : "m"(idt));
	not_stopped("priv-lidt");
}

static void insn_syscall(void)
{
	__asm__ volatile("syscall" : : "a"(60), "D"(0) : "rcx", "r11");
	not_stopped("insn-syscall");
}

static void insn_int80(void)
{
	__asm__ volatile("int $0x80" : : "a"(1), "b"(0));
	not_stopped("insn-int80");
}

static void insn_ud2(void)
{
	__asm__ volatile("ud2");
	not_stopped("insn-ud2");
}

static const struct hostile_case cases[] = {
    {"spin", spin},
    {"hc-storm", hc_storm},
    {"stack-overflow", stack_overflow},
    {"oom-small", oom_small},
    {"oom-mmap", oom_mmap},
    {"handler-fault", handler_fault},
    {"handler-bad-rsp", handler_bad_rsp},
    {"exec-data", exec_data},
    {"exec-heap", exec_heap},
    {"exec-stack", exec_stack},
    {"exec-bootinfo", exec_bootinfo},
    {"exec-sys", exec_sys},
    {"exec-kernel", exec_kernel},
    {"exec-noncanonical", exec_noncanonical},
    {"write-code", write_code},
    {"write-rodata", write_rodata},
    {"write-bootinfo", write_bootinfo},
    {"write-sys", write_sys},
    {"read-pt", read_pt},
    {"no-exec-memory-ok", no_exec_memory_ok},
    {"priv-hlt", priv_hlt},
    {"priv-cr3", priv_cr3},
    {"priv-wrmsr", priv_wrmsr},
    {"priv-lidt", priv_lidt},
    {"insn-syscall", insn_syscall},
    {"insn-int80", insn_int80},
    {"insn-ud2", insn_ud2},
};

int main(int argc, char **argv)
{
	return hostile_main(argc, argv, cases,
			    sizeof(cases) / sizeof(cases[0]));
}
