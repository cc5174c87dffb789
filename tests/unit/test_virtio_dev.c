/*
 * Unit test of the monitor's virtio-net device (monitor/virtio_mmio.c,
 * monitor/virtio_net.c, monitor/virtq.c) driven directly by the driver in
 * vdev_driver.h: registers, feature negotiation, queue set-up validation,
 * transmit and receive, the event index, 16-bit index wrap-around, the
 * default MAC. Hostile rings are in test_virtio_hostile.c. Built with
 * ASan and UBSan.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "check.h"
#include "vdev_driver.h"

/* ---- tests --------------------------------------------------------- */
static void test_registers(void)
{
	new_device();
	check(rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976, "magic");
	check(rd(VIRTIO_MMIO_VERSION) == 2, "version 2 (modern)");
	check(rd(VIRTIO_MMIO_DEVICE_ID) == 1, "device id 1 (net)");
	check(rd(VIRTIO_MMIO_VENDOR_ID) == VNET_VENDOR_ID, "vendor id");
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	check(rd(VIRTIO_MMIO_DEVICE_FEATURES) == (uint32_t)feat_all(),
	      "features 0..31: MAC, EVENT_IDX");
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	check(rd(VIRTIO_MMIO_DEVICE_FEATURES) == 1, "features 32..63: V1");
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	check(rd(VIRTIO_MMIO_DEVICE_FEATURES) == 0, "features 64..: none");
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	check(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 256, "queue 0 max 256");
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	check(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 256, "queue 1 max 256");
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	check(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "no queue 2");
	check(rd(VIRTIO_MMIO_CONFIG_GENERATION) == 0, "config generation");
	check(vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG, 1) == 0x02, "mac[0]");
	check(vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG + 5, 1) == 0x55, "mac[5]");
	check(vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG, 4) == 0x33221102,
	      "mac[0..3] as a word");
	check(vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG + 4, 2) == 0x5544,
	      "mac[4..5] as a half word");
	check(vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG + 6, 2) == 0,
	      "past the mac: 0");
	check(rd(0x0e0) == 0, "undefined register reads 0");
	check(!stopped(), "reads do not stop the device");
	check(st.mmio_reads > 10 && st.mmio_writes == 6, "access counts");
}

static void test_bad_accesses(void)
{
	new_device();
	vnet_mmio_read(dev, VIRTIO_MMIO_STATUS, 2);
	check(stopped(), "16-bit register read stops the device");
	check(strstr(dev->err, "2 bytes") != NULL, "and says so: %s", dev->err);
	new_device();
	vnet_mmio_read(dev, VIRTIO_MMIO_STATUS + 1, 4);
	check(stopped(), "misaligned register read stops the device");
	new_device();
	vnet_mmio_read(dev, VIRTIO_MMIO_CONFIG + 1, 2);
	check(stopped(), "misaligned config read stops the device");
	new_device();
	vnet_mmio_read(dev, 0xffe, 4);
	check(stopped(), "a read past the window stops the device");
	new_device();
	vnet_mmio_read(dev, 0x1000, 1);
	check(stopped(), "offset beyond the window stops the device");
	new_device();
	vnet_mmio_read(dev, UINT64_MAX - 1, 4);
	check(stopped(), "a huge offset stops the device, no overflow");
	new_device();
	vnet_mmio_write(dev, VIRTIO_MMIO_CONFIG, 1, 0x12);
	check(stopped() && dev->mac[0] == 0x02, "config is read-only");
	new_device();
	wr(VIRTIO_MMIO_MAGIC_VALUE, 1);
	check(stopped(), "write to a read-only register stops the device");
	new_device();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_NEEDS_RESET);
	check(stopped() && strstr(dev->err, "only the device"),
	      "the driver cannot set NEEDS_RESET itself");
	/* A stopped device still resets. */
	wr(VIRTIO_MMIO_STATUS, 0);
	check(rd(VIRTIO_MMIO_STATUS) == 0, "status 0 resets");
}

static void test_features(void)
{
	new_device();
	negotiate(1ull << VIRTIO_NET_F_MAC);
	check(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK),
	      "FEATURES_OK refused without VERSION_1");
	new_device();
	negotiate(feat_all() | (1ull << VIRTIO_NET_F_CSUM));
	check(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK),
	      "FEATURES_OK refused with a feature not offered");
	new_device();
	negotiate(1ull << VIRTIO_F_VERSION_1);
	check(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK,
	      "VERSION_1 alone is accepted");
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	check(stopped(), "features changed after FEATURES_OK stop it");
	new_device();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_DRIVER_OK);
	check(stopped(), "DRIVER_OK without FEATURES_OK stops it");
	new_device();
	negotiate(feat_all());
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	check(stopped(), "clearing status bits without reset stops it");
	start(feat_all());
	check(vnet_live(dev), "full handshake: live");
	wr(VIRTIO_MMIO_STATUS, 0);
	check(!vnet_live(dev) && rd(VIRTIO_MMIO_QUEUE_READY) == 0,
	      "reset: not live, queues gone");
}

