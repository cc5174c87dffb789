/*
 * vq: hostile virtqueues. A driver that is correct but for one thing:
 * descriptor loops, chains that leave the queue, avail ring entries and
 * indices that are out of range, ahead or behind, buffers outside guest
 * memory, wrapping around, or on pages the guest itself may not write
 * (the monitor's tables, the boot info, the image's code and read-only
 * data, the stack guard page), rings in such places, bad queue sizes.
 * Each must stop the device with one line (the VM goes on); the guest
 * then resets it and proves it works again (expect_stopped). The "-ok"
 * cases are things a device must accept.
 */
#include "vdev.h"

/* Read-only data the device must never write. */
static const uint8_t ro_page[4096] __attribute__((aligned(4096))) = {1};

static uint64_t mem_end(void)
{
	return ember_bi->mem_size;
}

/* ---- transmit descriptors --------------------------------------- */

/* One TX chain made of descs[0..n), head 0. */
static void tx_chain(const struct vdesc *descs, unsigned n, const char *what)
{
	struct vq *tx = vdev_up(8);

	for (unsigned i = 0; i < n; i++)
		tx->desc[i] = descs[i];
	vq_publish(tx, 0);
	vq_kick(TXQ);
	expect_stopped(what);
}

static void tx_buf(uint64_t addr, uint32_t len, const char *what)
{
	struct vdesc d = {.addr = addr, .len = len};

	tx_chain(&d, 1, what);
}

static uint64_t good_frame(void)
{
	return (uintptr_t)frame(1, FRAME_SZ);
}

static void desc_loop(void)
{
	struct vdesc d[2] = {
	    {.addr = good_frame(), .len = 36, .flags = D_NEXT, .next = 1},
	    {.addr = good_frame() + 36, .len = 36, .flags = D_NEXT, .next = 0},
	};
	tx_chain(d, 2, "desc-loop");
}

static void desc_self_loop(void)
{
	struct vdesc d = {
	    .addr = good_frame(), .len = 72, .flags = D_NEXT, .next = 0};
	tx_chain(&d, 1, "desc-self-loop");
}

static void chain_past_queue(void)
{
	struct vdesc d = {
	    .addr = good_frame(), .len = 72, .flags = D_NEXT, .next = 8};
	tx_chain(&d, 1, "chain-past-queue");
}

static void indirect(void)
{
	struct vdesc d = {.addr = good_frame(), .len = 16, .flags = D_INDIRECT};
	tx_chain(&d, 1, "indirect");
}

static void tx_writable(void)
{
	struct vdesc d = {.addr = good_frame(), .len = 72, .flags = D_WRITE};
	tx_chain(&d, 1, "tx-writable");
}

static void desc_null(void)
{
	tx_buf(0, 72, "desc-null");
}

static void desc_sys(void)
{
	tx_buf(EMBER_SYS_START, 72, "desc-sys");
}

static void desc_pt(void)
{
	tx_buf(EMBER_PT_START, 72, "desc-pt");
}

static void desc_bootinfo(void)
{
	tx_buf(EMBER_BOOTINFO_GPA, 72, "desc-bootinfo");
}

static void desc_guard(void)
{
	tx_buf(ember_bi->stack_bottom - EMBER_PAGE_SIZE, 72, "desc-guard");
}

static void desc_past_end(void)
{
	tx_buf(mem_end() - 8, 72, "desc-past-end");
}

static void desc_kernel(void)
{
	tx_buf(0xffff800000000000ull, 72, "desc-kernel");
}

static void desc_wrap(void)
{
	tx_buf(UINT64_MAX - 15, 72, "desc-wrap");
}

static void desc_len_huge(void)
{
	tx_buf(good_frame(), UINT32_MAX, "desc-len-huge");
}

/* ---- the available ring ----------------------------------------- */

static void head_out_of_range(void)
{
	struct vq *tx = vdev_up(8);

	tx->desc[0] = (struct vdesc){.addr = good_frame(), .len = 72};
	vq_publish(tx, 200);
	vq_kick(TXQ);
	expect_stopped("head-out-of-range");
}

