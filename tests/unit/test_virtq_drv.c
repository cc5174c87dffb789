/*
 * Unit tests for unikernel-rt/net/virtq.c, the guest driver's side of a
 * split virtqueue, run natively against a small simulated device that
 * reads the avail ring and fills the used ring the way ember-vmm does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/virtq.h"

#include "check.h"

/* The simulated device: where it is in the avail ring, and where it
 * writes in the used ring. */
struct dev {
	struct virtq *q;
	uint16_t last_avail, used_idx;
};

static uint16_t *avail_event(struct virtq *q)
{
	return (uint16_t *)&q->used->ring[q->size];
}

/* Take the next available id, as a device does; -1 if none. */
static int dev_take(struct dev *d)
{
	if (d->last_avail == d->q->avail->idx)
		return -1;
	return d->q->avail->ring[d->last_avail++ & (d->q->size - 1)];
}

static void dev_complete(struct dev *d, uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e =
	    &d->q->used->ring[d->used_idx & (d->q->size - 1)];

	e->id = id;
	e->len = len;
	d->used_idx++;
	d->q->used->idx = d->used_idx;
}

static struct virtq *new_queue(uint16_t size, int event_idx, void **mem)
{
	static struct virtq q;

	*mem = aligned_alloc(16, (virtq_mem_size(size) + 15) & ~(size_t)15);
	memset(*mem, 0xa5, virtq_mem_size(size)); /* init must clear it */
	virtq_init(&q, *mem, size, event_idx);
	return &q;
}

static void test_layout(void)
{
	void *mem;
	struct virtq *q = new_queue(256, 1, &mem);
	uintptr_t base = (uintptr_t)mem;

	/* 16 * 256 descriptors, 6 + 2 * 256 avail, used aligned to 4 */
	CHECK(virtq_mem_size(256) == 4616 + 6 + 8 * 256);
	CHECK((uintptr_t)q->desc == base);
	CHECK((uintptr_t)q->avail == base + 4096);
	CHECK((uintptr_t)q->used == base + 4616);
	CHECK((uintptr_t)q->used % 4 == 0);
	CHECK(q->avail->idx == 0 && q->used->idx == 0 && q->used->flags == 0);
	CHECK(*avail_event(q) == 0);
	/* odd sizes of the avail ring still give an aligned used ring */
	CHECK(virtq_mem_size(2) % 2 == 0);
	free(mem);
}

static void test_desc_and_publish(void)
{
	void *mem;
	struct virtq *q = new_queue(8, 0, &mem);
	struct dev d = {.q = q};

	virtq_set_desc(q, 3, 0x123456789ull, 2048, VIRTQ_DESC_F_WRITE);
	CHECK(q->desc[3].addr == 0x123456789ull && q->desc[3].len == 2048);
	CHECK(q->desc[3].flags == VIRTQ_DESC_F_WRITE && q->desc[3].next == 0);
	virtq_push(q, 3);
	/* not visible before publish */
	CHECK(dev_take(&d) == -1);
	virtq_publish(q);
	CHECK(dev_take(&d) == 3);
	CHECK(dev_take(&d) == -1);
	CHECK(virtq_in_flight(q) == 1);
	free(mem);
}

static void test_kick_no_event_idx(void)
{
	void *mem;
	struct virtq *q = new_queue(8, 0, &mem);

	CHECK(!virtq_need_kick(q)); /* nothing new */
	virtq_push(q, 0);
	virtq_publish(q);
	CHECK(virtq_need_kick(q));
	CHECK(!virtq_need_kick(q)); /* already decided for that entry */
	q->used->flags = VIRTQ_USED_F_NO_NOTIFY;
	virtq_push(q, 1);
	virtq_publish(q);
	CHECK(!virtq_need_kick(q));
	free(mem);
}

static void test_kick_event_idx(void)
{
	void *mem;
	struct virtq *q = new_queue(8, 1, &mem);

	/* avail_event 0: the device wants to hear about entry 0 */
	for (uint16_t i = 0; i < 4; i++)
		virtq_push(q, i);
	virtq_publish(q);
	CHECK(virtq_need_kick(q));
	/* the device asks to be told when entry 7 is made available */
	*avail_event(q) = 7;
	virtq_push(q, 4);
	virtq_push(q, 5);
	virtq_publish(q);
	CHECK(!virtq_need_kick(q)); /* idx 6: entry 7 not reached */
	virtq_push(q, 6);
	virtq_push(q, 7);
	virtq_publish(q);
	CHECK(virtq_need_kick(q)); /* idx 8 covers entry 7 */
	/* the same entry again: only once */
	CHECK(!virtq_need_kick(q));
	/* used_event follows what we consumed */
	CHECK(q->avail->ring[8] == q->last_used);
	/* vring_need_event across the 16-bit wrap */
	CHECK(virtq_need_event(65535, 1, 65534));
	CHECK(!virtq_need_event(2, 1, 65534));
	CHECK(virtq_need_event(0, 1, 65535));
	free(mem);
}

static void test_used(void)
{
	void *mem;
	struct virtq *q = new_queue(4, 1, &mem);
	struct dev d = {.q = q};
	uint16_t id;
	uint32_t len;

	CHECK(virtq_pop_used(q, &id, &len) == 0);
	CHECK(!virtq_has_used(q));
	virtq_push(q, 2);
	virtq_push(q, 1);
	virtq_publish(q);
	dev_complete(&d, (uint32_t)dev_take(&d), 60);
	CHECK(virtq_has_used(q));
	CHECK(virtq_pop_used(q, &id, &len) == 1 && id == 2 && len == 60);
	CHECK(!virtq_has_used(q));
	CHECK(virtq_pop_used(q, &id, &len) == 0);
	CHECK(virtq_in_flight(q) == 1);
	/* an id out of range breaks the queue, and is not consumed */
	dev_complete(&d, 4, 0);
	CHECK(virtq_pop_used(q, &id, &len) == -1);
	free(mem);

	/* more used entries than in flight */
	q = new_queue(4, 0, &mem);
	d = (struct dev){.q = q};
	virtq_push(q, 0);
	virtq_publish(q);
	dev_complete(&d, 0, 1);
	dev_complete(&d, 0, 1);
	CHECK(virtq_pop_used(q, &id, &len) == -1);
	free(mem);
}

/* Many round trips through a tiny ring: indices wrap at 2^16, ids
 * come back in the order the device used them. */
static void test_wrap(void)
{
	void *mem;
	struct virtq *q = new_queue(4, 1, &mem);
	struct dev d = {.q = q};
	unsigned bad = 0, kicks = 0;
	uint16_t id;
	uint32_t len;

	for (uint32_t n = 0; n < 70000; n++) {
		virtq_push(q, (uint16_t)(n % 4));
		virtq_publish(q);
		*avail_event(q) = d.last_avail; /* notify me on the next one */
		kicks += (unsigned)virtq_need_kick(q);
		int t = dev_take(&d);
		dev_complete(&d, (uint32_t)t, n);
		if (virtq_pop_used(q, &id, &len) != 1 || id != n % 4 ||
		    len != n)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(kicks == 70000);
	CHECK(q->avail_idx == (uint16_t)70000 &&
	      q->last_used == (uint16_t)70000);
	CHECK(virtq_in_flight(q) == 0);
	free(mem);
}

int main(void)
{
	test_layout();
	test_desc_and_publish();
	test_kick_no_event_idx();
	test_kick_event_idx();
	test_used();
	test_wrap();
	return check_summary("test_virtq_drv");
}
