/*
 * "64M" -> bytes, for the size options of ember-vmm (--mem) and ember-cc
 * (-ember-mem), which must accept and refuse exactly the same strings.
 * Host-side only (it uses strtoull).
 */
#ifndef EMBER_PARSE_SIZE_H
#define EMBER_PARSE_SIZE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Returns 0, -1 if s is not a decimal number with an optional K/M/G
 * suffix, or -2 if the value does not fit in 64 bits. */
static inline int ember_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -2;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (shift && end[1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -2;
	*out = (uint64_t)v << shift;
	return 0;
}

#endif
