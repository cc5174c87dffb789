/*
 * --stats: a boot timeline and counts of exits and hypercalls by kind,
 * written as JSON when the VM ends.
 */
#ifndef EMBER_STATS_H
#define EMBER_STATS_H

#include <stdint.h>

enum stat_exit {
	STAT_EXIT_HYPERCALL = 0, /* all hypercall port exits */
	STAT_EXIT_MMIO,		 /* device register accesses but QueueNotify */
	STAT_EXIT_NOTIFY,	 /* QueueNotify writes (virtio kicks) */
	STAT_EXIT_OTHER_IO,
	STAT_EXIT_INTR,	    /* KVM_EXIT_INTR / EINTR (timeouts) */
	STAT_EXIT_SHUTDOWN, /* triple fault */
	STAT_EXIT_FAULT,    /* process backend: signals from the guest */
	STAT_EXIT_OTHER,
	STAT_EXIT_KINDS
};

/* The network device (--net), under "net" in the JSON. */
struct net_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t notifies;		  /* QueueNotify writes */
	uint64_t mmio_reads, mmio_writes; /* all register accesses */
	uint64_t blocks, waits; /* block hypercalls; those that waited */
};

struct stats {
	/* CLOCK_MONOTONIC ns; 0 = did not happen */
	uint64_t t_start;	 /* top of main() in ember-vmm */
	uint64_t t_vm_created;	 /* backend create() done */
	uint64_t t_image_loaded; /* segments and boot info in guest memory */
	uint64_t t_first_insn;	 /* from guest first_insn_tsc */
	uint64_t t_main;	 /* from guest main_tsc */
	uint64_t t_exit;	 /* VM ended */
	/* Boot reference for converting guest TSC values: the guest TSC
	 * (boot_tsc) read at host time t_boot, and the TSC rate. */
	uint64_t t_boot, boot_tsc, tsc_khz;
	uint64_t exits[STAT_EXIT_KINDS];
	uint64_t hypercalls[8];
	uint64_t console_bytes;
	struct net_stats net;
};

#endif
