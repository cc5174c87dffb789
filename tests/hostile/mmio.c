/*
 * mmio: hostile accesses to the network device's register window: bad
 * offsets, widths (8-byte movq, 1- and 2-byte accesses to 32-bit
 * registers, unaligned ones, one that runs off the end of the window),
 * writes to read-only registers and configuration, and the driver
 * steps of virtio 1.x section 3.1.1 out of order. A refused access
 * stops the device with one line and the VM goes on (expect_stopped
 * resets it and proves it works); an access past the window is a page
 * fault like any other; an instruction the process backend cannot
 * emulate ends the VM.
 */
#include "vdev.h"

/* Exact instructions for exact widths, through a base register. */
static void movq_store(unsigned off, uint64_t v)
{
	__asm__ volatile("movq %1, (%0)"
			 :
			 : "r"(vdev_base() + off), "r"(v)
			 : "memory");
}

static uint64_t movq_load(unsigned off)
{
	uint64_t v;

	__asm__ volatile("movq (%1), %0"
			 : "=r"(v)
			 : "r"(vdev_base() + off)
			 : "memory");
	return v;
}

static void movb_store(unsigned off, uint8_t v)
{
	__asm__ volatile("movb %1, (%0)"
			 :
			 : "r"(vdev_base() + off), "q"(v)
			 : "memory");
}

static uint16_t movw_load(unsigned off)
{
	uint16_t v;

	__asm__ volatile("movw (%1), %0"
			 : "=r"(v)
			 : "r"(vdev_base() + off)
			 : "memory");
	return v;
}

static uint8_t movb_load(unsigned off)
{
	return *(volatile uint8_t *)(vdev_base() + off);
}

/* ---- offsets and widths ------------------------------------------ */

static void reg_undefined_write(void)
{
	wr(0x0fc, 1);
	expect_stopped("reg-undefined-write");
}

static void reg_readonly_write(void)
{
	wr(R_MAGIC, 0);
	expect_stopped("reg-readonly-write");
}

static void width8_write(void)
{
	vdev_start();
	movq_store(R_STATUS, S_ACK);
	expect_stopped("width8-write");
}

static void width8_read(void)
{
	(void)movq_load(R_MAGIC);
	expect_stopped("width8-read");
}

static void width1_write(void)
{
	movb_store(R_STATUS, S_ACK);
	expect_stopped("width1-write");
}

static void width2_read(void)
{
	(void)movw_load(R_MAGIC);
	expect_stopped("width2-read");
}

static void unaligned_read(void)
{
	(void)rd(R_STATUS + 2);
	expect_stopped("unaligned-read");
}

static void config_write(void)
{
	movb_store(R_CONFIG, 0x02);
	expect_stopped("config-write");
}

static void config_unaligned(void)
{
	(void)movw_load(R_CONFIG + 1);
	expect_stopped("config-unaligned");
}

/* 8 bytes at 0xffc: the last 4 are past the window, on a page nobody
 * maps. Not a register access: a page fault, the VM crashes. */
static void window_end(void)
{
	(void)movq_load(0xffc);
	not_stopped("window-end");
}

/* Every register and the rest of the window read as something (0 for
 * what is undefined) without stopping the device; the MAC is the boot
 * info's. */
static void reads_ok(void)
{
	unsigned n = 0;

	vdev_start();
	for (unsigned off = 0; off < 0x100; off += 4, n++)
		(void)rd(off);
	for (unsigned off = 0x108; off < 0x1000; off += 4, n++)
		if (rd(off) != 0)
			exit(10);
	for (unsigned i = 0; i < 6; i++, n++)
		if (movb_load(R_CONFIG + i) != ember_bi->net.mac[i])
			exit(11);
	if (rd(R_STATUS) & S_NEEDS_RESET)
		exit(12);
	printf("hostile: reads-ok: %u reads\n", n);
	exit(0);
}

/* ---- the status handshake out of order ---------------------------- */

static void driver_features_version1(void)
{
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DRV_FEATURES_SEL, 1);
	wr(R_DRV_FEATURES, F_VERSION_1_HI);
}

static void ready_before_features_ok(void)
{
	driver_features_version1();
	wr(R_QUEUE_SEL, TXQ);
	wr(R_QUEUE_NUM, 8);
	wr(R_QUEUE_READY, 1);
	expect_stopped("ready-early");
}

