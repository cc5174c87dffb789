/*
 * libFuzzer harness for the virtio-net device model: the monitor's
 * register window, virtqueues and data path (net.c, virtio_mmio.c,
 * virtq.c, virtio_net.c) over a fake VM with 4 MiB of guest memory
 * (fake image and layout as ember-vmm computes them, the device's memory
 * policy from net_attach_memory), the tap replaced by a SOCK_DGRAM
 * socketpair (it keeps frame boundaries, like a tap) whose host end
 * sends frames taken from the input.
 *
 * Input: commands until the input ends or a block hypercall ends the VM
 * (a timeout; each run has a --timeout-like deadline 100 us ahead):
 *   0 OFF(u16) SIZE(u8) VALUE  MMIO write, as a backend's exit does it
 *   1 OFF(u16) SIZE(u8)        MMIO read
 *   2 GPA LEN(u16) BYTES       guest memory write (rings, buffers)
 *   3 LEN(u16) BYTES           the host sends a frame (12-byte virtio
 *                              header + Ethernet frame) into the tap
 *   4 WHICH(u8)                block hypercall: timeout 0, 1 us, none
 *   5 QUEUE(u8)                QueueNotify
 *   6                          the host reads what the device sent
 *   7 Q(u8) IDX ADDR LEN FLAGS NEXT   write descriptor IDX of queue Q
 *   8 Q(u8) HEAD(u16)          make HEAD available in queue Q
 *   9 FEATURES(u8) SIZES(u8)   a whole driver handshake: status,
 *                              features, both queues, DRIVER_OK
 * Commands 7-9 are what a driver does with ops 0 and 2; they only save
 * the fuzzer from finding the register sequence and ring offsets.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "fuzz_guest.h"
#include "fuzz_input.h"
#include "net.h"

#define MMIO EMBER_NET_MMIO_GPA

enum op {
	OP_MMIO_WRITE,
	OP_MMIO_READ,
	OP_MEM_WRITE,
	OP_HOST_FRAME,
	OP_BLOCK,
	OP_NOTIFY,
	OP_HOST_DRAIN,
	OP_DESC,
	OP_OFFER,
	OP_HANDSHAKE,
	OP_COUNT
};

static struct vm vm;
static struct net net;
static int peer = -1; /* the host's end of the "tap" */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_by_default(argc, argv);
	fuzz_guest(&vm);
	return 0;
}

/* Near the heap (where a driver puts rings and buffers), near a hole
 * the device must respect, or any 32-bit address. */
static uint64_t gpa_from(struct fin *in)
{
	const struct guest_layout *l = &vm.layout;
	const uint64_t bases[] = {
	    l->heap_start,	    l->heap_start + 0x10000, TEXT, DATA,
	    l->stack_guard - 0x800, MEM_SIZE - 0x800,	     0x0};
	uint8_t sel = fin_u8(in);

	if (sel < sizeof(bases) / sizeof(bases[0]))
		return bases[sel] + fin_u16(in) % 0x1000;
	return fin_u32(in);
}

/* A guest write of len bytes at gpa, cut to guest memory. */
static void poke(uint64_t gpa, const void *src, size_t len)
{
	if (gpa >= MEM_SIZE)
		return;
	if (len > MEM_SIZE - gpa)
		len = MEM_SIZE - gpa;
	memcpy(vm.mem.base + gpa, src, len);
}

static void mmio(struct fin *in, int write)
{
	static const unsigned sizes[] = {4, 1, 2, 8};
	uint64_t off = fin_u16(in) % EMBER_NET_MMIO_SIZE;
	unsigned size = sizes[fin_u8(in) % 4];
	uint64_t value = size == 8 ? fin_u64(in) : fin_u32(in);

	/* What both backends check before they call into the device. */
	if (!net_mmio_window(MMIO + off, size))
		return;
	if (write)
		net_mmio_write(&vm, MMIO + off, size, value);
	else
		net_mmio_read(&vm, MMIO + off, size);
}

static void mem_write(struct fin *in)
{
	uint8_t buf[2048];
	uint64_t gpa = gpa_from(in);
	size_t len = fin_u16(in) % sizeof(buf);

	fin_bytes(in, buf, len);
	poke(gpa, buf, len);
}