/* One queue set-up that must be refused. */
static void bad_queue(const char *what, uint32_t num, uint64_t d, uint64_t a,
		      uint64_t u)
{
	new_device();
	negotiate(feat_all());
	setup_queue_at(VNET_TXQ, num, d, a, u);
	check(stopped(), "queue set-up refused: %s", what);
	check(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "and not ready: %s", what);
}

static void test_queue_setup(void)
{
	uint64_t d = desc_at(1), a = avail_at(1), u = used_at(1);

	bad_queue("size 0", 0, d, a, u);
	bad_queue("size 3", 3, d, a, u);
	bad_queue("size 512", 512, d, a, u);
	bad_queue("size 2^31", 1u << 31, d, a, u);
	bad_queue("misaligned descriptors", 8, d + 8, a, u);
	bad_queue("misaligned avail", 8, d, a + 1, u);
	bad_queue("misaligned used", 8, d, a, u + 2);
	bad_queue("descriptors past memory", 8, MEM_SIZE - 64, a, u);
	bad_queue("descriptors wrap around", 8, UINT64_MAX - 15, a, u);
	bad_queue("avail below the floor", 8, d, 0x1000, u);
	bad_queue("used in a read-only segment", 8, d, a, RO_START);
	bad_queue("used overlapping memory's end", 8, d, a, MEM_SIZE - 8);
	/* Read-only memory is fine for what the device only reads. */
	new_device();
	negotiate(feat_all());
	setup_queue_at(VNET_TXQ, 8, RO_START, RO_START + 0x1000, u);
	check(!stopped() && rd(VIRTIO_MMIO_QUEUE_READY) == 1,
	      "descriptors and avail in read-only memory are fine");
	/* Queue before FEATURES_OK. */
	new_device();
	setup_queue_at(VNET_TXQ, 8, d, a, u);
	check(stopped(), "queue enabled before FEATURES_OK");
	/* Changing a ready queue. */
	start(feat_all());
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	check(stopped(), "changing a ready queue stops the device");
	/* Queue 2 does not exist. */
	new_device();
	negotiate(feat_all());
	setup_queue_at(2, 8, d, a, u);
	check(stopped(), "queue 2 does not exist");
	start(feat_all());
	notify(5);
	check(stopped(), "notify of queue 5");
}

/* Transmit: two frames, one with its header split over two buffers. */
static void test_tx(void)
{
	uint8_t buf[2048];
	struct virtio_net_hdr_v1 *h = (void *)(mem + BUFS);
	ssize_t n;

	start(feat_all());
	/* Frame 1: header and 60-byte frame in one buffer; the guest's
	 * header asks for checksum offload, which must not reach the tap. */
	memset(mem + BUFS, 0xab, 12 + 60);
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	set_desc(1, 0, BUFS, 12 + 60, 0, 0);
	offer(1, 0);
	/* Frame 2: 5 bytes of header, 7 of header + 20 of frame, 80 more. */
	memset(mem + BUFS + 0x1000, 0, 12);
	memset(mem + BUFS + 0x1000 + 12, 0xcd, 100);
	set_desc(1, 3, BUFS + 0x1000, 5, VRING_DESC_F_NEXT, 5);
	set_desc(1, 5, BUFS + 0x1000 + 5, 27, VRING_DESC_F_NEXT, 6);
	set_desc(1, 6, BUFS + 0x1000 + 32, 80, 0, 0);
	offer(1, 3);
	notify(1);
	check(!stopped(), "tx: running");
	check(used_idx(1) == 2, "tx: both chains used (%u)", used_idx(1));
	check(used_elem(1, 0).id == 0 && used_elem(1, 1).id == 3,
	      "tx: used ids in order");
	check(used_elem(1, 0).len == 0, "tx: used len 0 (nothing written)");
	n = recv(peer, buf, sizeof(buf), 0);
	check(n == 12 + 60, "tx frame 1 length %zd", n);
	check(buf[0] == 0 && buf[1] == 0 && buf[12] == 0xab && buf[71] == 0xab,
	      "tx frame 1: zero header, guest's frame");
	n = recv(peer, buf, sizeof(buf), 0);
	check(n == 12 + 100 && buf[12] == 0xcd && buf[111] == 0xcd,
	      "tx frame 2 gathered from 3 buffers (%zd)", n);
	check(st.tx_packets == 2 && st.tx_bytes == 160, "tx stats");
	check(avail_event(1) == (uint16_t)(2 + QSIZE / 2 - 1),
	      "tx avail_event: kick at half a ring (%u)", avail_event(1));
	/* Runts and giants are dropped, the chains still returned. */
	set_desc(1, 0, BUFS, 12 + 10, 0, 0);
	offer(1, 0);
	set_desc(1, 1, BUFS, 12 + VNET_FRAME_MAX + 1, 0, 0);
	offer(1, 1);
	notify(1);
	check(!stopped() && used_idx(1) == 4 && st.tx_dropped == 2,
	      "tx: runt and giant dropped, chains returned");
	check(recv(peer, buf, sizeof(buf), 0) < 0, "tx: nothing sent");
	check(st.notifies == 2, "notifies counted");
}

