/*
 * The virtio-net device's data path: frames between the virtqueues and
 * the tap (see virtio_net.h).
 *
 * The tap is opened with IFF_VNET_HDR and a 12-byte header
 * (TUNSETVNETHDRSZ), the size of struct virtio_net_hdr_v1, so that one
 * readv()/writev() moves a header and a frame. The header itself is
 * always the monitor's, never the guest's: no offloads are negotiated,
 * so transmit headers are all zero whatever the guest wrote (the host
 * kernel never acts on guest checksum or segmentation requests), and
 * receive headers are rebuilt (num_buffers = 1, as section 5.1.6.4
 * requires without VIRTIO_NET_F_MRG_RXBUF).
 *
 * Hot path: one system call per frame, every available frame per call;
 * the used index is published once per batch.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio_net.h"

_Static_assert(sizeof(struct virtio_net_hdr_v1) == VNET_HDR_LEN,
	       "virtio-net v1 header");

/* Frames shorter than an Ethernet header are not frames. */
#define ETH_HDR_LEN 14u

uint64_t vnet_features(void)
{
	return (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_NET_F_MAC) |
	       (1ull << VIRTIO_RING_F_EVENT_IDX);
}

void vnet_init(struct vnet *d, int tap_fd, const uint8_t mac[6],
	       struct net_stats *st)
{
	vnet_reset(d);
	d->tap_fd = tap_fd;
	memcpy(d->mac, mac, 6);
	d->st = st;
	d->err[0] = '\0';
	d->stops = 0;
}

void vnet_set_kick(struct vnet *d, unsigned qi)
{
	struct virtq *q = &d->q[qi];
	uint16_t half = (uint16_t)(q->num > 1 ? q->num / 2 : 1);

	if (!q->ready)
		return;
	/* Receive: never. The monitor fills the receive queue on every
	 * exit that moves frames, so a kick for new buffers would be an
	 * exit for nothing; avail_event = last_avail + num is an entry the
	 * driver cannot reach before the device moves on. Transmit: when
	 * half a ring more is queued; the block hypercall flushes whatever
	 * is left before the guest waits. */
	if (qi == VNET_RXQ)
		virtq_set_kick(q, (uint16_t)(q->last_avail + q->num), 1);
	else
		virtq_set_kick(q, (uint16_t)(q->last_avail + half - 1), 0);
}

/* The queue, if the driver has it running. */
static struct virtq *live_queue(struct vnet *d, unsigned i)
{
	return vnet_live(d) && d->q[i].ready ? &d->q[i] : NULL;
}

/* One transmit chain to the tap. A frame the device cannot send (too
 * short or long, or the tap refuses it) is dropped, like on a wire; the
 * chain is returned to the driver either way. */
static void tx_one(struct vnet *d, const struct virtq_chain *c)
{
	static const struct virtio_net_hdr_v1 hdr; /* all zero */
	struct iovec iov[VIRTQ_MAX_SIZE + 1];
	uint64_t frame = c->len > VNET_HDR_LEN ? c->len - VNET_HDR_LEN : 0;
	unsigned n;
	ssize_t w;

	if (frame < ETH_HDR_LEN || frame > VNET_FRAME_MAX) {
		d->st->tx_dropped++;
		return;
	}
	iov[0].iov_base = (void *)&hdr;
	iov[0].iov_len = sizeof(hdr);
	n = iov_skip(c, VNET_HDR_LEN, iov + 1, VIRTQ_MAX_SIZE);
	do
		w = writev(d->tap_fd, iov, (int)n + 1);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		/* EAGAIN (tap queue full), EIO (link down): a lost frame. */
		d->st->tx_dropped++;
		return;
	}
	d->st->tx_packets++;
	d->st->tx_bytes += frame;
}

