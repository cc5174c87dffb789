/*
 * Internal interfaces of the runtime (libember.a). Everything here runs
 * at CPL3 inside the image; there is no kernel below us.
 */
#ifndef EMBER_RT_H
#define EMBER_RT_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"
#include "vmem.h"

/* The boot info page, validated by ember_start_c before anything else. */
extern const struct ember_bootinfo *ember_bi;
extern struct ember_guest_stats ember_guest_stats;
extern struct vmem ember_vmem;

/* syscall_entry.S: the entry point musl calls instead of `syscall`; it
 * saves the caller's registers in ember_syscall_caller (rax and rflags
 * excepted) and jumps to ember_syscall_dispatch (syscall.c). */
long ember_syscall(long n, long a1, long a2, long a3, long a4, long a5,
		   long a6);
long ember_syscall_dispatch(long n, long a1, long a2, long a3, long a4, long a5,
			    long a6);
extern struct ember_crash_regs ember_syscall_caller;

/* console.c: write to the monitor's stdout (1) or stderr (2), split into
 * hypercall-sized chunks. Bytes written or -errno. */
long ember_console_write(unsigned fd, const void *buf, size_t len);
/* One NUL-terminated string to stderr (for the runtime's own messages). */
void ember_console_puts(const char *s);

/* console.c: is [p, p+len) guest memory the monitor may read? Checked
 * before a pointer goes to the monitor, which ends the VM on a bad one,
 * so that the application gets -EFAULT as it would from Linux. */
int ember_range_readable(const void *p, size_t len);

/* exit.c: end the VM with status; never returns. */
_Noreturn void ember_exit(int status);

/* crash.c: report an abort (or fatal signal sig; 0 for a deadlock) with
 * the registers and backtrace of the current system call's caller, then
 * end the VM. Only valid inside a system call. */
_Noreturn void ember_crash_abort(int sig);

/* clock.c */
struct timespec;
void ember_clock_init(void);
uint64_t ember_rdtsc(void);
uint64_t ember_monotonic_ns(void);
/* Sleep until monotonic time deadline_ns (block hypercalls, no spinning). */
void ember_sleep_until(uint64_t deadline_ns);
/* A timespec as ns (saturating); -EINVAL if out of range, -EFAULT if NULL. */
int ember_timespec_ns(const struct timespec *ts, uint64_t *ns);

/* random.c: ember_seed_bytes is the ChaCha20 stream keyed from the boot
 * seed (deterministic cost, for boot); ember_random_bytes prefers RDRAND. */
void ember_random_init(void);
void ember_seed_bytes(void *buf, size_t len);
void ember_random_bytes(void *buf, size_t len);

/* chacha20.c: one block of the ChaCha20 keystream (words 12..15 of the
 * state are counter and nonce). */
void ember_chacha20_block(const uint32_t key[8], const uint32_t ctr_nonce[4],
			  uint8_t out[64]);

/* cpu.c: CPUID leaf 1, read once at boot (CPUID exits to the hypervisor,
 * so it is not something to do per call). */
extern uint32_t ember_cpuid1_ecx, ember_cpuid1_edx;
void ember_cpu_init(void);

/* mem_syscalls.c */
void ember_mem_init(void);

/* The network module (unikernel-rt/net/), when the image links it:
 * brings the device and the stack up. start.c calls it before main when
 * the boot info has EMBER_BI_NET; the scheduler and libc are ready. */
void ember_net_start(void) __attribute__((weak));

/* unsupported.c: -ENOSYS with one warning per syscall number. */
long ember_unsupported(long n);

#endif