static void test_rx(void)
{
	struct virtio_net_hdr_v1 h;

	start(feat_all());
	check(!vnet_rx_has_buffers(dev), "rx: no buffers yet");
	check(vnet_fill_rx(dev) == 0, "rx: nothing to fill");
	send_frame(60, 1);
	send_frame(1514, 2);
	send_frame(100, 3);
	rx_buffer(0, BUFS, 1526);
	/* Buffer 1: the header split over two descriptors. */
	set_desc(0, 1, BUFS + 0x1000, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		 2);
	set_desc(0, 2, BUFS + 0x1004, 1522, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	check(vnet_rx_has_buffers(dev), "rx: buffers");
	check(vnet_fill_rx(dev) == 2, "rx: two frames delivered");
	check(used_idx(0) == 2, "rx: used idx 2");
	check(used_elem(0, 0).id == 0 && used_elem(0, 0).len == 12 + 60,
	      "rx: first used entry (%u)", used_elem(0, 0).len);
	check(used_elem(0, 1).id == 1 && used_elem(0, 1).len == 12 + 1514,
	      "rx: second used entry");
	memcpy(&h, mem + BUFS, 12);
	check(h.num_buffers == 1 && h.flags == 0 && h.gso_type == 0,
	      "rx: header num_buffers 1");
	memcpy(&h, mem + BUFS + 0x1000, 12);
	check(h.num_buffers == 1, "rx: split header written across buffers");
	check(mem[BUFS + 12] == 1 && mem[BUFS + 0x1000 + 12] == 2 &&
		  mem[BUFS + 0x1000 + 12 + 1513] == 2,
	      "rx: frame bytes");
	check(st.rx_packets == 2 && st.rx_bytes == 1574, "rx stats");
	check(avail_event(0) == (uint16_t)(2 + QSIZE), "rx: no kicks wanted");
	/* Oversized for the next buffer: dropped, buffer kept for the next
	 * frame. */
	send_frame(500, 4);
	send_frame(50, 5);
	rx_buffer(3, BUFS + 0x2000, 12 + 100);
	rx_buffer(4, BUFS + 0x3000, 12 + 100);
	check(vnet_fill_rx(dev) == 2, "rx: frames 3 and 5 delivered (%u)",
	      used_idx(0));
	check(st.rx_dropped == 1, "rx: the 500-byte frame was dropped");
	check(used_elem(0, 2).len == 12 + 100 && mem[BUFS + 0x2000 + 12] == 3,
	      "rx: frame 3 in buffer 3");
	check(used_elem(0, 3).id == 4 && used_elem(0, 3).len == 12 + 50 &&
		  mem[BUFS + 0x3000 + 12] == 5,
	      "rx: the buffer after the drop went to the next frame");
	check(!stopped(), "rx: running");
}

/* A transmit ring the driver broke in some way must stop the device and
 * send nothing. */
static void test_wrap(void)
{
	uint8_t buf[128];
	unsigned sent = 0;

	start(feat_all());
	memset(mem + BUFS, 0, 12 + 60);
	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(1, i, BUFS, 12 + 60, 0, 0);
	while (sent < 70000) {
		for (unsigned i = 0; i < QSIZE; i++)
			offer(1, (uint16_t)i);
		sent += QSIZE;
		notify(1);
		while (recv(peer, buf, sizeof(buf), 0) > 0)
			;
	}
	check(!stopped(), "wrap: running after %u frames", sent);
	check(used_idx(1) == (uint16_t)sent && *avail_idx(1) == used_idx(1),
	      "wrap: used idx %u follows avail idx %u", used_idx(1),
	      *avail_idx(1));
	check(st.tx_packets + st.tx_dropped == sent, "wrap: every frame");
}

/* Without EVENT_IDX: RX kicks are switched off with NO_NOTIFY. */
static void test_no_event_idx(void)
{
	start(1ull << VIRTIO_F_VERSION_1);
	check(vnet_live(dev), "no event idx: live");
	check(*(uint16_t *)(void *)(mem + used_at(0)) == VRING_USED_F_NO_NOTIFY,
	      "no event idx: RX NO_NOTIFY");
	check(*(uint16_t *)(void *)(mem + used_at(1)) == 0,
	      "no event idx: TX kicks on");
}

/* --net's default MAC: stable per tap name, locally administered
 * unicast, different for different names. */
static void test_default_mac(void)
{
	uint8_t a[6], b[6], c[6];

	net_default_mac("tap0", a);
	net_default_mac("tap0", b);
	net_default_mac("tap1", c);
	check(memcmp(a, b, 6) == 0, "default MAC is stable");
	check(memcmp(a, c, 6) != 0, "default MAC differs per tap");
	check((a[0] & 3) == 2 && (c[0] & 3) == 2,
	      "default MAC is locally administered unicast");
}

int main(void)
{
	if (vdev_mem_init() < 0)
		return 1;
	test_registers();
	test_bad_accesses();
	test_features();
	test_queue_setup();
	test_tx();
	test_rx();
	test_wrap();
	test_no_event_idx();
	test_default_mac();
	return check_summary("test_virtio_dev");
}
