/*
 * System calls the runtime does not implement: -ENOSYS, like a kernel
 * without them, plus one warning line per syscall number so the user
 * learns why something failed. The names come from musl's
 * <bits/syscall.h>, turned into a table at build time (rt.mk).
 */
#include <errno.h>

#include "rt.h"

extern const char *const ember_syscall_names[];
extern const unsigned ember_syscall_names_count;

#define MAX_WARNED 1024u
static uint64_t warned[MAX_WARNED / 64];
static int warned_out_of_range;

static int first_time(long n)
{
	uint64_t bit;

	if (n < 0 || (unsigned long)n >= MAX_WARNED) {
		if (warned_out_of_range)
			return 0;
		warned_out_of_range = 1;
		return 1;
	}
	bit = UINT64_C(1) << (n % 64);
	if (warned[n / 64] & bit)
		return 0;
	warned[n / 64] |= bit;
	return 1;
}

/* Append s to the line at *len, truncating at size - 1. */
static void append(char *line, size_t size, size_t *len, const char *s)
{
	while (*s && *len < size - 1)
		line[(*len)++] = *s++;
	line[*len] = '\0';
}

static void append_long(char *line, size_t size, size_t *len, long v)
{
	char digits[24], *p = digits + sizeof(digits);
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	append(line, size, len, p);
}

long ember_unsupported(long n)
{
	const char *name = "unknown";
	char line[160];
	size_t len = 0;

	if (!first_time(n))
		return -ENOSYS;
	if (n >= 0 && (unsigned long)n < ember_syscall_names_count &&
	    ember_syscall_names[n])
		name = ember_syscall_names[n];
	/* One line, one console write: it cannot interleave. */
	append(line, sizeof(line), &len, "ember: warning: syscall ");
	append(line, sizeof(line), &len, name);
	append(line, sizeof(line), &len, " (");
	append_long(line, sizeof(line), &len, n);
	append(line, sizeof(line), &len,
	       ") is not supported; returning ENOSYS\n");
	ember_console_write(2, line, len);
	return -ENOSYS;
}
