/*
 * hc: hostile hypercalls. Every hypercall with wild argument-struct
 * addresses (NULL, unmapped, monitor-owned pages, the read-only boot
 * info and image, the stack guard page, straddling the end of memory),
 * wild buffers and lengths (kernel-half addresses, wrap-around,
 * UINT64_MAX, over EMBER_CONSOLE_MAX), bad descriptors, bad ports, the
 * wrong access widths and directions. The monitor must end the VM with
 * one line and status 126 for each, or, where the ABI says so, return
 * an error to the guest (the "-ok" cases, which check it and exit 0).
 */
#include <errno.h>
#include <sys/mman.h>

#include "hostile.h"

/* Every struct passed to the monitor is a static: below 4 GiB. */
static struct ember_hc_console con;
static struct ember_hc_exit ex;
static struct ember_hc_block blk;
static struct ember_hc_protect prot;
static struct ember_hc_fs_base fsb;
static struct ember_hc_crash crash;
static const struct ember_hc_console con_ro = {.fd = 1};
static char msg[] = "hostile: console\n";

static uint64_t mem_end(void)
{
	return ember_bi->mem_size;
}

static uint64_t guard_page(void)
{
	return ember_bi->stack_bottom - EMBER_PAGE_SIZE;
}

/* ---- the argument struct itself in the wrong place ----------------- */

static void struct_at(uint16_t port, uint64_t gpa, const char *what)
{
	io_outl(port, (uint32_t)gpa);
	not_stopped(what);
}

static void console_struct_null(void)
{
	struct_at(EMBER_HC_CONSOLE, 0, "console-struct-null");
}

static void console_struct_sys(void)
{
	struct_at(EMBER_HC_CONSOLE, EMBER_SYS_START, "console-struct-sys");
}

static void console_struct_pt(void)
{
	struct_at(EMBER_HC_CONSOLE, EMBER_PT_START + 0x800,
		  "console-struct-pt");
}

/* Readable, but the monitor would write the result into it. */
static void console_struct_bootinfo(void)
{
	struct_at(EMBER_HC_CONSOLE, EMBER_BOOTINFO_GPA,
		  "console-struct-bootinfo");
}

static void console_struct_rodata(void)
{
	struct_at(EMBER_HC_CONSOLE, (uintptr_t)&con_ro,
		  "console-struct-rodata");
}

static void console_struct_guard(void)
{
	struct_at(EMBER_HC_CONSOLE, guard_page(), "console-struct-guard");
}

/* The last 8 bytes of memory: the 32-byte struct runs past the end. */
static void console_struct_end(void)
{
	struct_at(EMBER_HC_CONSOLE, mem_end() - 8, "console-struct-end");
}

static void console_struct_unmapped(void)
{
	struct_at(EMBER_HC_CONSOLE, 0xfffff000u, "console-struct-unmapped");
}

static void exit_struct_null(void)
{
	struct_at(EMBER_HC_EXIT, 0, "exit-struct-null");
}

static void exit_struct_pt(void)
{
	struct_at(EMBER_HC_EXIT, EMBER_PT_START, "exit-struct-pt");
}

static void block_struct_sys(void)
{
	struct_at(EMBER_HC_BLOCK, EMBER_SYS_START + 0x10, "block-struct-sys");
}

static void protect_struct_bootinfo(void)
{
	struct_at(EMBER_HC_PROTECT, EMBER_BOOTINFO_GPA + 0x100,
		  "protect-struct-bootinfo");
}

static void fsbase_struct_null(void)
{
	struct_at(EMBER_HC_SET_FS_BASE, 8, "fsbase-struct-null");
}

static void crash_struct_null(void)
{
	struct_at(EMBER_HC_CRASH, 0, "crash-struct-null");
}

static void crash_struct_end(void)
{
	struct_at(EMBER_HC_CRASH, mem_end() - 64, "crash-struct-end");
}

/* ---- console buffers, lengths and descriptors ----------------------- */

