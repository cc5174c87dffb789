/*
 * Split virtqueues (virtio 1.x, section 2.7) as the device sees them.
 *
 * The driver is the guest: every ring address, index, descriptor address,
 * length, flag and next field is hostile. Each is read once from guest
 * memory into a local, then validated before use: indices against the
 * queue size, buffers against what the device may touch (struct dev_mem,
 * overflow-safe), chains bounded by the queue size (so a loop ends as an
 * error, not a hang). A problem is reported as -1 with one line in err;
 * the caller stops the device.
 */
#ifndef EMBER_VIRTQ_H
#define EMBER_VIRTQ_H

#include <stdint.h>
#include <sys/uio.h>

#include "guest_mem.h"

#define VIRTQ_MAX_SIZE 256u
#define VIRTQ_ERR_LEN  200u

/* Guest memory as a device may use it: nothing below floor (the monitor's
 * tables and the boot info), and the holes (stack guard, read-only and
 * executable image segments) only as far as they allow. Without this, a
 * guest could make the device write where the guest itself may not,
 * e.g. into its own page tables on KVM. */
#define DEV_MEM_MAX_HOLES 20u
struct dev_hole {
	uint64_t start, end;
	int readable; /* the device may read it (never write) */
};
struct dev_mem {
	struct guest_mem mem;
	uint64_t floor;
	struct dev_hole hole[DEV_MEM_MAX_HOLES];
	unsigned nholes;
};

/* Host pointer to [gpa, gpa + len) if the device may read it (write = 0)
 * or write it (write = 1), else NULL. len 0 is checked like len 1. */
void *dev_mem_ptr(const struct dev_mem *m, uint64_t gpa, uint64_t len,
		  int write);

struct virtq {
	/* Set by the driver through the transport while not ready. */
	uint32_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	int ready;
	/* Device state, valid while ready. */
	uint8_t *desc, *avail, *used; /* validated host pointers */
	uint16_t last_avail;	      /* next avail entry to take */
	uint16_t used_idx;	      /* next used entry to fill */
	int event_idx;		      /* VIRTIO_RING_F_EVENT_IDX in use */
};

/* One descriptor chain, resolved to host buffers (zero-length
 * descriptors dropped). */
struct virtq_chain {
	uint16_t head;
	unsigned n;
	uint64_t len; /* sum of the lengths: at most 256 * 4 GiB, no overflow */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

/* QueueReady = 1: check size (power of 2, 1..VIRTQ_MAX_SIZE), alignment
 * and that the rings lie in memory the device may use; reset the
 * indices. 0 or -1 with err. */
int virtq_enable(struct virtq *q, const struct dev_mem *m, int event_idx,
		 char err[VIRTQ_ERR_LEN]);
/* Forget everything (device reset, QueueReady = 0 keeps the config). */
void virtq_reset(struct virtq *q);

/* Chains the driver has made available and the device not yet taken:
 * 0..num, or -1 with err if the driver's index is more than num ahead. */
int virtq_pending(struct virtq *q, char err[VIRTQ_ERR_LEN]);

/* Resolve the next available chain (there must be one: virtq_pending)
 * without taking it. writable: every descriptor must be device-writable
 * (RX) or every one device-readable (TX). 0 or -1 with err. */
int virtq_peek(const struct virtq *q, const struct dev_mem *m, int writable,
	       struct virtq_chain *c, char err[VIRTQ_ERR_LEN]);
/* Take the chain virtq_peek returned, and put it in the used ring with
 * len bytes written by the device. Visible to the driver after
 * virtq_publish. */
void virtq_complete(struct virtq *q, uint16_t head, uint32_t len);
/* Make the used entries visible (used->idx, release order). */
void virtq_publish(struct virtq *q);
/* With event_idx: the driver notifies when it makes available the entry
 * with index `event` (used->avail_event). Without: set or clear
 * VIRTQ_USED_F_NO_NOTIFY. */
void virtq_set_kick(struct virtq *q, uint16_t event, int no_notify);

/* Copy len bytes between buf and the start of the chain's buffers. */
void iov_copy_to(const struct iovec *iov, unsigned n, const void *buf,
		 uint64_t len);
/* iov[] after skipping the first skip bytes of c, into out (at most
 * max entries); returns the count. */
unsigned iov_skip(const struct virtq_chain *c, uint64_t skip, struct iovec *out,
		  unsigned max);

#endif
