/*
 * Console output: bytes go to the monitor's stdout or stderr with
 * EMBER_HC_CONSOLE, whole buffers at a time (each hypercall is a VM exit,
 * ~29 us on the target machines).
 */
#include <errno.h>
#include <string.h>

#include "hypercall.h"
#include "rt.h"

static struct ember_hc_console hc; /* static: below 4 GiB, see hypercall.h */

int ember_range_readable(const void *p, size_t len)
{
	uint64_t a = (uintptr_t)p;
	uint64_t guard = ember_bi->stack_bottom - EMBER_GUARD_SIZE;

	if (len == 0)
		return 1;
	if (a >= EMBER_BOOTINFO_GPA &&
	    a < EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE &&
	    len <= EMBER_BOOTINFO_GPA + EMBER_BOOTINFO_SIZE - a)
		return 1;
	if (a < ember_bi->image_start || a > ember_bi->mem_size ||
	    len > ember_bi->mem_size - a)
		return 0;
	/* The stack guard page is not mapped. */
	return a + len <= guard || a >= ember_bi->stack_bottom;
}

long ember_console_write(unsigned fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	if (!ember_range_readable(buf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done;

		if (n > EMBER_CONSOLE_MAX)
			n = EMBER_CONSOLE_MAX;
		hc.buf = (uintptr_t)(p + done);
		hc.len = n;
		hc.fd = fd;
		hc.ret = 0;
		ember_hypercall(EMBER_HC_CONSOLE, &hc);
		if (hc.ret <= 0)
			return done ? (long)done : (hc.ret ? hc.ret : -EIO);
		done += (size_t)hc.ret;
	}
	return (long)done;
}

void ember_console_puts(const char *s)
{
	ember_console_write(2, s, strlen(s));
}