static void console(uint64_t buf, uint64_t len, uint32_t fd, const char *what)
{
	con.buf = buf;
	con.len = len;
	con.fd = fd;
	hypercall(EMBER_HC_CONSOLE, &con);
	not_stopped(what);
}

static void console_buf_null(void)
{
	console(0, 16, 1, "console-buf-null");
}

static void console_buf_kernel(void)
{
	console(0xffff800000000000ull, 16, 1, "console-buf-kernel");
}

static void console_buf_sys(void)
{
	console(EMBER_SYS_START, 64, 1, "console-buf-sys");
}

static void console_buf_pt(void)
{
	console(EMBER_PT_START, 64, 2, "console-buf-pt");
}

static void console_buf_guard(void)
{
	console(guard_page() + 16, 16, 1, "console-buf-guard");
}

static void console_buf_past_end(void)
{
	console(mem_end() - 8, 16, 1, "console-buf-past-end");
}

/* buf + len wraps around 2^64. */
static void console_buf_wrap(void)
{
	console(UINT64_MAX - 15, 32, 1, "console-buf-wrap");
}

static void console_len_max(void)
{
	console((uintptr_t)msg, UINT64_MAX, 1, "console-len-max");
}

static void console_len_over(void)
{
	console((uintptr_t)msg, EMBER_CONSOLE_MAX + 1ull, 1,
		"console-len-over");
}

static void console_fd_0(void)
{
	console((uintptr_t)msg, sizeof(msg) - 1, 0, "console-fd-0");
}

static void console_fd_3(void)
{
	console((uintptr_t)msg, sizeof(msg) - 1, 3, "console-fd-3");
}

static void console_fd_max(void)
{
	console((uintptr_t)msg, sizeof(msg) - 1, UINT32_MAX, "console-fd-max");
}

/* What the ABI allows: an empty write needs no buffer, the boot info
 * and the last byte of memory are the guest's to read. */
static void console_edges_ok(void)
{
	con = (struct ember_hc_console){.buf = 0, .len = 0, .fd = 1};
	hypercall(EMBER_HC_CONSOLE, &con);
	if (con.ret != 0)
		exit(10);
	con = (struct ember_hc_console){
	    .buf = mem_end() - 1, .len = 1, .fd = 2, .ret = -1};
	hypercall(EMBER_HC_CONSOLE, &con);
	if (con.ret != 1)
		exit(11);
	con = (struct ember_hc_console){
	    .buf = EMBER_BOOTINFO_GPA, .len = 0, .fd = 1, .ret = -1};
	hypercall(EMBER_HC_CONSOLE, &con);
	if (con.ret != 0)
		exit(12);
	printf("hostile: console-edges-ok: 3 checks passed\n");
	exit(0);
}

/* ---- other hypercalls ----------------------------------------------- */

/* No network device: nothing could ever wake the guest. */
static void block_forever(void)
{
	blk.timeout_ns = UINT64_MAX;
	hypercall(EMBER_HC_BLOCK, &blk);
	not_stopped("block-forever");
}

