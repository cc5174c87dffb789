/*
 * The network device through the process backend, end to end: a tiny
 * hand-written guest (like test_proc_backend.c's) reaches the device's
 * register window with ordinary mov instructions, which fault in the
 * guest process and are decoded and emulated by the monitor
 * (proc_mmio.c); and the block hypercall waits on the "tap" (a
 * socketpair here) and fills the receive queue, or flushes transmit.
 * The rings are set up from this side, as a driver would have.
 */
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "core.h"
#include "net.h"
#include "proc.h"

#include "check.h"
#include "proc_guest.h"

#define EXIT (DATA + 0x40)  /* struct ember_hc_exit */
#define BLK  (DATA + 0x80)  /* struct ember_hc_block */
#define RES  (DATA + 0x100) /* results, 8 bytes each */
#define WIN  0x200000000    /* EMBER_NET_MMIO_GPA */
#define RXR  0x200000ull    /* RX rings: desc, +0x1000 avail, +0x2000 used */
#define TXR  0x210000ull
#define BUF  0x220000ull
#define QN   4u

_Static_assert(WIN == EMBER_NET_MMIO_GPA, "window");

/* clang-format off */
__asm__(".pushsection .rodata.guest,\"a\"\n"
	".p2align 12\n"
	"guest_blob:\n"
	".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	"22,23,24,25,26,27,28,29,30,31\n"
	"\t.balign 16, 0xcc\n"
	"\tmovl $100+\\v, " STR(EXIT) "\n"
	"\tjmp g_exit\n"
	".endr\n"
	/* registers through the window, results at RES */
	"g_probe:\n"
	"\tmovabsq $" STR(WIN) ", %rdi\n"
	"\tmovl (%rdi), %eax\n"
	"\tmovq %rax, " STR(RES) "\n"
	"\tmovq $-1, %rsi\n"
	"\tmovl 4(%rdi), %esi\n"		/* 32-bit load clears 63..32 */
	"\tmovq %rsi, " STR(RES) "+8\n"
	"\tmovl $8, %ecx\n"
	"\tmovl (%rdi,%rcx,1), %edx\n"		/* SIB */
	"\tmovq %rdx, " STR(RES) "+16\n"
	"\tmovzbl 0x100(%rdi), %r9d\n"
	"\tmovq %r9, " STR(RES) "+24\n"
	"\tmovq $-1, %rbx\n"
	"\tmovb 0x105(%rdi), %bl\n"		/* merge into rbx */
	"\tmovq %rbx, " STR(RES) "+32\n"
	"\tmovl $1, 0x70(%rdi)\n"		/* status = ACKNOWLEDGE */
	"\tmovl $3, %r12d\n"
	"\tmovl %r12d, 0x70(%rdi)\n"		/* | DRIVER */
	"\tmovl 0x70(%rdi), %eax\n"
	"\tmovq %rax, " STR(RES) "+40\n"
	"\tmovw 0x70(%rdi), %ax\n"		/* 16 bits: device stops */
	"\tmovl 0x70(%rdi), %eax\n"
	"\tmovq %rax, " STR(RES) "+48\n"
	"\tmovl $0, " STR(EXIT) "\n"
	"g_exit:\n"
	"\tmovl $" STR(EXIT) ", %eax\n"
	"\tmovw $0x501, %dx\n"
	"\toutl %eax, %dx\n"
	"\tud2\n"
	/* an instruction that cannot be emulated */
	"g_add:\n"
	"\tmovabsq $" STR(WIN) ", %rdi\n"
	"\taddl (%rdi), %eax\n"
	"\tud2\n"
	/* a fault just past the window is an ordinary page fault */
	"g_past:\n"
	"\tmovabsq $" STR(WIN) "+0x1000, %rdi\n"
	"\tmovl (%rdi), %eax\n"
	"\tud2\n"
	/* block forever, then exit with the RX used index */
	"g_block:\n"
	"\tmovq $-1, " STR(BLK) "\n"
	"\tmovq $1, " STR(BLK) "+8\n"
	"\tmovl $" STR(BLK) ", %eax\n"
	"\tmovw $0x502, %dx\n"
	"\toutl %eax, %dx\n"
	"\tmovq " STR(BLK) "+8, %rax\n"
	"\tmovq %rax, " STR(RES) "\n"
	"\tmovzwl " STR(RXR) "+0x2002, %eax\n"
	"\tmovl %eax, " STR(EXIT) "\n"
	"\tjmp g_exit\n"
	/* kick TX, exit with the TX used index */
	"g_kick:\n"
	"\tmovabsq $" STR(WIN) ", %rdi\n"
	"\tmovl $1, 0x50(%rdi)\n"
	"\tmovzwl " STR(TXR) "+0x2002, %eax\n"
	"\tmovl %eax, " STR(EXIT) "\n"
	"\tjmp g_exit\n"
	"guest_blob_end:\n"
	".popsection\n");
