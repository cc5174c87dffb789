/*
 * The virtio-mmio transport (virtio 1.x, section 4.2, "modern" register
 * layout, Version 2), the driver's side: probing, the status handshake
 * of section 3.1.1, feature negotiation and queue setup. Every register
 * access is an exit (~29 us here), so initialisation does each step
 * once and nothing is read back that the spec does not ask for.
 */
#ifndef EMBER_NET_VIRTIO_MMIO_H
#define EMBER_NET_VIRTIO_MMIO_H

#include <stdint.h>

#include "virtq.h"

#define VIRTIO_ID_NET		1u
#define VIRTIO_F_VERSION_1	32
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_NET_F_MAC	5

struct vmmio {
	uintptr_t base;
	uint64_t features; /* negotiated */
	uint32_t status;   /* what we last wrote to Status */
};

/* Check magic, version 2 and device id at base; reset the device and
 * say ACKNOWLEDGE | DRIVER. 0 or -1 with one console line (prefixed
 * by what). */
int vmmio_probe(struct vmmio *d, uintptr_t base, uint32_t device_id,
		const char *what);

/* Offer wanted & what the device has; fail unless every bit of required
 * is accepted (FEATURES_OK read back). 0 or -1 with a console line. */
int vmmio_negotiate(struct vmmio *d, uint64_t wanted, uint64_t required,
		    const char *what);

/* Select queue idx; returns the largest size the device allows for it
 * (0: no such queue). */
uint16_t vmmio_queue_select(struct vmmio *d, uint16_t idx);

/* Give the selected queue its rings (q, set up by virtq_init) and mark
 * it ready. */
void vmmio_queue_enable(struct vmmio *d, const struct virtq *q);

/* DRIVER_OK: the device is live. */
void vmmio_driver_ok(struct vmmio *d);

/* Give up: FAILED, so the device stops using our memory. */
void vmmio_fail(struct vmmio *d);

/* Tell the device that queue idx has new available buffers. */
void vmmio_notify(struct vmmio *d, uint16_t idx);

/* One byte of the device configuration space (from offset 0x100). */
uint8_t vmmio_config8(struct vmmio *d, unsigned off);

#endif