static void driver_ok_without_features_ok(void)
{
	driver_features_version1();
	wr(R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
	expect_stopped("driver-ok-early");
}

static void change_ready_queue(void)
{
	vdev_up(8);
	wr(R_QUEUE_SEL, TXQ);
	wr(R_QUEUE_NUM, 4);
	expect_stopped("change-ready-queue");
}

static void clear_status_bits(void)
{
	vdev_up(8);
	wr(R_STATUS, S_ACK);
	expect_stopped("clear-status-bits");
}

static void device_status_bits(void)
{
	wr(R_STATUS, S_ACK | S_NEEDS_RESET);
	expect_stopped("device-status-bits");
}

static void features_after_ok(void)
{
	vdev_start();
	wr(R_DRV_FEATURES, 0x20);
	expect_stopped("features-changed-late");
}

static void queue_sel_bad(void)
{
	vdev_start();
	wr(R_QUEUE_SEL, 5);
	wr(R_QUEUE_NUM, 8);
	expect_stopped("queue-sel-bad");
}

static void queue_ready_2(void)
{
	vdev_start();
	wr(R_QUEUE_SEL, TXQ);
	wr(R_QUEUE_READY, 2);
	expect_stopped("queue-ready-2");
}

static void notify_bad_queue(void)
{
	vdev_up(8);
	vq_kick(7);
	expect_stopped("notify-bad-queue");
}

/* Features the device did not offer, or no VERSION_1: FEATURES_OK is
 * refused (it does not stick), which is not an error. */
static void features_refused_ok(void)
{
	driver_features_version1();
	wr(R_DRV_FEATURES_SEL, 0);
	wr(R_DRV_FEATURES, 1u << 0); /* VIRTIO_NET_F_CSUM: not offered */
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (rd(R_STATUS) != (S_ACK | S_DRIVER))
		exit(13);
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DRV_FEATURES_SEL, 0);
	wr(R_DRV_FEATURES, 1u << 5); /* MAC, without VERSION_1 */
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (rd(R_STATUS) != (S_ACK | S_DRIVER))
		exit(14);
	printf("hostile: features-refused-ok: FEATURES_OK refused twice\n");
	exit(0);
}

/* Break and reset the device 8 times: the monitor's stderr gets 5
 * lines, one saying that further stops are not reported, then none. */
static void stop_storm(void)
{
	for (unsigned i = 0; i < 8; i++) {
		wr(R_STATUS, 0);
		wr(0x0fc, i);
		if (!(rd(R_STATUS) & S_NEEDS_RESET))
			not_stopped("stop-storm");
	}
	expect_stopped("stop-storm");
}

/* ---- instructions and addresses ---------------------------------- */

/* `addl $1, (reg)`: a read-modify-write the process backend's decoder
 * refuses (KVM emulates it). */
static void undecodable(void)
{
	vdev_start();
	__asm__ volatile("addl $1, (%0)"
			 :
			 : "r"(vdev_base() + R_STATUS)
			 : "memory");
	not_stopped("undecodable");
}

/* Jump into the window: it is never executable. */
static void exec_window(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)vdev_base();

	fn();
	not_stopped("exec-window");
}

/* The window without a device (run without --net): nothing there. */
static void no_device(void)
{
	volatile uint32_t *p =
	    (volatile uint32_t *)(uintptr_t)EMBER_NET_MMIO_GPA;
	volatile uint32_t *volatile hide = p;

	(void)*hide;
	not_stopped("no-device");
}

static const struct hostile_case cases[] = {
    {"reg-undefined-write", reg_undefined_write},
    {"reg-readonly-write", reg_readonly_write},
    {"width8-write", width8_write},
    {"width8-read", width8_read},
    {"width1-write", width1_write},
    {"width2-read", width2_read},
    {"unaligned-read", unaligned_read},
    {"config-write", config_write},
    {"config-unaligned", config_unaligned},
    {"window-end", window_end},
    {"reads-ok", reads_ok},
    {"ready-early", ready_before_features_ok},
    {"driver-ok-early", driver_ok_without_features_ok},
    {"change-ready-queue", change_ready_queue},
    {"clear-status-bits", clear_status_bits},
    {"device-status-bits", device_status_bits},
    {"features-changed-late", features_after_ok},
    {"queue-sel-bad", queue_sel_bad},
    {"queue-ready-2", queue_ready_2},
    {"notify-bad-queue", notify_bad_queue},
    {"features-refused-ok", features_refused_ok},
    {"stop-storm", stop_storm},
    {"undecodable", undecodable},
    {"exec-window", exec_window},
    {"no-device", no_device},
};

int main(int argc, char **argv)
{
	return hostile_main(argc, argv, cases,
			    sizeof(cases) / sizeof(cases[0]));
}