static void avail_far_ahead(void)
{
	struct vq *tx = vdev_up(8);

	*(volatile uint16_t *)&tx->avail.idx = 1000;
	vq_kick(TXQ);
	expect_stopped("avail-far-ahead");
}

/* Two frames sent, then the index moves back by one: from the device's
 * side that is 65535 entries ahead. */
static void avail_behind(void)
{
	struct vq *tx = vdev_up(8);

	for (uint16_t i = 0; i < 2; i++) {
		tx->desc[i] =
		    (struct vdesc){.addr = (uintptr_t)frame(i, FRAME_SZ),
				   .len = HDR_LEN + FRAME_SZ};
		vq_publish(tx, i);
	}
	vq_kick(TXQ);
	if (vq_used_idx(tx) != 2)
		exit(6);
	*(volatile uint16_t *)&tx->avail.idx = 1;
	vq_kick(TXQ);
	expect_stopped("avail-behind");
}

/* ---- receive buffers the device would write --------------------- */

static void rx_buf(uint64_t addr, uint32_t len, uint16_t flags,
		   const char *what)
{
	vdev_start();
	struct vq *rx = vq_setup(RXQ, 8);
	vq_setup(TXQ, 8);
	vdev_ok();
	rx->desc[0] = (struct vdesc){.addr = addr, .len = len, .flags = flags};
	vq_publish(rx, 0);
	vq_kick(RXQ);
	expect_stopped(what);
}

static void rx_readonly_desc(void)
{
	rx_buf((uintptr_t)frames[2], 1526, 0, "rx-readonly-desc");
}

static void rx_text(void)
{
	rx_buf((uintptr_t)&rx_text & ~0xfffull, 1526, D_WRITE, "rx-text");
}

static void rx_rodata(void)
{
	rx_buf((uintptr_t)ro_page, 1526, D_WRITE, "rx-rodata");
}

static void rx_bootinfo(void)
{
	rx_buf(EMBER_BOOTINFO_GPA, 1526, D_WRITE, "rx-bootinfo");
}

static void rx_sys(void)
{
	rx_buf(EMBER_SYS_START, 1526, D_WRITE, "rx-sys");
}

static void rx_short(void)
{
	rx_buf((uintptr_t)frames[2], 8, D_WRITE, "rx-short");
}

/* ---- rings in the wrong place, bad sizes ------------------------ */

static void ring_at(const volatile void *desc, const volatile void *avail,
		    const volatile void *used, unsigned num, const char *what)
{
	vdev_start();
	vq_setup_at(TXQ, num, desc, avail, used);
	expect_stopped(what);
}

#define GPA(x) ((const volatile void *)(uintptr_t)(x))

static void ring_desc_sys(void)
{
	ring_at(GPA(EMBER_SYS_START), &vqs[1].avail, &vqs[1].used, 8,
		"ring-desc-sys");
}

static void ring_used_bootinfo(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, GPA(EMBER_BOOTINFO_GPA), 8,
		"ring-used-bootinfo");
}

static void ring_used_rodata(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, ro_page, 8, "ring-used-rodata");
}

static void ring_misaligned(void)
{
	ring_at((const volatile uint8_t *)vqs[1].desc + 8, &vqs[1].avail,
		&vqs[1].used, 8, "ring-misaligned");
}

static void ring_wrap(void)
{
	ring_at(GPA(0xfffffffffffff000ull), &vqs[1].avail, &vqs[1].used, 8,
		"ring-wrap");
}

static void ring_past_end(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, GPA(mem_end() - 16), 8,
		"ring-past-end");
}

static void qsize_0(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, &vqs[1].used, 0, "qsize-0");
}

static void qsize_3(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, &vqs[1].used, 3, "qsize-3");
}

static void qsize_512(void)
{
	ring_at(vqs[1].desc, &vqs[1].avail, &vqs[1].used, 512, "qsize-512");
}

/* ---- what a device must accept ---------------------------------- */

/* A frame spread over all 8 descriptors of the queue (9 bytes each,
 * the header split too), a frame too short and one too long (dropped,
 * like on a wire, but returned to the driver), and a good one. */