/* clang-format on */

extern const char g_probe[], g_add[], g_past[], g_block[], g_kick[];

static struct options opt;
static int peer;

static int setup(struct vm *vm, const char *entry)
{
	static const uint8_t mac[6] = {2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	struct net *n = calloc(1, sizeof(*n));
	int sv[2];

	guest_image(vm, &opt, entry);
	if (!n || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK | O_CLOEXEC);
	peer = sv[1];
	vnet_init(&n->dev, sv[0], mac, &vm->stats.net);
	vm->net = n;
	if (layout_compute(&vm->img, MEM, &vm->layout) < 0 ||
	    vm->be->create(vm) < 0)
		return -1;
	net_attach_memory(vm);
	guest_copy(vm);
	return vm->be->prepare(vm);
}

static void teardown(struct vm *vm)
{
	vm->be->destroy(vm);
	net_close(vm);
	close(peer);
}

static uint64_t res(const struct vm *vm, int i)
{
	uint64_t v;

	memcpy(&v, vm->mem.base + RES + 8 * i, 8);
	return v;
}

/* Drive the device from the host side as the guest's driver would. */
static void w(struct vm *vm, uint64_t off, uint32_t v)
{
	vnet_mmio_write(&vm->net->dev, off, 4, v);
}

static void queue(struct vm *vm, unsigned q, uint64_t at)
{
	w(vm, VIRTIO_MMIO_QUEUE_SEL, q);
	w(vm, VIRTIO_MMIO_QUEUE_NUM, QN);
	w(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)at);
	w(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(at + 0x1000));
	w(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(at + 0x2000));
	w(vm, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_up(struct vm *vm)
{
	w(vm, VIRTIO_MMIO_STATUS, 3);
	w(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w(vm, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	w(vm, VIRTIO_MMIO_STATUS, 3 | VIRTIO_CONFIG_S_FEATURES_OK);
	queue(vm, 0, RXR);
	queue(vm, 1, TXR);
	w(vm, VIRTIO_MMIO_STATUS, 0xf);
}

/* One chain of one buffer, made available in queue ring at. */
static void offer(struct vm *vm, uint64_t at, uint64_t buf, uint32_t len,
		  int writable)
{
	struct vring_desc d = {buf, len, writable ? VRING_DESC_F_WRITE : 0, 0};
	uint16_t one = 1;

	memcpy(vm->mem.base + at, &d, sizeof(d));
	memset(vm->mem.base + at + 0x1000 + 4, 0, 2); /* ring[0] = 0 */
	memcpy(vm->mem.base + at + 0x1000 + 2, &one, 2);
}

static void test_probe(void)
{
	struct vm vm;
	int st;

	if (setup(&vm, g_probe) < 0) {
		check(0, "setup probe");
		teardown(&vm);
		return;
	}
	st = vm.be->run(&vm);
	check(st == 0, "probe: guest ran to its exit (%d)", st);
	check(res(&vm, 0) == 0x74726976, "movl: magic 0x%llx",
	      (unsigned long long)res(&vm, 0));
	check(res(&vm, 1) == 2, "32-bit load zero-extends: version");
	check(res(&vm, 2) == 1, "SIB address: device id");
	check(res(&vm, 3) == 2, "movzbl: mac[0]");
	check(res(&vm, 4) == 0xffffffffffffffeeull, "movb merges: mac[5]");
	check(res(&vm, 5) == 3, "stores: status 3 (%llu)",
	      (unsigned long long)res(&vm, 5));
	check(res(&vm, 6) == (3 | VIRTIO_CONFIG_S_NEEDS_RESET),
	      "a 16-bit access stopped the device, the VM went on");
	check(vm.stats.exits[STAT_EXIT_MMIO] == 10 &&
		  vm.stats.exits[STAT_EXIT_FAULT] == 0,
	      "10 MMIO exits counted as such (%llu)",
	      (unsigned long long)vm.stats.exits[STAT_EXIT_MMIO]);
	teardown(&vm);
}

static void test_bad(void)
{
	struct vm vm;
	int st;

	if (setup(&vm, g_add) == 0) {
		st = vm.be->run(&vm);
		check(st == EMBER_EXIT_CRASH && vm.end == VM_CRASHED,
		      "an add on the window crashes the VM (%d)", st);
	}
	teardown(&vm);
	if (setup(&vm, g_past) == 0) {
		st = vm.be->run(&vm);
		check(st == 100 + 14,
		      "past the window: a #PF to the guest (%d)", st);
	}
	teardown(&vm);
}

static void *send_later(void *arg)
{
	static const uint8_t frame[12 + 60] = {[12] = 0x5a};
	struct timespec ts = {0, 100 * 1000 * 1000};

	(void)arg;
	nanosleep(&ts, NULL);
	if (send(peer, frame, sizeof(frame), 0) < 0)
		perror("send");
	return NULL;
}

static void test_block(void)
{
	struct vm vm;
	pthread_t t;
	uint64_t t0;
	int st;

	if (setup(&vm, g_block) < 0) {
		check(0, "setup block");
		teardown(&vm);
		return;
	}
	driver_up(&vm);
	offer(&vm, RXR, BUF, 2048, 1);
	t0 = now_ns();
	pthread_create(&t, NULL, send_later, NULL);
	st = vm.be->run(&vm);
	pthread_join(t, NULL);
	check(st == 1, "block forever returned with one frame (%d)", st);
	check(now_ns() - t0 >= 90 * 1000 * 1000, "and waited for it");
	check(res(&vm, 0) == 0, "block ret 0");
	check(vm.mem.base[BUF + 12] == 0x5a, "frame in the guest's buffer");
	check(vm.stats.net.rx_packets == 1 && vm.stats.net.waits == 1,
	      "rx stats");
	teardown(&vm);

	/* --timeout while blocked forever. */
	if (setup(&vm, g_block) == 0) {
		driver_up(&vm);
		offer(&vm, RXR, BUF, 2048, 1);
		vm.deadline_ns = now_ns() + 200 * 1000 * 1000;
		st = vm.be->run(&vm);
		check(st == EMBER_EXIT_TIMEOUT, "timeout while blocked (%d)",
		      st);
	}
	teardown(&vm);

	/* No receive buffers: nothing can wake the guest. */
	if (setup(&vm, g_block) == 0) {
		driver_up(&vm);
		st = vm.be->run(&vm);
		check(st == EMBER_EXIT_CRASH, "block forever, no buffers (%d)",
		      st);
	}
	teardown(&vm);
}

static void test_kick(void)
{
	struct vm vm;
	uint8_t buf[256];
	int st;

	if (setup(&vm, g_kick) < 0) {
		check(0, "setup kick");
		teardown(&vm);
		return;
	}
	driver_up(&vm);
	memset(vm.mem.base + BUF, 0x33, 12 + 60);
	offer(&vm, TXR, BUF, 12 + 60, 0);
	st = vm.be->run(&vm);
	check(st == 1, "kick: TX used index 1 (%d)", st);
	check(recv(peer, buf, sizeof(buf), MSG_DONTWAIT) == 12 + 60 &&
		  buf[0] == 0 && buf[12] == 0x33,
	      "kick: the frame reached the tap, header zeroed");
	check(vm.stats.exits[STAT_EXIT_NOTIFY] == 1, "one notify exit");
	teardown(&vm);
}

int main(void)
{
	test_probe();
	test_bad();
	test_block();
	test_kick();
	return check_summary("test_proc_mmio");
}
