/*
 * libFuzzer harness for hypercall argument decoding: a fake VM (4 MiB of
 * guest memory, an image with a read-only text and a writable data
 * segment and a few function symbols, the layout ember-vmm computes)
 * whose memory contents and hypercalls come from the input. Every port
 * is reachable, the hypercall ports 0x500-0x505 most often; the guest
 * address written to the port is either near one of the interesting
 * places (boot info, text, data, heap, stack top, the stack guard page,
 * the end of memory) or any 32-bit value.
 *
 * Input: byte 0 bit 0 = the VM has a network device (the block
 * hypercall then goes through net_block); then commands until the input
 * ends or a hypercall ends the VM, as ember-vmm stops at that point:
 *   0 OFFSET(u16+u8 base) LEN(u16) BYTES   guest memory write
 *   1 PORT(u8|u16) GPA(u8 base+u16 | u32)  hypercall_dispatch
 *   2 CR2(u64)                             the backend's fault address
 *
 * Time: the block hypercall really sleeps, so each run gets a deadline
 * (like --timeout) 50 us ahead; a longer block ends the VM by timeout.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core.h"
#include "fuzz_guest.h"
#include "fuzz_input.h"
#include "net.h"

enum op { OP_WRITE, OP_HYPERCALL, OP_CR2, OP_COUNT };

static struct vm vm;
static struct options opt;
static struct net net;
static uint64_t cr2;

static int fake_protect(struct vm *v, uint64_t gpa, uint64_t len, uint32_t prot)
{
	(void)v, (void)gpa, (void)len, (void)prot;
	return 0;
}

static int fake_set_fs_base(struct vm *v, uint64_t base)
{
	(void)v, (void)base;
	return 0;
}

static uint64_t fake_fault_address(struct vm *v)
{
	(void)v;
	return cr2;
}

static const struct backend_ops fake_backend = {
    .name = "process",
    .protect = fake_protect,
    .set_fs_base = fake_set_fs_base,
    .fault_address = fake_fault_address,
};

/* Sorted by address, as image_symbols.c leaves them; the names the
 * crash report looks for (abort entries, internals) are among them. */
static char sym_names[] = "_start\0main\0abort\0__assert_fail\0raise\0"
			  "ember_trap\0kill\0pthread_kill\0app_fn";
static struct image_symbol syms[9];
static struct image_symbols symbols;

static void fake_symbols(void)
{
	static const uint64_t addr[] = {0x0,   0x100, 0x200, 0x300, 0x400,
					0x500, 0x600, 0x700, 0x800};
	static const uint64_t size[] = {0x10, 0x80, 0x40, 0x40, 0,
					0x20, 0x8,  0,	  0x100};
	const char *name = sym_names;

	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		syms[i] = (struct image_symbol){TEXT + addr[i], size[i], name};
		name += strlen(name) + 1;
	}
	/* Already read: there is no file behind this image. */
	symbols = (struct image_symbols){
	    .read = 1, .syms = syms, .n = sizeof(syms) / sizeof(syms[0])};
	vm.img.symbols = &symbols;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_by_default(argc, argv);
	fuzz_guest(&vm);
	fake_symbols();
	vm.img.manifest.guest_stats = DATA;
	vm.opt = &opt;
	vm.be = &fake_backend;
	return 0;
}

/* A guest address near an interesting place, or any 32-bit value. */
static uint64_t gpa_from(struct fin *in)
{
	const struct guest_layout *l = &vm.layout;
	const uint64_t bases[] = {
	    EMBER_BOOTINFO_GPA,
	    TEXT,
	    DATA,
	    l->heap_start,
	    l->stack_top - 0x1000,
	    l->stack_guard - 0x800,
	    MEM_SIZE - 0x800,
	};
	uint8_t sel = fin_u8(in);

	if (sel < sizeof(bases) / sizeof(bases[0]))
		return bases[sel] + fin_u16(in) % 0x1000;
	return fin_u32(in);
}

static void write_mem(struct fin *in)
{
	uint64_t gpa = gpa_from(in);
	size_t len = fin_u16(in) % 1024;

	if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
		len = gpa < MEM_SIZE ? MEM_SIZE - gpa : 0;
	fin_bytes(in, vm.mem.base + gpa, len);
}

static uint16_t port_from(struct fin *in)
{
	uint8_t sel = fin_u8(in);

	/* 0x500-0x507: the six hypercalls and two just past them. */
	if (sel < 0xf0)
		return (uint16_t)(EMBER_HC_PORT_BASE + sel % 8);
	return fin_u16(in);
}

/* Fresh state for each run: zero memory, no end, stats cleared. */
static void reset(int with_net)
{
	if (madvise(vm.mem.base, MEM_SIZE, MADV_DONTNEED) < 0)
		abort();
	memset(&vm.stats, 0, sizeof(vm.stats));
	vm.end = VM_RUNNING;
	vm.exit_status = 0;
	vm.deadline_ns = now_ns() + 50000;
	cr2 = 0;
	vm.net = NULL;
	if (with_net) {
		static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};

		vnet_init(&net.dev, -1, mac, &vm.stats.net);
		vm.net = &net;
		net_attach_memory(&vm);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = {data, size};

	reset(fin_u8(&in) & 1);
	while (in.left && vm.end == VM_RUNNING) {
		switch (fin_u8(&in) % OP_COUNT) {
		case OP_WRITE:
			write_mem(&in);
			break;
		case OP_HYPERCALL: {
			uint16_t port = port_from(&in);
			uint32_t gpa = (uint32_t)gpa_from(&in);

			if (hypercall_dispatch(&vm, port, gpa) &&
			    vm.end == VM_RUNNING)
				abort(); /* "ended" must say how */
			break;
		}
		default:
			cr2 = fin_u64(&in);
			break;
		}
	}
	return 0;
}
