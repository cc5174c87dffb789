/*
 * Hypercalls: `outl %eax, %dx` with %dx = port and %eax = the guest
 * physical (== virtual) address of the argument struct. The monitor reads
 * the struct, acts, and writes results back into it before the guest
 * resumes, hence the memory clobber.
 *
 * %eax is 32 bits: argument structs must live below 4 GiB. The image is
 * linked at 1 MiB, so every struct passed here is a static in the image,
 * never on the stack (which sits at the top of memory, maybe above 4 GiB).
 */
#ifndef EMBER_RT_HYPERCALL_H
#define EMBER_RT_HYPERCALL_H

#include <stdint.h>

#include "ember/abi.h"

static inline void ember_hypercall(uint16_t port, void *arg)
{
	uint32_t gpa = (uint32_t)(uintptr_t)arg;

	__asm__ volatile("outl %0, %1" : : "a"(gpa), "Nd"(port) : "memory");
}

#endif
