/*
 * Hypercalls: the guest writes the guest-physical address of an argument
 * struct to a port (EMBER_HC_*). Each handler copies the struct in once,
 * validates the copy (never the guest's memory again: no TOCTOU), acts,
 * and copies only the result field back out. A bad address or field ends
 * the VM as crashed with one line naming the hypercall and the problem.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "net.h"

#define HC(port)   ((port)-EMBER_HC_PORT_BASE) /* port -> index */
#define HC_INVALID 6 /* stats.hypercalls[] slot for unknown ports */

static const char *const hc_names[EMBER_HC_PORT_COUNT] = {
    "CONSOLE", "EXIT", "BLOCK", "PROTECT", "CRASH", "SET_FS_BASE",
};

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* [gpa, gpa + len) is memory the guest may write: above 1 MiB, not the
 * stack guard page, not a read-only or executable image segment. */
static int guest_writable(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	const struct guest_layout *l = &vm->layout;

	if (!guest_ptr(&vm->mem, gpa, len) || gpa < EMBER_IMAGE_BASE)
		return 0;
	if (overlaps(gpa, len, l->stack_guard, EMBER_GUARD_SIZE))
		return 0;
	for (unsigned i = 0; i < vm->img.nseg; i++) {
		const struct image_segment *s = &vm->img.seg[i];
		uint64_t end = (s->vaddr + s->memsz + EMBER_PAGE_SIZE - 1) &
			       ~(EMBER_PAGE_SIZE - 1);

		if (!(s->flags & PF_W) &&
		    overlaps(gpa, len, s->vaddr, end - s->vaddr))
			return 0;
	}
	return 1;
}

/* [gpa, gpa + len) is memory the guest may read: the boot info region,
 * or anything from 1 MiB up but the stack guard page. */
static int guest_readable(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (!guest_ptr(&vm->mem, gpa, len))
		return 0;
	if (gpa >= EMBER_BOOTINFO_GPA &&
	    gpa + len <= EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE)
		return 1;
	if (gpa < EMBER_IMAGE_BASE)
		return 0;
	return !overlaps(gpa, len, vm->layout.stack_guard, EMBER_GUARD_SIZE);
}

static int bad_struct(struct vm *vm, unsigned hc, uint64_t gpa, size_t size)
{
	vm_crash(vm,
		 "guest hypercall %s: argument struct 0x%" PRIx64
		 "+%zu is outside the guest's own %s memory",
		 hc_names[hc], gpa, size,
		 hc == HC(EMBER_HC_EXIT) ? "readable" : "writable");
	return 1;
}

/* Copy the argument struct in; 0, or 1 after ending the VM. Structs
 * with a result field must be in memory the guest could write itself. */
static int copy_in(struct vm *vm, unsigned hc, uint64_t gpa, void *out,
		   size_t size)
{
	/* All but EXIT write a result back. */
	int ok = hc == HC(EMBER_HC_EXIT) ? guest_readable(vm, gpa, size)
					 : guest_writable(vm, gpa, size);

	if (!ok)
		return bad_struct(vm, hc, gpa, size);
	memcpy(out, guest_ptr(&vm->mem, gpa, size), size);
	return 0;
}

/* Write the result field (at offset off) back into the guest's struct,
 * whose range was validated by copy_in(). */
static void copy_ret(struct vm *vm, uint64_t gpa, size_t off, int64_t ret)
{
	memcpy((uint8_t *)guest_ptr(&vm->mem, gpa, off + sizeof(ret)) + off,
	       &ret, sizeof(ret));
}

static int64_t write_all(int fd, const uint8_t *buf, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR && !vmm_stop_signal())
			continue;
		if (n < 0)
			return done ? (int64_t)done : -errno;
		done += (uint64_t)n;
	}
	return (int64_t)done;
}

static int hc_console(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_console c;
	int64_t ret;

	if (copy_in(vm, HC(EMBER_HC_CONSOLE), gpa, &c, sizeof(c)))
		return 1;
	if (c.fd != 1 && c.fd != 2) {
		vm_crash(vm,
			 "guest hypercall CONSOLE: fd %" PRIu32
			 " is not 1 (stdout) or 2 (stderr)",
			 c.fd);
		return 1;
	}
	if (c.len > EMBER_CONSOLE_MAX) {
		vm_crash(vm,
			 "guest hypercall CONSOLE: length %" PRIu64
			 " is over the limit of %u bytes",
			 c.len, EMBER_CONSOLE_MAX);
		return 1;
	}
	/* Like write(2), an empty write needs no valid buffer. */
	if (c.len && !guest_readable(vm, c.buf, c.len)) {
		vm_crash(vm,
			 "guest hypercall CONSOLE: buffer 0x%" PRIx64
			 "+%" PRIu64 " is outside guest memory",
			 c.buf, c.len);
		return 1;
	}
	ret = c.len ? write_all((int)c.fd, guest_ptr(&vm->mem, c.buf, c.len),
				c.len)
		    : 0;
	if (ret > 0)
		vm->stats.console_bytes += (uint64_t)ret;
	copy_ret(vm, gpa, offsetof(struct ember_hc_console, ret), ret);
	return 0;
}

