/*
 * The virtio-mmio transport, driver side (see virtio_mmio.h).
 */
#include <stdio.h>

#include "../rt.h"
#include "mmio.h"
#include "virtio_mmio.h"

/* Register offsets (section 4.2.2). */
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
#define R_STATUS	   0x070
#define R_QUEUE_DESC	   0x080
#define R_QUEUE_DRIVER	   0x090
#define R_QUEUE_DEVICE	   0x0a0
#define R_CONFIG	   0x100

#define MAGIC 0x74726976u /* "virt" */

/* Device status bits (section 2.1). */
#define S_ACKNOWLEDGE 1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_FAILED      128u

static uint32_t rd(const struct vmmio *d, unsigned off)
{
	return mmio_read32(d->base + off);
}

static void wr(const struct vmmio *d, unsigned off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

static void set_status(struct vmmio *d, uint32_t status)
{
	d->status = status;
	wr(d, R_STATUS, status);
}

static void say(const char *what, const char *msg, uint32_t v)
{
	char line[160];

	snprintf(line, sizeof(line), "ember: %s: %s (0x%x)\n", what, msg, v);
	ember_console_puts(line);
}

int vmmio_probe(struct vmmio *d, uintptr_t base, uint32_t device_id,
		const char *what)
{
	uint32_t v;

	d->base = base;
	d->features = 0;
	d->status = 0;
	if ((v = rd(d, R_MAGIC)) != MAGIC) {
		say(what,
		    "no virtio-mmio device at the address the monitor "
		    "gave",
		    v);
		return -1;
	}
	if ((v = rd(d, R_VERSION)) != 2) {
		say(what, "not a virtio 1.x (version 2) device", v);
		return -1;
	}
	if ((v = rd(d, R_DEVICE_ID)) != device_id) {
		say(what, "unexpected device type", v);
		return -1;
	}
	set_status(d, 0); /* reset */
	set_status(d, S_ACKNOWLEDGE);
	set_status(d, S_ACKNOWLEDGE | S_DRIVER);
	return 0;
}

int vmmio_negotiate(struct vmmio *d, uint64_t wanted, uint64_t required,
		    const char *what)
{
	uint64_t have;

	/* Both feature selectors are 0 after the reset in vmmio_probe:
	 * every register access is an exit, so none is written twice. */
	have = rd(d, R_DEV_FEATURES);
	wr(d, R_DEV_FEATURES_SEL, 1);
	have |= (uint64_t)rd(d, R_DEV_FEATURES) << 32;
	if ((have & required) != required) {
		say(what, "the device lacks required features",
		    (uint32_t)((required & ~have) >> 32));
		vmmio_fail(d);
		return -1;
	}
	d->features = have & wanted;
	wr(d, R_DRV_FEATURES, (uint32_t)d->features);
	wr(d, R_DRV_FEATURES_SEL, 1);
	wr(d, R_DRV_FEATURES, (uint32_t)(d->features >> 32));
	set_status(d, d->status | S_FEATURES_OK);
	/* Section 3.1.1 step 6: the device may refuse the subset. */
	uint32_t st = rd(d, R_STATUS);
	if (!(st & S_FEATURES_OK)) {
		say(what, "the device refused our features", st);
		vmmio_fail(d);
		return -1;
	}
	return 0;
}

uint16_t vmmio_queue_select(struct vmmio *d, uint16_t idx)
{
	wr(d, R_QUEUE_SEL, idx);
	uint32_t max = rd(d, R_QUEUE_NUM_MAX);
	return max > 0x8000 ? 0x8000 : (uint16_t)max;
}

/* A 64-bit address as two registers; the high half is 0 after reset,
 * so it is written only when needed (an exit saved per ring). */
static void wr64(const struct vmmio *d, unsigned off, uint64_t v)
{
	wr(d, off, (uint32_t)v);
	if (v >> 32)
		wr(d, off + 4, (uint32_t)(v >> 32));
}

void vmmio_queue_enable(struct vmmio *d, const struct virtq *q)
{
	wr(d, R_QUEUE_NUM, q->size);
	wr64(d, R_QUEUE_DESC, (uintptr_t)q->desc);
	wr64(d, R_QUEUE_DRIVER, (uintptr_t)q->avail);
	wr64(d, R_QUEUE_DEVICE, (uintptr_t)q->used);
	wr(d, R_QUEUE_READY, 1);
}

void vmmio_driver_ok(struct vmmio *d)
{
	set_status(d, d->status | S_DRIVER_OK);
}

void vmmio_fail(struct vmmio *d)
{
	set_status(d, d->status | S_FAILED);
}

void vmmio_notify(struct vmmio *d, uint16_t idx)
{
	wr(d, R_QUEUE_NOTIFY, idx);
}

uint8_t vmmio_config8(struct vmmio *d, unsigned off)
{
	return mmio_read8(d->base + R_CONFIG + off);
}
