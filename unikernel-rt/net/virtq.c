/*
 * Split virtqueues, the driver's side (see virtq.h).
 *
 * Ordering: the device may run on another CPU (KVM with an I/O thread)
 * or, as in ember-vmm today, only while the vCPU is stopped in an exit.
 * Either way the rules are the spec's: ring entries before the index
 * that publishes them (release), the index before the entries it covers
 * (acquire), and a full barrier between publishing avail->idx and
 * reading avail_event, or a kick could be missed.
 */
#include <string.h>

#include "virtq.h"

#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((size_t)(a)-1))

static size_t avail_off(uint16_t size)
{
	return sizeof(struct virtq_desc) * size;
}

static size_t used_off(uint16_t size)
{
	/* flags, idx, ring[size], used_event */
	return ALIGN_UP(avail_off(size) + 6 + 2 * (size_t)size, 4);
}

size_t virtq_mem_size(uint16_t size)
{
	/* flags, idx, ring[size], avail_event */
	return used_off(size) + 6 + sizeof(struct virtq_used_elem) * size;
}

void virtq_init(struct virtq *q, void *mem, uint16_t size, int event_idx)
{
	unsigned char *base = mem;

	memset(mem, 0, virtq_mem_size(size));
	*q = (struct virtq){.size = size, .event_idx = event_idx};
	q->desc = (struct virtq_desc *)base;
	q->avail = (struct virtq_avail *)(base + avail_off(size));
	q->used = (struct virtq_used *)(base + used_off(size));
}

void virtq_set_desc(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len,
		    uint16_t flags)
{
	struct virtq_desc *d = &q->desc[id & (q->size - 1)];

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = 0;
}

void virtq_push(struct virtq *q, uint16_t id)
{
	q->avail->ring[q->avail_idx & (q->size - 1)] = id;
	q->avail_idx++;
}

void virtq_publish(struct virtq *q)
{
	/* No interrupts exist: tell the device where we are in the used
	 * ring anyway (used_event), as a correct driver does. */
	if (q->event_idx)
		__atomic_store_n(&q->avail->ring[q->size], q->last_used,
				 __ATOMIC_RELAXED);
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

int virtq_need_kick(struct virtq *q)
{
	uint16_t old = q->kicked_idx, now = q->avail_idx;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->kicked_idx = now;
	if (old == now)
		return 0;
	if (q->event_idx) {
		const struct virtq_used_elem *end = &q->used->ring[q->size];
		uint16_t event =
		    __atomic_load_n((const uint16_t *)end, __ATOMIC_RELAXED);
		return virtq_need_event(event, now, old);
	}
	return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) &
		 VIRTQ_USED_F_NO_NOTIFY);
}

uint16_t virtq_in_flight(const struct virtq *q)
{
	return (uint16_t)(q->avail_idx - q->last_used);
}

int virtq_has_used(const struct virtq *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_RELAXED) != q->last_used;
}

int virtq_pop_used(struct virtq *q, uint16_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);

	if (idx == q->last_used)
		return 0;
	/* The device cannot return more than we gave it. */
	if ((uint16_t)(idx - q->last_used) > virtq_in_flight(q))
		return -1;
	const struct virtq_used_elem *e =
	    &q->used->ring[q->last_used & (q->size - 1)];
	uint32_t eid = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	uint32_t elen = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	if (eid >= q->size)
		return -1;
	q->last_used++;
	*id = (uint16_t)eid;
	*len = elen;
	return 1;
}