static int hc_exit(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_exit e;

	if (copy_in(vm, HC(EMBER_HC_EXIT), gpa, &e, sizeof(e)))
		return 1;
	vm->end = VM_EXITED;
	vm->exit_status = e.status & 0xff;
	return 1;
}

/* Sleep until the absolute CLOCK_MONOTONIC time until; 1 if a stop
 * signal ended the VM. */
static int sleep_until(struct vm *vm, uint64_t until)
{
	struct timespec ts = {.tv_sec = (time_t)(until / 1000000000u),
			      .tv_nsec = (long)(until % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		if (vm_stop_requested(vm))
			return 1;
	return 0;
}

static int hc_block(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_block b;
	uint64_t now = now_ns(), until;

	if (copy_in(vm, HC(EMBER_HC_BLOCK), gpa, &b, sizeof(b)))
		return 1;
	if (vm->net) {
		if (net_block(vm, b.timeout_ns))
			return 1;
		copy_ret(vm, gpa, offsetof(struct ember_hc_block, ret), 0);
		return 0;
	}
	/* No network device: nothing but time can wake the guest. */
	if (b.timeout_ns == UINT64_MAX) {
		vm_crash(vm, "guest blocked forever with nothing to wake it");
		return 1;
	}
	until =
	    b.timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + b.timeout_ns;
	if (vm->deadline_ns && vm->deadline_ns <= until) {
		if (sleep_until(vm, vm->deadline_ns))
			return 1;
		return vm_timeout(vm);
	}
	if (sleep_until(vm, until))
		return 1;
	copy_ret(vm, gpa, offsetof(struct ember_hc_block, ret), 0);
	return 0;
}

static int64_t protect(struct vm *vm, const struct ember_hc_protect *p)
{
	const struct guest_layout *l = &vm->layout;

	if (p->addr % EMBER_PAGE_SIZE || p->len % EMBER_PAGE_SIZE)
		return -EINVAL;
	if (p->prot != PROT_NONE && p->prot != PROT_READ &&
	    p->prot != (PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (p->addr < l->heap_start || p->addr > l->heap_end ||
	    p->len > l->heap_end - p->addr)
		return -ENOMEM;
	if (p->len == 0)
		return 0;
	return vm->be->protect(vm, p->addr, p->len, p->prot);
}

static int hc_protect(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_protect p;

	if (copy_in(vm, HC(EMBER_HC_PROTECT), gpa, &p, sizeof(p)))
		return 1;
	copy_ret(vm, gpa, offsetof(struct ember_hc_protect, ret),
		 protect(vm, &p));
	return 0;
}

static int hc_crash(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_crash c;

	if (!guest_readable(vm, gpa, sizeof(c))) {
		vm_crash(vm,
			 "guest crashed, and its crash report at 0x%" PRIx64
			 " is outside guest memory",
			 gpa);
		return 1;
	}
	memcpy(&c, guest_ptr(&vm->mem, gpa, sizeof(c)), sizeof(c));
	crash_report(vm, &c);
	return 1;
}

/* x86-64 canonical: bits 63..47 all equal. */
static int canonical(uint64_t a)
{
	uint64_t top = a >> 47;

	return top == 0 || top == 0x1ffff;
}

static int hc_set_fs_base(struct vm *vm, uint64_t gpa)
{
	struct ember_hc_fs_base f;
	int64_t ret;

	if (copy_in(vm, HC(EMBER_HC_SET_FS_BASE), gpa, &f, sizeof(f)))
		return 1;
	ret =
	    canonical(f.fs_base) ? vm->be->set_fs_base(vm, f.fs_base) : -EINVAL;
	copy_ret(vm, gpa, offsetof(struct ember_hc_fs_base, ret), ret);
	return 0;
}

int hypercall_dispatch(struct vm *vm, uint16_t port, uint32_t value)
{
	static int (*const handlers[EMBER_HC_PORT_COUNT])(struct vm *,
							  uint64_t) = {
	    hc_console, hc_exit, hc_block, hc_protect, hc_crash, hc_set_fs_base,
	};
	unsigned hc = (unsigned)port - EMBER_HC_PORT_BASE;

	if (port < EMBER_HC_PORT_BASE || hc >= EMBER_HC_PORT_COUNT) {
		vm->stats.hypercalls[HC_INVALID]++;
		vm_crash(vm,
			 "guest wrote 0x%" PRIx32 " to I/O port 0x%x, which is "
			 "not a hypercall port",
			 value, port);
		return 1;
	}
	vm->stats.hypercalls[hc]++;
	return handlers[hc](vm, value);
}
