/*
 * Hostile rings against the monitor's virtio-net device: descriptor
 * loops, chains longer than the queue, indices and addresses out of
 * range, lengths that overflow, buffers in memory the device may not
 * touch, the wrong direction, indirect descriptors, an available index
 * too far ahead. Each must stop the device (DEVICE_NEEDS_RESET, with a
 * reason) without sending or writing anything and without hanging; a
 * reset brings it back. Built with ASan and UBSan, so an access outside
 * the fake guest memory fails the test.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "check.h"
#include "vdev_driver.h"

static void hostile_tx(const char *what)
{
	uint8_t buf[64];

	notify(1);
	check(stopped(), "hostile: %s stops the device", what);
	check(recv(peer, buf, sizeof(buf), 0) < 0, "hostile: %s sent nothing",
	      what);
	check(strlen(dev->err) > 0, "hostile: %s has a reason", what);
}

static void test_hostile(void)
{
	start(feat_all());
	set_desc(1, 0, BUFS, 40, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, BUFS, 40, VRING_DESC_F_NEXT, 0);
	offer(1, 0);
	hostile_tx("a descriptor loop");

	start(feat_all());
	set_desc(1, 2, BUFS, 40, VRING_DESC_F_NEXT, 2);
	offer(1, 2);
	hostile_tx("a self loop");

	start(feat_all());
	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(1, i, BUFS, 10, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	offer(1, 0);
	hostile_tx("a chain longer than the queue");

	start(feat_all());
	set_desc(1, 0, BUFS, 40, VRING_DESC_F_NEXT, 300);
	offer(1, 0);
	hostile_tx("next out of range");

	start(feat_all());
	offer(1, 999);
	hostile_tx("head out of range");

	start(feat_all());
	set_desc(1, 0, MEM_SIZE - 10, 100, 0, 0);
	offer(1, 0);
	hostile_tx("a buffer past memory");

	start(feat_all());
	set_desc(1, 0, UINT64_MAX - 5, 100, 0, 0);
	offer(1, 0);
	hostile_tx("address + length wrapping around");

	start(feat_all());
	set_desc(1, 0, BUFS, 0xffffffffu, 0, 0);
	offer(1, 0);
	hostile_tx("a 4 GiB length");

	start(feat_all());
	set_desc(1, 0, 0x1000, 100, 0, 0);
	offer(1, 0);
	hostile_tx("a buffer in the monitor's tables");

	start(feat_all());
	set_desc(1, 0, BUFS, 100, VRING_DESC_F_WRITE, 0);
	offer(1, 0);
	hostile_tx("a device-writable buffer in TX");

	start(feat_all());
	set_desc(1, 0, BUFS, 16, VRING_DESC_F_INDIRECT, 0);
	offer(1, 0);
	hostile_tx("an indirect descriptor");

	start(feat_all());
	*avail_idx(1) = QSIZE + 1;
	hostile_tx("avail idx more than a queue ahead");

	start(feat_all());
	*avail_idx(1) = 0xffff;
	hostile_tx("avail idx behind the device");

	/* Receive side. */
	start(feat_all());
	set_desc(0, 0, BUFS, 2000, 0, 0);
	offer(0, 0);
	send_frame(60, 1);
	check(vnet_fill_rx(dev) == 0 && stopped(),
	      "hostile: device-readable RX buffer stops the device");

	start(feat_all());
	rx_buffer(0, RO_START, 2000);
	send_frame(60, 1);
	check(vnet_fill_rx(dev) == 0 && stopped() && mem[RO_START + 12] == 0,
	      "hostile: RX into read-only memory refused, nothing written");

	start(feat_all());
	rx_buffer(0, BUFS, 8);
	send_frame(60, 1);
	check(vnet_fill_rx(dev) == 0 && stopped(),
	      "hostile: RX buffer smaller than the header");

	start(feat_all());
	rx_buffer(0, MEM_SIZE - 100, 2000);
	send_frame(60, 1);
	check(vnet_fill_rx(dev) == 0 && stopped(),
	      "hostile: RX buffer past memory");

	/* A stopped device does nothing until reset, then works again. */
	notify(1);
	check(stopped() && st.tx_packets == 0, "stopped: notify ignored");
	wr(VIRTIO_MMIO_STATUS, 0);
	check(!stopped(), "reset clears NEEDS_RESET");
	memset(mem + RINGS, 0, 0x20000); /* the driver starts afresh */
	negotiate(feat_all());
	setup_queue_at(VNET_RXQ, QSIZE, desc_at(0), avail_at(0), used_at(0));
	setup_queue_at(VNET_TXQ, QSIZE, desc_at(1), avail_at(1), used_at(1));
	wr(VIRTIO_MMIO_STATUS, 0xf);
	memset(mem + BUFS, 0, 12 + 60);
	set_desc(1, 0, BUFS, 12 + 60, 0, 0);
	offer(1, 0);
	notify(1);
	check(!stopped() && st.tx_packets == 1, "after reset: transmits");

	/* Break, reset, break...: every stop is one, the device survives
	 * (and stderr gets a few lines, not thousands). */
	for (int i = 0; i < 1000; i++) {
		wr(VIRTIO_MMIO_STATUS, 0);
		wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	}
	check(stopped() && dev->stops == 1001, "1000 more stops (%u)",
	      dev->stops);
}

/* 70000 frames through an 8-entry ring: the 16-bit indices wrap. */

int main(void)
{
	if (vdev_mem_init() < 0)
		return 1;
	test_hostile();
	return check_summary("test_virtio_hostile");
}
