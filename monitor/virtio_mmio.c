/*
 * The virtio-mmio register window of the network device (virtio 1.x,
 * section 4.2.2, "modern" layout, Version 2).
 *
 * Registers 0x000-0x0ff are 32 bits wide and must be accessed as
 * aligned 32-bit words; the device configuration at 0x100 (struct
 * virtio_net_config: the MAC) takes aligned 1, 2 and 4-byte accesses.
 * Reads of undefined registers return 0; writes to read-only or
 * undefined registers, other access sizes, and driver steps out of the
 * order of section 3.1.1 stop the device (DEVICE_NEEDS_RESET).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_net.h"
#include "vm.h"

#define MAGIC	    0x74726976u /* "virt" */
#define CONFIG_SIZE 6u		/* mac; no other field is offered */
#define WINDOW_SIZE EMBER_NET_MMIO_SIZE
/* A driver that resets and breaks the device in a loop must not flood
 * the monitor's stderr: after this many lines, one more says so. */
#define STOP_LINES_MAX 5u
#define DRIVER_BITS                                                            \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |                \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK |             \
	 VIRTIO_CONFIG_S_FAILED)

void vnet_fail(struct vnet *d, const char *fmt, ...)
{
	va_list ap;

	if (d->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return; /* already stopped: one line is enough */
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	d->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* Spec 4.2.2.1: with NEEDS_RESET, a configuration change
	 * notification; we have no interrupt, but keep the status bit. */
	d->isr |= VIRTIO_MMIO_INT_CONFIG;
	if (d->stops < STOP_LINES_MAX)
		vmm_error("network device stopped: %s; the guest driver must "
			  "reset it",
			  d->err);
	else if (d->stops == STOP_LINES_MAX)
		vmm_error("network device stopped again: %s; further stops are "
			  "not reported",
			  d->err);
	if (d->stops < UINT32_MAX)
		d->stops++;
}

void vnet_reset(struct vnet *d)
{
	d->status = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	d->drv_features = 0;
	d->isr = 0;
	for (unsigned i = 0; i < VNET_NQ; i++)
		virtq_reset(&d->q[i]);
}

int vnet_live(const struct vnet *d)
{
	return (d->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(d->status &
		 (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED));
}

/* The selected queue, or NULL for a queue the device does not have. */
static struct virtq *sel_queue(struct vnet *d)
{
	return d->queue_sel < VNET_NQ ? &d->q[d->queue_sel] : NULL;
}

static uint32_t features_word(uint64_t f, uint32_t sel)
{
	return sel == 0 ? (uint32_t)f : sel == 1 ? (uint32_t)(f >> 32) : 0;
}

static uint32_t read_reg(struct vnet *d, uint64_t off)
{
	struct virtq *q = sel_queue(d);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_NET;
	case VIRTIO_MMIO_VENDOR_ID:
		return VNET_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return features_word(vnet_features(), d->dev_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? (uint32_t)q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return d->isr;
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0; /* the configuration never changes */
	default:
		/* Write-only and undefined registers read as 0. */
		return 0;
	}
}

/* FEATURES_OK is accepted only for a subset of what was offered that
 * includes VERSION_1 (no legacy interface). */
static int features_ok(const struct vnet *d)
{
	return !(d->drv_features & ~vnet_features()) &&
	       (d->drv_features & (1ull << VIRTIO_F_VERSION_1));
}

static void write_status(struct vnet *d, uint32_t v)
{
	uint32_t old = d->status & DRIVER_BITS;

	if (v == 0) {
		vnet_reset(d);
		return;
	}
	if (v & ~DRIVER_BITS) {
		vnet_fail(d,
			  "the driver wrote status 0x%x with bits only the "
			  "device may set",
			  v);
		return;
	}
	if (old & ~v) {
		vnet_fail(d,
			  "the driver cleared status bits (0x%x -> 0x%x) "
			  "without a reset",
			  old, v);
		return;
	}
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK) && !features_ok(d))
		v &= ~(uint32_t)VIRTIO_CONFIG_S_FEATURES_OK; /* refused */
	if ((v & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(v & VIRTIO_CONFIG_S_FEATURES_OK)) {
		vnet_fail(d, "the driver set DRIVER_OK without FEATURES_OK");
		return;
	}
	d->status = (d->status & VIRTIO_CONFIG_S_NEEDS_RESET) | v;
}

/* Queue configuration: only while the queue is not ready. */
static void write_queue_field(struct vnet *d, uint64_t off, uint32_t v)
{
	struct virtq *q = sel_queue(d);
	uint64_t *gpa;

	if (!q) {
		vnet_fail(d,
			  "the driver configured queue %u; the device has "
			  "queues 0 (receive) and 1 (transmit)",
			  d->queue_sel);
		return;
	}
	if (q->ready) {
		vnet_fail(d, "the driver changed queue %u while it is ready",
			  d->queue_sel);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = v;
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		gpa = &q->desc_gpa;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		gpa = &q->avail_gpa;
		break;
	default:
		gpa = &q->used_gpa;
		break;
	}
	if (off & 4)
		*gpa = (*gpa & 0xffffffffull) | ((uint64_t)v << 32);
	else
		*gpa = (*gpa & ~0xffffffffull) | v;
}

static void write_queue_ready(struct vnet *d, uint32_t v)
{
	struct virtq *q = sel_queue(d);
	char err[VIRTQ_ERR_LEN];
	int event_idx = !!(d->drv_features & (1ull << VIRTIO_RING_F_EVENT_IDX));

	if (!q || v > 1) {
		vnet_fail(d, "the driver wrote %u to QueueReady of queue %u", v,
			  d->queue_sel);
		return;
	}
	if (v == 0) {
		q->ready = 0;
		return;
	}
	if (q->ready)
		return;
	if (!(d->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		vnet_fail(d, "the driver enabled queue %u before FEATURES_OK",
			  d->queue_sel);
		return;
	}
	if (virtq_enable(q, &d->mem, event_idx, err) < 0) {
		vnet_fail(d, "queue %u: %s", d->queue_sel, err);
		return;
	}
	vnet_set_kick(d, d->queue_sel);
}

static void notify(struct vnet *d, uint32_t v)
{
	d->st->notifies++;
	if (v >= VNET_NQ) {
		vnet_fail(d,
			  "the driver notified queue %u; the device has "
			  "queues 0 and 1",
			  v);
		return;
	}
	if (!vnet_live(d))
		return;
	vnet_flush_tx(d);
	vnet_fill_rx(d);
}

static void write_reg(struct vnet *d, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = v;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->status & VIRTIO_CONFIG_S_FEATURES_OK)
			vnet_fail(d, "the driver changed its features after "
				     "FEATURES_OK");
		else if (d->drv_features_sel == 0)
			d->drv_features =
			    (d->drv_features & ~0xffffffffull) | v;
		else if (d->drv_features_sel == 1)
			d->drv_features = (d->drv_features & 0xffffffffull) |
					  ((uint64_t)v << 32);
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		write_queue_field(d, off, v);
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		write_queue_ready(d, v);
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify(d, v);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->isr &= ~v;
		return;
	case VIRTIO_MMIO_STATUS:
		write_status(d, v);
		return;
	default:
		vnet_fail(d,
			  "the driver wrote 0x%x to register 0x%03llx, "
			  "which is read-only or does not exist",
			  v, (unsigned long long)off);
		return;
	}
}

