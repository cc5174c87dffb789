/*
 * Split virtqueues (virtio 1.x, section 2.7), the driver's side.
 *
 * The rings live in guest memory the device reads and writes (GPA == VA
 * in Ember images), so every field the device writes is read once,
 * through a volatile access, and checked before use. Descriptor ids are
 * the caller's business (virtio_net.c gives each buffer a fixed one);
 * this file only moves them through the avail and used rings and
 * decides when the device needs a notification.
 *
 * Plain C with compiler atomics, no inline asm: tests/unit builds it
 * natively (tests/unit/test_virtq_drv.c) against a simulated device.
 */
#ifndef EMBER_NET_VIRTQ_H
#define EMBER_NET_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT      1u
#define VIRTQ_DESC_F_WRITE     2u /* device writes the buffer (receive) */
#define VIRTQ_USED_F_NO_NOTIFY 1u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

struct virtq {
	uint16_t size; /* power of two */
	int event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx;  /* next avail entry we fill (published or not) */
	uint16_t kicked_idx; /* avail_idx when we last decided about a kick */
	uint16_t last_used;  /* next used entry we consume */
};

/* Bytes of guest memory for a queue of size entries: descriptor table,
 * avail ring and used ring, each aligned as section 2.7 requires. */
size_t virtq_mem_size(uint16_t size);

/* Lay the queue out in mem (virtq_mem_size bytes, 16-byte aligned,
 * zeroed here). size must be a power of two. */
void virtq_init(struct virtq *q, void *mem, uint16_t size, int event_idx);

/* Describe buffer id (< size) as one descriptor. */
void virtq_set_desc(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len,
		    uint16_t flags);

/* Put descriptor id in the avail ring; the device sees it after
 * virtq_publish. */
void virtq_push(struct virtq *q, uint16_t id);

/* Make pushed entries visible to the device (release order). */
void virtq_publish(struct virtq *q);

/* After virtq_publish: does the device want a notification for what
 * was published since the last call? Honours event-idx (avail_event)
 * or VIRTQ_USED_F_NO_NOTIFY. */
int virtq_need_kick(struct virtq *q);

/* Entries made available and not yet returned by the device. */
uint16_t virtq_in_flight(const struct virtq *q);

/* Has the device returned something we have not consumed? (One read
 * of used->idx: cheap enough for every pass of the scheduler.) */
int virtq_has_used(const struct virtq *q);

/* Take the next used entry: 1 with *id and *len, 0 if none, -1 if the
 * device returned an id out of range or more entries than are in
 * flight (the queue is broken; the caller stops using it). */
int virtq_pop_used(struct virtq *q, uint16_t *id, uint32_t *len);

/* Section 2.7.10: should the side that moved from old to new_idx
 * notify, given the other side asked to be told at event? */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx,
				   uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

#endif