static void tx_odd_frames_ok(void)
{
	struct vq *tx = vdev_up(8);
	uint64_t f = good_frame();

	for (uint16_t i = 0; i < 8; i++)
		tx->desc[i] = (struct vdesc){.addr = f + 9u * i,
					     .len = 9,
					     .flags = i < 7 ? D_NEXT : 0,
					     .next = (uint16_t)(i + 1)};
	vq_publish(tx, 0);
	vq_kick(TXQ);
	if (vq_used_idx(tx) != 1)
		exit(7);
	tx->desc[0] = (struct vdesc){.addr = f, .len = HDR_LEN + 5};
	tx->desc[1] =
	    (struct vdesc){.addr = (uintptr_t)frame(2, 1600), .len = 1612};
	tx->desc[2] = (struct vdesc){.addr = f, .len = HDR_LEN + FRAME_SZ};
	for (uint16_t i = 0; i < 3; i++)
		vq_publish(tx, i);
	vq_kick(TXQ);
	if (vq_used_idx(tx) != 4 || tx->used.ring[1].id != 0 ||
	    (rd(R_STATUS) & S_NEEDS_RESET))
		exit(8);
	printf("hostile: tx-odd-frames-ok: 4 chains returned\n");
	exit(0);
}

/* 66,000 frames through a 256-entry queue: both 16-bit indices wrap
 * around. */
static void index_wrap_ok(void)
{
	struct vq *tx = vdev_up(QMAX);
	const unsigned total = 66000, batch = QMAX / 2;
	uint16_t used = 0;

	for (unsigned i = 0; i < QMAX; i++)
		tx->desc[i] =
		    (struct vdesc){.addr = (uintptr_t)frame(i, FRAME_SZ),
				   .len = HDR_LEN + FRAME_SZ};
	for (unsigned sent = 0; sent < total; sent += batch) {
		for (unsigned k = 0; k < batch; k++)
			vq_publish(tx, (uint16_t)((sent + k) % QMAX));
		vq_kick(TXQ);
		used = (uint16_t)(used + batch);
		if (vq_used_idx(tx) != used || (rd(R_STATUS) & S_NEEDS_RESET)) {
			printf("hostile: index-wrap-ok: used %u, want %u\n",
			       vq_used_idx(tx), used);
			exit(9);
		}
	}
	printf("hostile: index-wrap-ok: %u frames, indices wrapped\n",
	       (total + batch - 1) / batch * batch);
	exit(0);
}

static const struct hostile_case cases[] = {
    {"desc-loop", desc_loop},
    {"desc-self-loop", desc_self_loop},
    {"chain-past-queue", chain_past_queue},
    {"indirect", indirect},
    {"tx-writable", tx_writable},
    {"desc-null", desc_null},
    {"desc-sys", desc_sys},
    {"desc-pt", desc_pt},
    {"desc-bootinfo", desc_bootinfo},
    {"desc-guard", desc_guard},
    {"desc-past-end", desc_past_end},
    {"desc-kernel", desc_kernel},
    {"desc-wrap", desc_wrap},
    {"desc-len-huge", desc_len_huge},
    {"head-out-of-range", head_out_of_range},
    {"avail-far-ahead", avail_far_ahead},
    {"avail-behind", avail_behind},
    {"rx-readonly-desc", rx_readonly_desc},
    {"rx-text", rx_text},
    {"rx-rodata", rx_rodata},
    {"rx-bootinfo", rx_bootinfo},
    {"rx-sys", rx_sys},
    {"rx-short", rx_short},
    {"ring-desc-sys", ring_desc_sys},
    {"ring-used-bootinfo", ring_used_bootinfo},
    {"ring-used-rodata", ring_used_rodata},
    {"ring-misaligned", ring_misaligned},
    {"ring-wrap", ring_wrap},
    {"ring-past-end", ring_past_end},
    {"qsize-0", qsize_0},
    {"qsize-3", qsize_3},
    {"qsize-512", qsize_512},
    {"tx-odd-frames-ok", tx_odd_frames_ok},
    {"index-wrap-ok", index_wrap_ok},
};

int main(int argc, char **argv)
{
	return hostile_main(argc, argv, cases,
			    sizeof(cases) / sizeof(cases[0]));
}
