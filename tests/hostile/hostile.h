/*
 * Shared by the hostile guests (tests/hostile/NAME.c): test images that
 * attack ember-vmm on purpose, one attack per run, chosen by argv[1].
 * tests/hostile.bats runs each and checks how the monitor reacts.
 *
 * An attack that the monitor should have stopped but did not prints
 * "hostile: NAME: not stopped" and exits HOSTILE_NOT_STOPPED, so a
 * monitor that lets something through fails the test with a clear
 * message instead of a confusing status.
 */
#ifndef EMBER_HOSTILE_H
#define EMBER_HOSTILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember/abi.h"

#define HOSTILE_NOT_STOPPED 3 /* the attack went through */
#define HOSTILE_BAD_CASE    2 /* no such attack */

struct hostile_case {
	const char *name;
	void (*run)(void);
};

/* The runtime's pointer to the boot info (unikernel-rt/start.c). */
extern const struct ember_bootinfo *ember_bi;

/* Run the case named argv[1] of cases[0..n); it returns only if the
 * monitor did not end the VM. */
static inline int hostile_main(int argc, char **argv,
			       const struct hostile_case *cases, size_t n)
{
	for (size_t i = 0; argc > 1 && i < n; i++) {
		if (strcmp(argv[1], cases[i].name) != 0)
			continue;
		cases[i].run();
		printf("hostile: %s: done\n", argv[1]);
		return 0;
	}
	fprintf(stderr, "hostile: no such case %s; cases:",
		argc > 1 ? argv[1] : "(none)");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", cases[i].name);
	fputc('\n', stderr);
	return HOSTILE_BAD_CASE;
}

/* The attack should have ended the VM but came back. */
static inline _Noreturn void not_stopped(const char *what)
{
	printf("hostile: %s: not stopped\n", what);
	fflush(stdout);
	exit(HOSTILE_NOT_STOPPED);
}

/* Port I/O exactly as written: the hypercall instruction and its wrong
 * variants. No "memory" clobber is missing: the monitor may write the
 * argument struct. */
static inline void io_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "d"(port) : "memory");
}

static inline void io_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "d"(port) : "memory");
}

static inline void io_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "d"(port) : "memory");
}

static inline uint32_t io_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "d"(port) : "memory");
	return v;
}

static inline uint8_t io_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port) : "memory");
	return v;
}

/* The hypercall with a 64-bit pointer truncated the way the ABI says
 * (%eax is the argument): argument structs must be below 4 GiB. */
static inline void hypercall(uint16_t port, const volatile void *arg)
{
	io_outl(port, (uint32_t)(uintptr_t)arg);
}

#endif