static uint64_t read_config(const struct vnet *d, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++) {
		uint64_t at = off - VIRTIO_MMIO_CONFIG + i;

		if (at < CONFIG_SIZE)
			v |= (uint64_t)d->mac[at] << (8 * i);
	}
	return v;
}

/* Size and alignment allowed at off; else the device stops. */
static int access_ok(struct vnet *d, uint64_t off, unsigned size, int write)
{
	int ok;

	if (off >= WINDOW_SIZE || size > WINDOW_SIZE - off)
		ok = 0;
	else if (off < VIRTIO_MMIO_CONFIG)
		ok = size == 4 && off % 4 == 0;
	else
		ok = (size == 1 || size == 2 || size == 4) && off % size == 0;
	if (!ok)
		vnet_fail(d,
			  "the driver %s %u bytes at register offset "
			  "0x%llx; registers take aligned 32-bit accesses, "
			  "the configuration 1, 2 or 4 bytes",
			  write ? "wrote" : "read", size,
			  (unsigned long long)off);
	return ok;
}

uint64_t vnet_mmio_read(struct vnet *d, uint64_t off, unsigned size)
{
	d->st->mmio_reads++;
	if (!access_ok(d, off, size, 0))
		return 0;
	if (off >= VIRTIO_MMIO_CONFIG)
		return read_config(d, off, size);
	return read_reg(d, off);
}

void vnet_mmio_write(struct vnet *d, uint64_t off, unsigned size,
		     uint64_t value)
{
	d->st->mmio_writes++;
	if (!access_ok(d, off, size, 1))
		return;
	if (off >= VIRTIO_MMIO_CONFIG) {
		vnet_fail(d,
			  "the driver wrote to the device configuration at "
			  "0x%llx, which is read-only",
			  (unsigned long long)off);
		return;
	}
	write_reg(d, off, (uint32_t)value);
}