/* Bad protect requests are errors returned to the guest. */
static void protect_ok(void)
{
	static const struct {
		uint64_t addr, len;
		uint32_t prot;
		int64_t want;
	} bad[] = {
	    {1, EMBER_PAGE_SIZE, PROT_READ, -EINVAL},
	    {0, 123, PROT_READ, -EINVAL},
	    {0, EMBER_PAGE_SIZE, PROT_READ | PROT_EXEC, -EINVAL},
	    {0, EMBER_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, -EINVAL},
	    {0, EMBER_PAGE_SIZE, PROT_WRITE, -EINVAL},
	    {0, EMBER_PAGE_SIZE, 0x80, -EINVAL},
	};
	uint64_t heap = ember_bi->heap_start, end = ember_bi->heap_end;
	const struct {
		uint64_t addr, len;
	} outside[] = {
	    {EMBER_SYS_START, EMBER_PAGE_SIZE},	   /* monitor's tables */
	    {EMBER_BOOTINFO_GPA, EMBER_PAGE_SIZE}, /* boot info */
	    {EMBER_IMAGE_BASE, EMBER_PAGE_SIZE},   /* the image's code */
	    {ember_bi->stack_bottom, EMBER_PAGE_SIZE},
	    {guard_page(), EMBER_PAGE_SIZE},
	    {end, EMBER_PAGE_SIZE},
	    {heap, UINT64_MAX & ~(EMBER_PAGE_SIZE - 1)}, /* wraps */
	    {UINT64_MAX & ~(EMBER_PAGE_SIZE - 1), 2 * EMBER_PAGE_SIZE},
	    {heap, end - heap + EMBER_PAGE_SIZE},
	};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, n++) {
		prot = (struct ember_hc_protect){.addr = heap + bad[i].addr,
						 .len = bad[i].len,
						 .prot = bad[i].prot};
		hypercall(EMBER_HC_PROTECT, &prot);
		if (prot.ret != bad[i].want) {
			printf("hostile: protect-ok: case %zu: %lld\n", i,
			       (long long)prot.ret);
			exit(20);
		}
	}
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++, n++) {
		prot = (struct ember_hc_protect){.addr = outside[i].addr,
						 .len = outside[i].len,
						 .prot = PROT_NONE};
		hypercall(EMBER_HC_PROTECT, &prot);
		if (prot.ret != -ENOMEM) {
			printf("hostile: protect-ok: outside %zu: %lld\n", i,
			       (long long)prot.ret);
			exit(21);
		}
	}
	printf("hostile: protect-ok: %u checks passed\n", n);
	exit(0);
}

/* FS base outside user space: refused (-EINVAL), or -ENOSYS on KVM,
 * where the guest has wrfsbase instead. */
static void fsbase_ok(void)
{
	static const uint64_t bad[] = {0x0000800000000000ull,
				       0x8000000000000000ull,
				       0xffff800000000000ull, UINT64_MAX};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fsb = (struct ember_hc_fs_base){.fs_base = bad[i]};
		hypercall(EMBER_HC_SET_FS_BASE, &fsb);
		if (fsb.ret != -EINVAL && fsb.ret != -ENOSYS) {
			printf("hostile: fsbase-ok: 0x%llx: %lld\n",
			       (unsigned long long)bad[i], (long long)fsb.ret);
			exit(30);
		}
	}
	printf("hostile: fsbase-ok: 4 checks passed\n");
	exit(0);
}

/* A crash report made of garbage: an unknown vector, more frames than
 * the array holds, every address wild. Printed as numbers, never
 * followed. */
static void crash_garbage(void)
{
	memset(&crash, 0xff, sizeof(crash));
	crash.vector = 0xdeadbeefu;
	crash.nframes = UINT32_MAX;
	crash.regs.rsp = UINT64_MAX - 3;
	crash.regs.rip = 0;
	for (unsigned i = 0; i < EMBER_CRASH_MAX_FRAMES; i++)
		crash.frames[i] = i % 2 ? UINT64_MAX - i : EMBER_SYS_START + i;
	hypercall(EMBER_HC_CRASH, &crash);
	not_stopped("crash-garbage");
}

/* A page-fault report with the stack pointer at the very end of memory
 * (the monitor reads the stack for the leaf's caller). */
static void crash_pf_edge(void)
{
	memset(&crash, 0, sizeof(crash));
	crash.vector = 14;
	crash.nframes = 3;
	crash.regs.rsp = mem_end() - 4;
	crash.regs.rip = (uintptr_t)&crash_pf_edge;
	crash.frames[0] = UINT64_MAX;
	crash.frames[1] = 1;
	hypercall(EMBER_HC_CRASH, &crash);
	not_stopped("crash-pf-edge");
}

/* An "abort" whose signal number is no signal. */
static void crash_abort_bad_signal(void)
{
	memset(&crash, 0, sizeof(crash));
	crash.vector = EMBER_CRASH_ABORT;
	crash.error_code = 100000;
	crash.regs.rsp = UINT64_MAX & ~7ull;
	hypercall(EMBER_HC_CRASH, &crash);
	not_stopped("crash-abort-bad-signal");
}

/* ---- ports, widths, directions -------------------------------------- */