void vnet_flush_tx(struct vnet *d)
{
	struct virtq *q = live_queue(d, VNET_TXQ);
	char err[VIRTQ_ERR_LEN];
	int n;

	if (!q)
		return;
	n = virtq_pending(q, err);
	if (n < 0) {
		vnet_fail(d, "transmit queue: %s", err);
		return;
	}
	/* Bounded by the queue size: virtq_pending checked n <= num. */
	for (int i = 0; i < n; i++) {
		if (virtq_peek(q, &d->mem, 0, &d->chain, err) < 0) {
			vnet_fail(d, "transmit queue: %s", err);
			break;
		}
		tx_one(d, &d->chain);
		virtq_complete(q, d->chain.head, 0);
	}
	if (n > 0) {
		virtq_publish(q);
		d->isr |= VIRTIO_MMIO_INT_VRING;
	}
	vnet_set_kick(d, VNET_TXQ);
}

int vnet_rx_has_buffers(struct vnet *d)
{
	struct virtq *q = live_queue(d, VNET_RXQ);
	char err[VIRTQ_ERR_LEN];
	int n;

	if (!q)
		return 0;
	n = virtq_pending(q, err);
	if (n < 0) {
		vnet_fail(d, "receive queue: %s", err);
		return 0;
	}
	return n > 0;
}

/* The tap's header for a frame the device can pass on as it is. */
static int rx_header_ok(const struct virtio_net_hdr_v1 *h)
{
	return h->gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	       !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* Read one frame into the chain d->chain. Returns 1 delivered (*len =
 * bytes written including the header), 0 dropped (the chain stays
 * available), -1 nothing to read. */
static int rx_one(struct vnet *d, uint32_t *len)
{
	struct virtio_net_hdr_v1 hdr;
	struct iovec iov[VIRTQ_MAX_SIZE + 2];
	const struct virtq_chain *c = &d->chain;
	unsigned n;
	ssize_t r;
	uint64_t frame;

	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	n = 1 + iov_skip(c, VNET_HDR_LEN, iov + 1, VIRTQ_MAX_SIZE);
	/* A frame longer than the buffers spills here, so that it is
	 * recognised (and dropped) rather than silently cut short. */
	iov[n].iov_base = d->spill;
	iov[n].iov_len = sizeof(d->spill);
	do
		r = readv(d->tap_fd, iov, (int)n + 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1; /* EAGAIN: empty; anything else: try later */
	frame = (uint64_t)r > VNET_HDR_LEN ? (uint64_t)r - VNET_HDR_LEN : 0;
	if (frame < ETH_HDR_LEN || frame > c->len - VNET_HDR_LEN ||
	    !rx_header_ok(&hdr)) {
		d->st->rx_dropped++;
		return 0;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.num_buffers = 1;
	iov_copy_to(c->iov, c->n, &hdr, sizeof(hdr));
	*len = (uint32_t)(frame + VNET_HDR_LEN);
	d->st->rx_packets++;
	d->st->rx_bytes += frame;
	return 1;
}

unsigned vnet_fill_rx(struct vnet *d)
{
	struct virtq *q = live_queue(d, VNET_RXQ);
	char err[VIRTQ_ERR_LEN];
	unsigned delivered = 0, tries;
	int n;

	if (!q)
		return 0;
	n = virtq_pending(q, err);
	if (n < 0) {
		vnet_fail(d, "receive queue: %s", err);
		return 0;
	}
	/* Each try delivers a frame into a buffer or drops one; bounded
	 * even if the host keeps sending frames too big for the buffers. */
	for (tries = 0; delivered < (unsigned)n && tries < 2 * VIRTQ_MAX_SIZE;
	     tries++) {
		uint32_t len = 0;
		int r;

		if (virtq_peek(q, &d->mem, 1, &d->chain, err) < 0) {
			vnet_fail(d, "receive queue: %s", err);
			break;
		}
		if (d->chain.len < VNET_HDR_LEN) {
			vnet_fail(d,
				  "receive queue: a buffer of %llu bytes "
				  "cannot hold the %u-byte header",
				  (unsigned long long)d->chain.len,
				  VNET_HDR_LEN);
			break;
		}
		r = rx_one(d, &len);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		virtq_complete(q, d->chain.head, len);
		delivered++;
	}
	if (delivered) {
		virtq_publish(q);
		d->isr |= VIRTIO_MMIO_INT_VRING;
	}
	vnet_set_kick(d, VNET_RXQ);
	return delivered;
}
