/*
 * Guest memory as the monitor sees it: one host mapping of
 * [0, size) guest-physical. Every guest-controlled address goes through
 * guest_ptr(), which checks the whole range, overflow-safe.
 */
#ifndef EMBER_GUEST_MEM_H
#define EMBER_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *base; /* host address of guest-physical 0 */
	uint64_t size;
};

/* Host pointer to [gpa, gpa + len) or NULL if any byte is outside guest
 * memory or the range wraps. len 0 is valid for any gpa <= size. */
static inline void *guest_ptr(const struct guest_mem *m, uint64_t gpa,
			      uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}

#endif
