/*
 * The virtio-net driver (virtio_net.c): one device, queue 0 receive,
 * queue 1 transmit, a 12-byte virtio_net_hdr_v1 in front of every frame,
 * no offloads. Buffers are the driver's own (2 KiB each, one descriptor
 * per frame, descriptor id == buffer index): received frames are copied
 * out into pbufs and the buffer goes straight back to the ring, frames
 * to send are copied in. A 1.5 KB copy costs far less than an exit.
 *
 * Notifications: receive never needs one (the monitor fills the receive
 * ring on every exit that moves frames); transmit kicks only when the
 * device asks (event-idx) or the ring is full. The block hypercall
 * flushes transmit before the guest waits, so a request/response
 * exchange costs one exit.
 */
#ifndef EMBER_NET_VNET_H
#define EMBER_NET_VNET_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"

#define VNET_FRAME_MAX 1514u /* Ethernet header + 1500 (no VLAN tags) */

/* Find and start the device from the boot info. 0, or -1 after one
 * console line (the image then runs without the device). */
int vnet_init(const struct ember_net_config *cfg);
const uint8_t *vnet_mac(void);

/* Room for one frame of up to VNET_FRAME_MAX bytes, or NULL when the
 * transmit ring is full even after a kick (the frame is dropped, as a
 * busy NIC would; TCP retransmits). */
void *vnet_tx_buf(void);
/* Queue the frame written into the last vnet_tx_buf() (len bytes). */
void vnet_tx_send(size_t len);
/* Frames queued since the last exit that flushed them. */
unsigned vnet_tx_unflushed(void);
/* Monotonic ns when the oldest unflushed frame was queued. */
uint64_t vnet_tx_oldest_ns(void);
/* An exit flushed the transmit ring (block hypercall): forget them. */
void vnet_tx_flushed(void);
/* Kick the transmit queue now. */
void vnet_tx_kick(void);

/* Has the device filled receive buffers we have not looked at? */
int vnet_rx_ready(void);
/* Hand every received frame to deliver(), then give the buffers back.
 * Returns the number of frames. */
unsigned vnet_rx(void (*deliver)(const void *frame, size_t len));

#endif
