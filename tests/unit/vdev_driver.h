/*
 * A virtio-net driver for the device unit tests (test_virtio_dev.c,
 * test_virtio_hostile.c): fake guest memory, the monitor's device over a
 * SOCK_DGRAM socketpair standing in for the tap (it keeps frame
 * boundaries like a tap), and the register and ring steps of a driver.
 */
#ifndef EMBER_TEST_VDEV_DRIVER_H
#define EMBER_TEST_VDEV_DRIVER_H

#include <fcntl.h>
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

#include "net.h"
#include "virtio_net.h"

#define MEM_SIZE (4ull << 20)
#define FLOOR	 0x100000ull
#define RO_START 0x100000ull /* a read-only "text" hole: readable */
#define RO_END	 0x110000ull
#define RINGS	 0x200000ull /* queue q's rings at RINGS + q * 0x10000 */
#define BUFS	 0x300000ull /* buffers */
#define QSIZE	 8u

static uint8_t *mem;
static struct net_stats st;
static struct vnet *dev;
static int peer; /* the "host" end of the tap */

static inline uint64_t feat_all(void)
{
	return (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_NET_F_MAC) |
	       (1ull << VIRTIO_RING_F_EVENT_IDX);
}

static inline uint32_t rd(uint64_t off)
{
	return (uint32_t)vnet_mmio_read(dev, off, 4);
}

static inline void wr(uint64_t off, uint32_t v)
{
	vnet_mmio_write(dev, off, 4, v);
}

static inline int stopped(void)
{
	return !!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static inline void new_device(void)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	int sv[2];

	if (dev) {
		close(dev->tap_fd);
		close(peer);
		free(dev);
	}
	memset(mem, 0, MEM_SIZE);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	peer = sv[1];
	dev = calloc(1, sizeof(*dev));
	memset(&st, 0, sizeof(st));
	vnet_init(dev, sv[0], mac, &st);
	dev->mem.mem.base = mem;
	dev->mem.mem.size = MEM_SIZE;
	dev->mem.floor = FLOOR;
	dev->mem.hole[0] = (struct dev_hole){RO_START, RO_END, 1};
	dev->mem.nholes = 1;
}

/* ---- a driver ------------------------------------------------------ */
static inline uint64_t desc_at(unsigned q)
{
	return RINGS + q * 0x10000ull;
}
static inline uint64_t avail_at(unsigned q)
{
	return desc_at(q) + 0x1000;
}
static inline uint64_t used_at(unsigned q)
{
	return desc_at(q) + 0x2000;
}

static inline void negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK);
}

static inline void setup_queue_at(unsigned q, uint32_t num, uint64_t desc,
				  uint64_t avail, uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline void start(uint64_t features)
{
	new_device();
	negotiate(features);
	setup_queue_at(VNET_RXQ, QSIZE, desc_at(0), avail_at(0), used_at(0));
	setup_queue_at(VNET_TXQ, QSIZE, desc_at(1), avail_at(1), used_at(1));
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	       VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static inline struct vring_desc *desc(unsigned q, unsigned i)
{
	return (struct vring_desc *)(void *)(mem + desc_at(q) + 16 * i);
}
static inline uint16_t *avail_idx(unsigned q)
{
	return (uint16_t *)(void *)(mem + avail_at(q) + 2);
}
static inline uint16_t *avail_ring(unsigned q, unsigned i)
{
	return (uint16_t *)(void *)(mem + avail_at(q) + 4 + 2 * i);
}
static inline uint16_t used_idx(unsigned q)
{
	return *(uint16_t *)(void *)(mem + used_at(q) + 2);
}
static inline struct vring_used_elem used_elem(unsigned q, unsigned i)
{
	struct vring_used_elem e;
	memcpy(&e, mem + used_at(q) + 4 + 8 * i, sizeof(e));
	return e;
}
static inline uint16_t avail_event(unsigned q)
{
	return *(uint16_t *)(void *)(mem + used_at(q) + 4 + 8 * QSIZE);
}

static inline void set_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	*desc(q, i) = (struct vring_desc){addr, len, flags, next};
}

/* Make chain `head` available at the driver's next slot. */
static inline void offer(unsigned q, uint16_t head)
{
	uint16_t idx = *avail_idx(q);

	*avail_ring(q, idx % QSIZE) = head;
	*avail_idx(q) = (uint16_t)(idx + 1);
}

static inline void notify(unsigned q)
{
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static inline void rx_buffer(unsigned i, uint64_t addr, uint32_t len)
{
	set_desc(0, i, addr, len, VRING_DESC_F_WRITE, 0);
	offer(0, (uint16_t)i);
}

static inline void send_frame(size_t len, uint8_t fill)
{
	uint8_t f[4096];

	memset(f, 0, 12);
	memset(f + 12, fill, len);
	if (send(peer, f, 12 + len, 0) != (ssize_t)(12 + len))
		perror("send");
}

/* The fake guest memory; call once from main(). */
static inline int vdev_mem_init(void)
{
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	return 0;
}

#endif