static void host_frame(struct fin *in)
{
	uint8_t buf[2048];
	size_t len = fin_u16(in) % sizeof(buf);

	fin_bytes(in, buf, len);
	/* A full socket buffer is a host that sends faster than the guest
	 * reads: the frame is lost, as on a tap. */
	if (send(peer, buf, len, MSG_DONTWAIT) < 0)
		return;
}

static void host_drain(void)
{
	uint8_t buf[2048];

	while (recv(peer, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

static void wr(uint64_t off, uint32_t v)
{
	net_mmio_write(&vm, MMIO + off, 4, v);
}

static void set_desc(struct fin *in)
{
	const struct virtq *q = &net.dev.q[fin_u8(in) & 1];
	uint8_t idx = fin_u8(in);
	struct vring_desc d;

	d.addr = gpa_from(in);
	d.len = fin_u16(in);
	d.flags = fin_u8(in) & 7;
	d.next = fin_u8(in);
	poke(q->desc_gpa + 16u * idx, &d, sizeof(d));
}

static void offer(struct fin *in)
{
	const struct virtq *q = &net.dev.q[fin_u8(in) & 1];
	uint16_t head = fin_u16(in), idx = 0;
	uint32_t num = q->num ? q->num : 1;

	if (q->avail_gpa + 4 > MEM_SIZE)
		return;
	memcpy(&idx, vm.mem.base + q->avail_gpa + 2, sizeof(idx));
	poke(q->avail_gpa + 4 + 2 * (idx % num), &head, sizeof(head));
	idx++;
	poke(q->avail_gpa + 2, &idx, sizeof(idx));
}

/* The driver's side of the handshake (virtio 1.x, 3.1.1), with rings
 * in the heap: queue q at heap_start + q * 32 KiB. */
static void handshake(struct fin *in)
{
	uint8_t f = fin_u8(in), sizes = fin_u8(in);
	uint64_t feat = 0;

	if (f & 1)
		feat |= 1ull << VIRTIO_F_VERSION_1;
	if (f & 2)
		feat |= 1ull << VIRTIO_NET_F_MAC;
	if (f & 4)
		feat |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)feat);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(feat >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < VNET_NQ; q++) {
		uint64_t desc = vm.layout.heap_start + q * 0x8000ull;

		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		wr(VIRTIO_MMIO_QUEUE_NUM, 1u << ((sizes >> (4 * q)) % 9));
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
		wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)desc + 0x1000);
		wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
		wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)desc + 0x2000);
		wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	       VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Zero memory, a new device on a new "tap", a deadline 100 us ahead. */
static void reset(void)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
	int sv[2];

	if (madvise(vm.mem.base, MEM_SIZE, MADV_DONTNEED) < 0)
		abort();
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) < 0)
		abort();
	memset(&vm.stats, 0, sizeof(vm.stats));
	vm.end = VM_RUNNING;
	vm.exit_status = 0;
	vm.deadline_ns = now_ns() + 100000;
	peer = sv[1];
	vnet_init(&net.dev, sv[0], mac, &vm.stats.net);
	vm.net = &net;
	net_attach_memory(&vm);
}

static void step(struct fin *in)
{
	static const uint64_t timeouts[] = {0, 1000, UINT64_MAX};

	switch (fin_u8(in) % OP_COUNT) {
	case OP_MMIO_WRITE:
		mmio(in, 1);
		break;
	case OP_MMIO_READ:
		mmio(in, 0);
		break;
	case OP_MEM_WRITE:
		mem_write(in);
		break;
	case OP_HOST_FRAME:
		host_frame(in);
		break;
	case OP_BLOCK:
		if (net_block(&vm, timeouts[fin_u8(in) % 3]) &&
		    vm.end == VM_RUNNING)
			abort(); /* "ended" must say how */
		break;
	case OP_NOTIFY:
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, fin_u8(in) % 3);
		break;
	case OP_HOST_DRAIN:
		host_drain();
		break;
	case OP_DESC:
		set_desc(in);
		break;
	case OP_OFFER:
		offer(in);
		break;
	default:
		handshake(in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = {data, size};

	reset();
	while (in.left && vm.end == VM_RUNNING)
		step(&in);
	close(net.dev.tap_fd);
	close(peer);
	return 0;
}