static void port_below(void)
{
	ex.status = 0;
	io_outl(EMBER_HC_PORT_BASE - 1, (uint32_t)(uintptr_t)&ex);
	not_stopped("port-below");
}

static void port_above(void)
{
	ex.status = 0;
	io_outl(EMBER_HC_PORT_BASE + EMBER_HC_PORT_COUNT,
		(uint32_t)(uintptr_t)&ex);
	not_stopped("port-above");
}

static void port_ffff(void)
{
	io_outl(0xffff, 0);
	not_stopped("port-ffff");
}

/* `outl %eax, $0x80`: the immediate-port form. */
static void port_imm(void)
{
	__asm__ volatile("outl %0, $0x80" : : "a"(0u) : "memory");
	not_stopped("port-imm");
}

static void outb_hc(void)
{
	ex.status = 0;
	io_outb(EMBER_HC_EXIT, (uint8_t)(uintptr_t)&ex);
	not_stopped("outb-hc");
}

static void outw_hc(void)
{
	ex.status = 0;
	io_outw(EMBER_HC_EXIT, (uint16_t)(uintptr_t)&ex);
	not_stopped("outw-hc");
}

static void inl_hc(void)
{
	(void)io_inl(EMBER_HC_CONSOLE);
	not_stopped("inl-hc");
}

static void inb_hc(void)
{
	(void)io_inb(EMBER_HC_EXIT);
	not_stopped("inb-hc");
}

/* String I/O: `rep outsb` to a hypercall port. */
static void outsb_hc(void)
{
	const void *src = msg;
	unsigned long n = 4;

	__asm__ volatile("rep outsb"
			 : "+S"(src), "+c"(n)
			 : "d"((uint16_t)EMBER_HC_CONSOLE)
			 : "memory");
	not_stopped("outsb-hc");
}

static const struct hostile_case cases[] = {
    {"console-struct-null", console_struct_null},
    {"console-struct-sys", console_struct_sys},
    {"console-struct-pt", console_struct_pt},
    {"console-struct-bootinfo", console_struct_bootinfo},
    {"console-struct-rodata", console_struct_rodata},
    {"console-struct-guard", console_struct_guard},
    {"console-struct-end", console_struct_end},
    {"console-struct-unmapped", console_struct_unmapped},
    {"exit-struct-null", exit_struct_null},
    {"exit-struct-pt", exit_struct_pt},
    {"block-struct-sys", block_struct_sys},
    {"protect-struct-bootinfo", protect_struct_bootinfo},
    {"fsbase-struct-null", fsbase_struct_null},
    {"crash-struct-null", crash_struct_null},
    {"crash-struct-end", crash_struct_end},
    {"console-buf-null", console_buf_null},
    {"console-buf-kernel", console_buf_kernel},
    {"console-buf-sys", console_buf_sys},
    {"console-buf-pt", console_buf_pt},
    {"console-buf-guard", console_buf_guard},
    {"console-buf-past-end", console_buf_past_end},
    {"console-buf-wrap", console_buf_wrap},
    {"console-len-max", console_len_max},
    {"console-len-over", console_len_over},
    {"console-fd-0", console_fd_0},
    {"console-fd-3", console_fd_3},
    {"console-fd-max", console_fd_max},
    {"console-edges-ok", console_edges_ok},
    {"block-forever", block_forever},
    {"protect-ok", protect_ok},
    {"fsbase-ok", fsbase_ok},
    {"crash-garbage", crash_garbage},
    {"crash-pf-edge", crash_pf_edge},
    {"crash-abort-bad-signal", crash_abort_bad_signal},
    {"port-below", port_below},
    {"port-above", port_above},
    {"port-ffff", port_ffff},
    {"port-imm", port_imm},
    {"outb-hc", outb_hc},
    {"outw-hc", outw_hc},
    {"inl-hc", inl_hc},
    {"inb-hc", inb_hc},
    {"outsb-hc", outsb_hc},
};

int main(int argc, char **argv)
{
	return hostile_main(argc, argv, cases,
			    sizeof(cases) / sizeof(cases[0]));
}
