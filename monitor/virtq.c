/*
 * Split virtqueue access for the device side, with every guest value
 * validated before use (see virtq.h).
 *
 * Ring layouts (virtio 1.x, 2.7): descriptor table num * 16 bytes, align
 * 16; available ring flags, idx, ring[num], used_event (u16 each), align
 * 2; used ring flags, idx (u16), ring[num] of {id, len} (u32), then
 * avail_event (u16), align 4. All little-endian, like the host.
 *
 * The guest is stopped while the monitor looks at its rings (one vCPU,
 * and the monitor runs only on exits), but each guest field is still
 * read exactly once into a local, so that what was checked is what is
 * used.
 */
#include <stdio.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "virtq.h"

static int overlaps(uint64_t a, uint64_t alen, uint64_t b_start, uint64_t b_end)
{
	return a < b_end && b_start < a + alen;
}

void *dev_mem_ptr(const struct dev_mem *m, uint64_t gpa, uint64_t len,
		  int write)
{
	uint64_t span = len ? len : 1;

	/* guest_ptr: inside memory, no wrap-around; then the policy. */
	if (!guest_ptr(&m->mem, gpa, span) || gpa < m->floor)
		return NULL;
	for (unsigned i = 0; i < m->nholes && i < DEV_MEM_MAX_HOLES; i++) {
		const struct dev_hole *h = &m->hole[i];

		if ((write || !h->readable) &&
		    overlaps(gpa, span, h->start, h->end))
			return NULL;
	}
	return m->mem.base + gpa;
}

static uint16_t load16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)(const void *)p,
			       __ATOMIC_ACQUIRE);
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELEASE);
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

int virtq_enable(struct virtq *q, const struct dev_mem *m, int event_idx,
		 char err[VIRTQ_ERR_LEN])
{
	uint64_t n = q->num;

	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1))) {
		snprintf(err, VIRTQ_ERR_LEN,
			 "queue size %u is not a power of 2 in 1..%u", q->num,
			 VIRTQ_MAX_SIZE);
		return -1;
	}
	if (q->desc_gpa % 16 || q->avail_gpa % 2 || q->used_gpa % 4) {
		snprintf(err, VIRTQ_ERR_LEN,
			 "misaligned rings (descriptors 0x%llx, driver area "
			 "0x%llx, device area 0x%llx)",
			 (unsigned long long)q->desc_gpa,
			 (unsigned long long)q->avail_gpa,
			 (unsigned long long)q->used_gpa);
		return -1;
	}
	q->desc = dev_mem_ptr(m, q->desc_gpa, 16 * n, 0);
	q->avail = dev_mem_ptr(m, q->avail_gpa, 6 + 2 * n, 0);
	q->used = dev_mem_ptr(m, q->used_gpa, 6 + 8 * n, 1);
	if (!q->desc || !q->avail || !q->used) {
		snprintf(err, VIRTQ_ERR_LEN,
			 "a ring is outside the guest's own memory "
			 "(descriptors 0x%llx, driver area 0x%llx, device "
			 "area 0x%llx, size %u)",
			 (unsigned long long)q->desc_gpa,
			 (unsigned long long)q->avail_gpa,
			 (unsigned long long)q->used_gpa, q->num);
		q->desc = q->avail = q->used = NULL;
		return -1;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->event_idx = event_idx;
	q->ready = 1;
	return 0;
}

int virtq_pending(struct virtq *q, char err[VIRTQ_ERR_LEN])
{
	uint16_t idx = load16(q->avail + 2);
	uint16_t n = (uint16_t)(idx - q->last_avail);

	if (n > q->num) {
		snprintf(err, VIRTQ_ERR_LEN,
			 "the driver's available index %u is %u entries ahead "
			 "of the device's %u, more than the queue size %u",
			 idx, n, q->last_avail, q->num);
		return -1;
	}
	return n;
}

int virtq_peek(const struct virtq *q, const struct dev_mem *m, int writable,
	       struct virtq_chain *c, char err[VIRTQ_ERR_LEN])
{
	uint16_t head =
	    load16(q->avail + 4 + 2 * (q->last_avail & (q->num - 1)));
	uint16_t idx = head;
	unsigned count;

	if (head >= q->num) {
		snprintf(err, VIRTQ_ERR_LEN,
			 "available ring entry %u names descriptor %u, "
			 "outside the queue of %u",
			 q->last_avail, head, q->num);
		return -1;
	}
	c->head = head;
	c->n = 0;
	c->len = 0;
	/* At most num descriptors: a longer chain must revisit one. */
	for (count = 0; count < q->num; count++) {
		struct vring_desc d;
		void *p;

		memcpy(&d, q->desc + 16u * idx, sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			snprintf(err, VIRTQ_ERR_LEN,
				 "descriptor %u is indirect, a feature the "
				 "device did not offer",
				 idx);
			return -1;
		}
		if (!!(d.flags & VRING_DESC_F_WRITE) != !!writable) {
			snprintf(err, VIRTQ_ERR_LEN,
				 "descriptor %u is device-%s in a %s queue",
				 idx, writable ? "readable" : "writable",
				 writable ? "receive" : "transmit");
			return -1;
		}
		p = dev_mem_ptr(m, d.addr, d.len, writable);
		if (!p) {
			snprintf(err, VIRTQ_ERR_LEN,
				 "descriptor %u buffer 0x%llx+%u is outside "
				 "the guest's own memory",
				 idx, (unsigned long long)d.addr, d.len);
			return -1;
		}
		if (d.len) {
			c->iov[c->n].iov_base = p;
			c->iov[c->n].iov_len = d.len;
			c->n++;
			c->len += d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= q->num) {
			snprintf(err, VIRTQ_ERR_LEN,
				 "descriptor %u chains to %u, outside the "
				 "queue of %u",
				 idx, d.next, q->num);
			return -1;
		}
		idx = d.next;
	}
	snprintf(err, VIRTQ_ERR_LEN,
		 "the chain at descriptor %u is longer than the queue of %u "
		 "(a loop?)",
		 head, q->num);
	return -1;
}

void virtq_complete(struct virtq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = {.id = head, .len = len};

	memcpy(q->used + 4 + 8u * (q->used_idx & (q->num - 1)), &e, sizeof(e));
	q->used_idx++;
	q->last_avail++;
}

void virtq_publish(struct virtq *q)
{
	store16(q->used + 2, q->used_idx);
}

void virtq_set_kick(struct virtq *q, uint16_t event, int no_notify)
{
	if (q->event_idx)
		store16(q->used + 4 + 8u * q->num, event);
	else
		store16(q->used, no_notify ? VRING_USED_F_NO_NOTIFY : 0);
}

void iov_copy_to(const struct iovec *iov, unsigned n, const void *buf,
		 uint64_t len)
{
	const uint8_t *src = buf;

	for (unsigned i = 0; i < n && len; i++) {
		uint64_t k = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(iov[i].iov_base, src, k);
		src += k;
		len -= k;
	}
}

unsigned iov_skip(const struct virtq_chain *c, uint64_t skip, struct iovec *out,
		  unsigned max)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->n && k < max; i++) {
		uint64_t l = c->iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		out[k].iov_base = (uint8_t *)c->iov[i].iov_base + skip;
		out[k].iov_len = l - skip;
		skip = 0;
		k++;
	}
	return k;
}
