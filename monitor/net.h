/*
 * The network device as the rest of the monitor sees it: the tap, the
 * virtio-net device over guest memory, and the hooks the CLI, the
 * backends and the block hypercall call. Without --net, vm->net is NULL
 * and none of this runs.
 */
#ifndef EMBER_NET_H
#define EMBER_NET_H

#include <stdint.h>

#include "virtio_net.h"
#include "vm.h"

struct net {
	struct vnet dev; /* dev.tap_fd: the tap; closing it removes a tap
			    ember-vmm created */
};

/* cli_net.c: the option --NAME (net, mac, ip, gw or dns) with its
 * value. Returns 0, or -1 after one error line. cli_net_check runs after
 * all options (--ip without --net and the like). */
int cli_net_option(const char *name, const char *arg, struct net_options *n);
int cli_net_check(struct net_options *n);
/* The default MAC for a tap: locally administered, unicast, stable. */
void net_default_mac(const char *tap, uint8_t mac[6]);

/* tap.c: attach to tap `name`, creating it when it does not exist (it
 * then lives as long as the returned fd, so it is removed even if
 * ember-vmm is killed). Non-blocking, close-on-exec, with a 12-byte
 * virtio-net header. Returns the fd, or -1 after one line. */
int tap_open(const char *name);

/* net.c */
/* Open the tap and allocate the device (before the backend starts the
 * guest); no-op without --net. 0, or -1 after one line. */
int net_open(struct vm *vm);
/* Point the device at guest memory (after the backend's create). */
void net_attach_memory(struct vm *vm);
/* Close the tap (removing it if we created it) and free the device. */
void net_close(struct vm *vm);
/* [gpa, gpa + size) lies in the device's register window. */
int net_mmio_window(uint64_t gpa, uint64_t size);
/* A guest access to the register window (vm->net set, range checked by
 * net_mmio_window): counts the exit, does the access. */
uint64_t net_mmio_read(struct vm *vm, uint64_t gpa, unsigned size);
void net_mmio_write(struct vm *vm, uint64_t gpa, unsigned size, uint64_t value);
/* The block hypercall with a device: flush TX, wait for the tap until
 * timeout_ns from now (UINT64_MAX: none) or vm->deadline_ns, fill RX.
 * Returns 0 to resume the guest, 1 if the VM ended (timeout, signal,
 * or a forever-block with nothing to wake it). */
int net_block(struct vm *vm, uint64_t timeout_ns);

#endif
