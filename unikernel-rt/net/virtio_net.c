/*
 * The virtio-net driver (see vnet.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rt.h"
#include "virtio_mmio.h"
#include "virtq.h"
#include "vnet.h"

#define RXQ	 0u
#define TXQ	 1u
#define QSIZE	 256u  /* at most; less if the device says so */
#define HDR_LEN	 12u   /* struct virtio_net_hdr_v1 */
#define BUF_SIZE 2048u /* HDR_LEN + VNET_FRAME_MAX, rounded up */
#define WHAT	 "virtio-net"

static struct vmmio dev;
static struct virtq rxq, txq;
static unsigned char *rx_bufs, *tx_bufs;
static uint16_t tx_free[QSIZE], tx_nfree;
static uint8_t mac[6];
static int broken;
static unsigned tx_unflushed;
static uint64_t tx_oldest_ns;

static unsigned char *buf(unsigned char *bufs, uint16_t id)
{
	return bufs + (size_t)id * BUF_SIZE;
}

/* The device broke the ring protocol: stop using it (one line). */
static void stop(const char *why)
{
	char line[160];

	if (broken)
		return;
	broken = 1;
	snprintf(line, sizeof(line),
		 "ember: %s: %s; the network is down from now on\n", WHAT, why);
	ember_console_puts(line);
	vmmio_fail(&dev);
}

/* Select queue idx, give it rings and buffers (min(QSIZE, the device's
 * maximum), a power of two) and make it ready. Buffers are not touched
 * here: fresh pages cost ~5 us each at first touch, the device fills
 * receive buffers itself and vnet_tx_send writes each header. */
static int setup_queue(uint16_t idx, struct virtq *q, unsigned char **bufs)
{
	uint16_t max = vmmio_queue_select(&dev, idx), size = QSIZE;

	while (size > max)
		size /= 2;
	if (size < 2) {
		ember_console_puts("ember: " WHAT ": the device has no usable "
				   "queues\n");
		return -1;
	}
	size_t ring = (virtq_mem_size(size) + 4095) & ~(size_t)4095;
	void *mem = aligned_alloc(4096, ring);
	*bufs = aligned_alloc(4096, (size_t)size * BUF_SIZE);
	if (!mem || !*bufs) {
		ember_console_puts("ember: " WHAT ": out of memory for the "
				   "rings: give the VM more --mem\n");
		return -1;
	}
	virtq_init(q, mem, size,
		   !!(dev.features & (1ull << VIRTIO_RING_F_EVENT_IDX)));
	if (q == &rxq) {
		for (uint16_t id = 0; id < size; id++) {
			virtq_set_desc(q, id, (uintptr_t)buf(*bufs, id),
				       BUF_SIZE, VIRTQ_DESC_F_WRITE);
			virtq_push(q, id);
		}
		virtq_publish(q);
	} else {
		for (uint16_t id = 0; id < size; id++)
			tx_free[tx_nfree++] = (uint16_t)(size - 1 - id);
	}
	vmmio_queue_enable(&dev, q);
	return 0;
}

static int mac_is_zero(const uint8_t m[6])
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

int vnet_init(const struct ember_net_config *cfg)
{
	const uint64_t need = 1ull << VIRTIO_F_VERSION_1;
	const uint64_t want =
	    need | 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_RING_F_EVENT_IDX;

	if (vmmio_probe(&dev, (uintptr_t)cfg->mmio_base, VIRTIO_ID_NET, WHAT) ||
	    vmmio_negotiate(&dev, want, need, WHAT))
		return -1;
	if (setup_queue(RXQ, &rxq, &rx_bufs) ||
	    setup_queue(TXQ, &txq, &tx_bufs)) {
		vmmio_fail(&dev);
		return -1;
	}
	/* The boot info carries the device's MAC (abi.h): six config
	 * space reads, six exits, only when it does not. */
	if (mac_is_zero(cfg->mac) &&
	    (dev.features & (1ull << VIRTIO_NET_F_MAC)))
		for (unsigned i = 0; i < 6; i++)
			mac[i] = vmmio_config8(&dev, i);
	else
		memcpy(mac, cfg->mac, 6);
	vmmio_driver_ok(&dev);
	return 0;
}

const uint8_t *vnet_mac(void)
{
	return mac;
}

/* Take back the transmit buffers the device is done with. */
static void tx_reclaim(void)
{
	uint16_t id;
	uint32_t len;
	int r;

	while ((r = virtq_pop_used(&txq, &id, &len)) > 0)
		tx_free[tx_nfree++] = id;
	if (r < 0)
		stop("the device returned a bad transmit buffer");
}

void *vnet_tx_buf(void)
{
	if (broken)
		return NULL;
	if (!tx_nfree)
		tx_reclaim();
	if (!tx_nfree) {
		/* Full: the device drains the whole ring on a notify. */
		vnet_tx_kick();
		tx_reclaim();
	}
	if (!tx_nfree)
		return NULL;
	return buf(tx_bufs, tx_free[tx_nfree - 1]) + HDR_LEN;
}

void vnet_tx_send(size_t len)
{
	uint16_t id = tx_free[--tx_nfree];

	unsigned char *b = buf(tx_bufs, id);

	memset(b, 0, HDR_LEN); /* no offloads: an all-zero header */
	virtq_set_desc(&txq, id, (uintptr_t)b, (uint32_t)(HDR_LEN + len), 0);
	virtq_push(&txq, id);
	virtq_publish(&txq);
	if (!tx_unflushed++)
		tx_oldest_ns = ember_monotonic_ns();
	if (virtq_need_kick(&txq))
		vnet_tx_kick();
}

unsigned vnet_tx_unflushed(void)
{
	return tx_unflushed;
}

uint64_t vnet_tx_oldest_ns(void)
{
	return tx_oldest_ns;
}

void vnet_tx_flushed(void)
{
	tx_unflushed = 0;
	txq.kicked_idx = txq.avail_idx; /* the exit told the device */
}

void vnet_tx_kick(void)
{
	if (broken)
		return;
	vmmio_notify(&dev, TXQ);
	vnet_tx_flushed();
}

int vnet_rx_ready(void)
{
	return !broken && rx_bufs && virtq_has_used(&rxq);
}

unsigned vnet_rx(void (*deliver)(const void *frame, size_t len))
{
	unsigned n = 0;
	uint16_t id;
	uint32_t len;
	int r;

	if (broken || !rx_bufs)
		return 0;
	while ((r = virtq_pop_used(&rxq, &id, &len)) > 0) {
		if (len > HDR_LEN && len <= BUF_SIZE) /* what we posted */
			deliver(buf(rx_bufs, id) + HDR_LEN, len - HDR_LEN);
		virtq_push(&rxq, id); /* straight back to the device */
		n++;
	}
	if (r < 0)
		stop("the device returned a bad receive buffer");
	if (n)
		virtq_publish(&rxq);
	return n;
}
