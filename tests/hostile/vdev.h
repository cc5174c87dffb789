/*
 * A minimal hand-rolled virtio-mmio network driver for the hostile
 * guests: raw register accesses through volatile pointers at the
 * device's window (bootinfo.net.mmio_base, read at run time so that the
 * compiler emits plain mov through a base register, the form both
 * backends handle) and split virtqueues in static memory. Correct when
 * asked to be (vdev_start, vq_setup, vq_send), so that each attack
 * differs from a working driver in exactly one way.
 */
#ifndef EMBER_HOSTILE_VDEV_H
#define EMBER_HOSTILE_VDEV_H

#include "hostile.h"

/* virtio-mmio registers (virtio 1.x, 4.2.2) */
#define R_MAGIC		   0x000
#define R_VERSION	   0x004
#define R_DEVICE_ID	   0x008
#define R_DEV_FEATURES	   0x010
#define R_DEV_FEATURES_SEL 0x014
#define R_DRV_FEATURES	   0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_QUEUE_SEL	   0x030
#define R_QUEUE_NUM_MAX	   0x034
#define R_QUEUE_NUM	   0x038
#define R_QUEUE_READY	   0x044
#define R_QUEUE_NOTIFY	   0x050
#define R_INT_STATUS	   0x060
#define R_INT_ACK	   0x064
#define R_STATUS	   0x070
#define R_DESC_LOW	   0x080
#define R_DESC_HIGH	   0x084
#define R_AVAIL_LOW	   0x090
#define R_AVAIL_HIGH	   0x094
#define R_USED_LOW	   0x0a0
#define R_USED_HIGH	   0x0a4
#define R_CONFIG	   0x100

#define S_ACK	      1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 0x40u

#define F_VERSION_1_HI 1u /* feature bit 32, in the high word */

#define D_NEXT	   1u
#define D_WRITE	   2u
#define D_INDIRECT 4u

#define RXQ	 0u
#define TXQ	 1u
#define QMAX	 256u
#define HDR_LEN	 12u
#define FRAME_SZ 60u

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* One queue's rings, each on its own page (alignment is then right
 * for any size up to QMAX). */
struct vq {
	struct vdesc desc[QMAX];
	struct {
		uint16_t flags, idx, ring[QMAX], used_event;
	} __attribute__((aligned(4096))) avail;
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[QMAX];
		uint16_t avail_event;
	} __attribute__((aligned(4096))) used;
	unsigned num;
	uint16_t next_avail;
} __attribute__((aligned(4096)));

static struct vq vqs[2];
/* Frames to send: a broadcast with an unknown EtherType, 12-byte
 * header first. */
static uint8_t frames[QMAX][2048] __attribute__((aligned(4096)));

static inline volatile uint8_t *vdev_base(void)
{
	if (!(ember_bi->flags & EMBER_BI_NET)) {
		printf("hostile: no network device: run with --net TAP\n");
		exit(HOSTILE_BAD_CASE);
	}
	return (volatile uint8_t *)(uintptr_t)ember_bi->net.mmio_base;
}

static inline void wr(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(vdev_base() + off) = v;
}

static inline uint32_t rd(unsigned off)
{
	return *(volatile uint32_t *)(vdev_base() + off);
}

static inline uint32_t lo32(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static inline uint32_t hi32(const volatile void *p)
{
	return (uint32_t)((uint64_t)(uintptr_t)p >> 32);
}

/* Reset, ACK, DRIVER, VERSION_1 only, FEATURES_OK; exits if refused. */
static inline void vdev_start(void)
{
	wr(R_STATUS, 0);
	if (rd(R_MAGIC) != 0x74726976u || rd(R_VERSION) != 2 ||
	    rd(R_DEVICE_ID) != 1) {
		printf("hostile: not a virtio-mmio network device\n");
		exit(HOSTILE_BAD_CASE);
	}
	wr(R_STATUS, S_ACK);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DRV_FEATURES_SEL, 1);
	wr(R_DRV_FEATURES, F_VERSION_1_HI);
	wr(R_DRV_FEATURES_SEL, 0);
	wr(R_DRV_FEATURES, 0);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(R_STATUS) & S_FEATURES_OK)) {
		printf("hostile: the device refused VERSION_1\n");
		exit(HOSTILE_BAD_CASE);
	}
}

