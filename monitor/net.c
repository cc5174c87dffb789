/*
 * The network device in the VM's life: opened before the guest starts,
 * given guest memory once the backend has it, reached through the
 * register window (both backends' MMIO exits) and the block hypercall,
 * and closed with the VM.
 */
#include <elf.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_mmio.h>

#include "net.h"

int net_open(struct vm *vm)
{
	const struct net_options *o = &vm->opt->net;
	struct net *n;
	int fd;

	if (!o->tap)
		return 0;
	n = calloc(1, sizeof(*n));
	if (!n) {
		vmm_error("out of memory");
		return -1;
	}
	fd = tap_open(o->tap);
	if (fd < 0) {
		free(n);
		return -1;
	}
	vnet_init(&n->dev, fd, o->mac, &vm->stats.net);
	vm->net = n;
	return 0;
}

_Static_assert(DEV_MEM_MAX_HOLES >= IMAGE_MAX_SEGMENTS + 1,
	       "a hole for the stack guard and for every segment");

static void add_hole(struct dev_mem *m, uint64_t start, uint64_t end,
		     int readable)
{
	if (m->nholes < DEV_MEM_MAX_HOLES && end > start)
		m->hole[m->nholes++] = (struct dev_hole){start, end, readable};
}

/* What the device may touch: what the guest itself may use (like the
 * hypercall checks in hypercall.c): from the image up, never the stack
 * guard page, and read-only or executable segments only for reading. */
void net_attach_memory(struct vm *vm)
{
	struct dev_mem *m;

	if (!vm->net)
		return;
	m = &vm->net->dev.mem;
	memset(m, 0, sizeof(*m));
	m->mem = vm->mem;
	m->floor = EMBER_IMAGE_BASE;
	add_hole(m, vm->layout.stack_guard,
		 vm->layout.stack_guard + EMBER_GUARD_SIZE, 0);
	for (unsigned i = 0; i < vm->img.nseg; i++) {
		const struct image_segment *s = &vm->img.seg[i];
		uint64_t end = (s->vaddr + s->memsz + EMBER_PAGE_SIZE - 1) &
			       ~(EMBER_PAGE_SIZE - 1);

		if (!(s->flags & PF_W) || (s->flags & PF_X))
			add_hole(m, s->vaddr, end, 1);
	}
}

void net_close(struct vm *vm)
{
	struct net *n = vm->net;

	if (!n)
		return;
	/* Closing the last descriptor removes a tap we created. */
	close(n->dev.tap_fd);
	free(n);
	vm->net = NULL;
}

int net_mmio_window(uint64_t gpa, uint64_t size)
{
	return gpa >= EMBER_NET_MMIO_GPA &&
	       gpa - EMBER_NET_MMIO_GPA < EMBER_NET_MMIO_SIZE &&
	       size <= EMBER_NET_MMIO_SIZE - (gpa - EMBER_NET_MMIO_GPA);
}

uint64_t net_mmio_read(struct vm *vm, uint64_t gpa, unsigned size)
{
	vm->stats.exits[STAT_EXIT_MMIO]++;
	return vnet_mmio_read(&vm->net->dev, gpa - EMBER_NET_MMIO_GPA, size);
}

void net_mmio_write(struct vm *vm, uint64_t gpa, unsigned size, uint64_t value)
{
	uint64_t off = gpa - EMBER_NET_MMIO_GPA;

	vm->stats.exits[off == VIRTIO_MMIO_QUEUE_NOTIFY ? STAT_EXIT_NOTIFY
							: STAT_EXIT_MMIO]++;
	vnet_mmio_write(&vm->net->dev, off, size, value);
}

/* Wait for the tap to have a frame (if the guest can take one) until the
 * absolute time `until` (UINT64_MAX: none). Returns 0 (a frame, or the
 * time came), or 1 if a stop signal ended the VM. */
static int wait_tap(struct vm *vm, struct net *n, uint64_t until, int rx)
{
	struct pollfd pfd = {.fd = rx ? n->dev.tap_fd : -1, .events = POLLIN};

	for (;;) {
		uint64_t now = now_ns(), left;
		struct timespec ts;
		int r;

		if (until != UINT64_MAX && now >= until)
			return 0;
		left = until - now;
		ts.tv_sec = (time_t)(left / 1000000000u);
		ts.tv_nsec = (long)(left % 1000000000u);
		r = ppoll(&pfd, 1, until == UINT64_MAX ? NULL : &ts, NULL);
		if (r > 0 && (pfd.revents & POLLIN))
			return 0;
		if (r > 0) {
			/* POLLERR/POLLHUP: the tap went away under us (link
			 * deleted). Nothing more will come; sleep on. */
			pfd.fd = -1;
			continue;
		}
		if (r < 0 && errno == EINTR && vm_stop_requested(vm))
			return 1;
		if (r < 0 && errno != EINTR) {
			vmm_error("waiting for the tap failed: %s",
				  strerror(errno));
			vm->end = VM_ERROR;
			vm->exit_status = EMBER_EXIT_ERROR;
			return 1;
		}
		/* EINTR from --timeout's timer: the loop sees the time. */
	}
}

int net_block(struct vm *vm, uint64_t timeout_ns)
{
	struct net *n = vm->net;
	uint64_t now = now_ns(), until;
	int rx;

	vm->stats.net.blocks++;
	vnet_flush_tx(&n->dev);
	if (vnet_fill_rx(&n->dev))
		return 0; /* frames were waiting: no need to wait */
	rx = vnet_rx_has_buffers(&n->dev);
	if (timeout_ns == UINT64_MAX && !rx) {
		vm_crash(vm,
			 "guest blocked forever with nothing to wake it "
			 "(its network device has no receive buffers%s)",
			 vnet_live(&n->dev) ? "" : " and is not running");
		return 1;
	}
	until = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	if (vm->deadline_ns && vm->deadline_ns < until)
		until = vm->deadline_ns;
	if (until > now)
		vm->stats.net.waits++;
	if (wait_tap(vm, n, until, rx))
		return 1;
	if (vm->deadline_ns && now_ns() >= vm->deadline_ns)
		return vm_timeout(vm);
	vnet_fill_rx(&n->dev);
	return 0;
}
