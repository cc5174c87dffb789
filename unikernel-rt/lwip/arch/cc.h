/*
 * lwIP's compiler/platform glue for Ember images: musl's headers (built
 * with -nostdinc against our musl), errno from musl so socket errors
 * carry Linux's values, diagnostics on the console.
 */
#ifndef EMBER_LWIP_ARCH_CC_H
#define EMBER_LWIP_ARCH_CC_H

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define LWIP_ERRNO_STDINCLUDE 1
/* BYTE_ORDER and LITTLE_ENDIAN: musl's <endian.h>. */

/* Random numbers for ports, DHCP xids and DNS ids (sys_arch.c). */
uint32_t ember_lwip_rand(void);
#define LWIP_RAND() ember_lwip_rand()

/* Messages and assertions go to the console; a failed assertion is a
 * bug in the stack or its glue and ends the VM as a crash. */
void ember_lwip_diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void ember_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_DIAG(x)	ember_lwip_diag x
#define LWIP_PLATFORM_ASSERT(x) ember_lwip_assert((x), __FILE__, __LINE__)

#endif
