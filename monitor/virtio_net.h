/*
 * The virtio-net device: a virtio 1.x "modern" MMIO register window
 * (virtio_mmio.c) in front of two split virtqueues (virtq.c), queue 0
 * receive and queue 1 transmit, moving Ethernet frames to and from a tap
 * file descriptor (virtio_net.c).
 *
 * No interrupts: the guest learns about received frames by looking at
 * the RX used ring after an exit. The monitor moves frames on every
 * QueueNotify and in the block hypercall (net.c). Independent of struct
 * vm, so that tests can drive it over fake guest memory and a socketpair.
 *
 * A driver mistake or a hostile ring stops the device (status
 * DEVICE_NEEDS_RESET, one line on stderr); the VM goes on, and the
 * driver may reset the device (status 0) and start again.
 */
#ifndef EMBER_VIRTIO_NET_H
#define EMBER_VIRTIO_NET_H

#include <stdint.h>

#include "stats.h"
#include "virtq.h"

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_NQ	 2
/* Largest frame without offloads: Ethernet header, a VLAN tag, MTU. */
#define VNET_MTU       1500u
#define VNET_FRAME_MAX (14u + 4u + VNET_MTU)
#define VNET_HDR_LEN   12u	   /* struct virtio_net_hdr_v1 */
#define VNET_VENDOR_ID 0x52424d45u /* "EMBR" */

struct vnet {
	/* Transport (virtio_mmio.c). */
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t drv_features;
	uint32_t isr; /* InterruptStatus: VIRTIO_MMIO_INT_* */
	struct virtq q[VNET_NQ];
	/* Device (virtio_net.c). */
	int tap_fd;
	uint8_t mac[6];
	struct dev_mem mem;
	struct net_stats *st;
	char err[VIRTQ_ERR_LEN]; /* why the device stopped, for tests */
	unsigned stops;		 /* times stopped: lines after a few are cut */
	/* Scratch: the chain being worked on and a frame's overflow. */
	struct virtq_chain chain;
	uint8_t spill[65536];
};

/* Device features offered. */
uint64_t vnet_features(void);
/* Set up a device on tap_fd (non-blocking) with stats st. Memory comes
 * from vnet->mem, filled in by the caller before the driver starts. */
void vnet_init(struct vnet *d, int tap_fd, const uint8_t mac[6],
	       struct net_stats *st);

/* A guest access to offset off of the register window, of size 1, 2, 4
 * or 8 bytes. Reads return the value (0 for a refused access); an
 * access the device does not allow stops the device. Never ends the
 * VM. */
uint64_t vnet_mmio_read(struct vnet *d, uint64_t off, unsigned size);
void vnet_mmio_write(struct vnet *d, uint64_t off, unsigned size,
		     uint64_t value);

/* The driver set DRIVER_OK and the device has not failed. */
int vnet_live(const struct vnet *d);
/* Transmit every frame the driver has made available. */
void vnet_flush_tx(struct vnet *d);
/* Move frames from the tap into available receive buffers until one or
 * the other runs out; returns how many were delivered. */
unsigned vnet_fill_rx(struct vnet *d);
/* The receive queue has at least one buffer (worth waiting for the tap). */
int vnet_rx_has_buffers(struct vnet *d);

/* Tell the driver when to notify queue qi (event index or flags). */
void vnet_set_kick(struct vnet *d, unsigned qi);

/* Stop the device: DEVICE_NEEDS_RESET, one line (virtio_mmio.c). */
void vnet_fail(struct vnet *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Status 0: forget the driver's state (virtio_mmio.c). */
void vnet_reset(struct vnet *d);

#endif