/* Point queue qi at rings (desc, avail, used) of size num, then make it
 * ready. */
static inline void vq_setup_at(unsigned qi, unsigned num,
			       const volatile void *desc,
			       const volatile void *avail,
			       const volatile void *used)
{
	wr(R_QUEUE_SEL, qi);
	wr(R_QUEUE_NUM, num);
	wr(R_DESC_LOW, lo32(desc));
	wr(R_DESC_HIGH, hi32(desc));
	wr(R_AVAIL_LOW, lo32(avail));
	wr(R_AVAIL_HIGH, hi32(avail));
	wr(R_USED_LOW, lo32(used));
	wr(R_USED_HIGH, hi32(used));
	wr(R_QUEUE_READY, 1);
}

static inline struct vq *vq_setup(unsigned qi, unsigned num)
{
	struct vq *q = &vqs[qi];

	memset(q, 0, sizeof(*q));
	q->num = num;
	vq_setup_at(qi, num, q->desc, &q->avail, &q->used);
	return q;
}

static inline void vdev_ok(void)
{
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* The ordinary start: both queues, TX of size num, DRIVER_OK. */
static inline struct vq *vdev_up(unsigned num)
{
	vdev_start();
	vq_setup(RXQ, num);
	struct vq *tx = vq_setup(TXQ, num);
	vdev_ok();
	return tx;
}

/* Build frame i (len bytes after the header) in its buffer. */
static inline void *frame(unsigned i, unsigned len)
{
	uint8_t *f = frames[i % QMAX];

	memset(f, 0, HDR_LEN);
	memset(f + HDR_LEN, 0xff, 6);			/* broadcast */
	memcpy(f + HDR_LEN + 6, "\x02\0\0\0\0\x01", 6); /* our MAC */
	f[HDR_LEN + 12] = 0x88;				/* local experimental */
	f[HDR_LEN + 13] = 0xb5;
	for (unsigned k = HDR_LEN + 14; k < HDR_LEN + len && k < 2048; k++)
		f[k] = (uint8_t)k;
	return f;
}

/* Put descriptor d (already filled) at the next available slot. */
static inline void vq_publish(struct vq *q, uint16_t d)
{
	q->avail.ring[q->next_avail % q->num] = d;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->next_avail++;
	*(volatile uint16_t *)&q->avail.idx = q->next_avail;
}

static inline void vq_kick(unsigned qi)
{
	wr(R_QUEUE_NOTIFY, qi);
}

static inline uint16_t vq_used_idx(const struct vq *q)
{
	return *(const volatile uint16_t *)&q->used.idx;
}

/* The device stopped as it should: show it, reset it, and prove the
 * monitor still serves it by sending one good frame. */
static inline _Noreturn void expect_stopped(const char *what)
{
	uint32_t st = rd(R_STATUS);

	if (!(st & S_NEEDS_RESET))
		not_stopped(what);
	printf("hostile: %s: device stopped (status 0x%x)\n", what,
	       (unsigned)st);
	wr(R_STATUS, 0);
	if (rd(R_STATUS) != 0) {
		printf("hostile: %s: reset did not clear the status\n", what);
		exit(4);
	}
	struct vq *tx = vdev_up(8);
	tx->desc[0] = (struct vdesc){.addr = (uintptr_t)frame(0, FRAME_SZ),
				     .len = HDR_LEN + FRAME_SZ};
	vq_publish(tx, 0);
	vq_kick(TXQ);
	if (vq_used_idx(tx) != 1 || (rd(R_STATUS) & S_NEEDS_RESET)) {
		printf("hostile: %s: the device does not work after reset\n",
		       what);
		exit(5);
	}
	printf("hostile: %s: device works again after reset\n", what);
	exit(0);
}

#endif
