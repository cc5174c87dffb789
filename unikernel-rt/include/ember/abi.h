/*
 * The Ember guest/monitor ABI, version 1.
 *
 * Shared, unchanged, by the runtime (unikernel-rt), the monitor (monitor/)
 * and the image tools (linker/, tools/). Every structure here lives in
 * guest memory, so the monitor treats every field as hostile input.
 *
 * Guest physical addresses equal guest virtual addresses (identity map).
 */
#ifndef EMBER_ABI_H
#define EMBER_ABI_H

#include <stdint.h>

#define EMBER_ABI_VERSION 1u

/* ---- Exit statuses of ember-vmm (documented in the README) ---------- */
/* 0..255 is the guest's own status on a normal exit, except these,
 * which the monitor uses when the guest did not exit by itself. */
#define EMBER_EXIT_TIMEOUT 124 /* --timeout expired, VM killed */
#define EMBER_EXIT_ERROR   125 /* monitor error: usage, image, KVM, host */
/* guest crashed: exception, abort, triple fault */
#define EMBER_EXIT_CRASH 126

/* ---- Guest physical memory layout ------------------------------------ */
#define EMBER_PAGE_SIZE 0x1000ull
/* [0, 0x1000) is never mapped: NULL guard. */
/* [0x1000, 0x10000): monitor-owned, supervisor-only (GDT, IDT, TSS, PML4,
 * PDPT, PDs on KVM). Not mapped for the guest. */
#define EMBER_SYS_START 0x1000ull
#define EMBER_SYS_END	0x10000ull
/* [0x10000, 0x20000): boot info region, read-only for the guest. */
#define EMBER_BOOTINFO_GPA  0x10000ull
#define EMBER_BOOTINFO_SIZE 0x10000ull
/* [0x20000, 0x100000): monitor-owned page tables (PTs), supervisor-only. */
#define EMBER_PT_START 0x20000ull
#define EMBER_PT_END   0x100000ull
/* The image is linked at 1 MiB. Segments must lie at or above this. */
#define EMBER_IMAGE_BASE 0x100000ull
/* Main stack at the top of memory, with one unmapped guard page below. */
#define EMBER_STACK_SIZE 0x100000ull /* 1 MiB */
#define EMBER_GUARD_SIZE EMBER_PAGE_SIZE
/* Smallest and largest --mem accepted. */
#define EMBER_MEM_MIN	  (4ull << 20)
#define EMBER_MEM_MAX	  (8ull << 30)
#define EMBER_MEM_DEFAULT (64ull << 20)

/* ---- Boot info: at EMBER_BOOTINFO_GPA, read-only for the guest ------- */
#define EMBER_BOOTINFO_MAGIC 0x544f4f42524d4245ull /* "EMBRBOOT" */

/* bootinfo.flags */
/* wrfsbase is usable; else EMBER_HC_SET_FS_BASE */
#define EMBER_BI_FSGSBASE (1u << 0)
#define EMBER_BI_QUIET	  (1u << 1) /* monitor ran with --quiet */
#define EMBER_BI_NET	  (1u << 2) /* a virtio-net device: see bootinfo.net */

/* ---- Network device (virtio-mmio, virtio 1.x modern layout) --------- */
/* The device's register window: one page just above the largest guest
 * memory, never RAM on either backend. Identity-mapped for the guest
 * (user, read/write, no execute) when the VM has a device. */
#define EMBER_NET_MMIO_GPA  EMBER_MEM_MAX
#define EMBER_NET_MMIO_SIZE 0x1000ull
#define EMBER_NET_MAX_DNS   4u

/* bootinfo.net, valid when bootinfo.flags has EMBER_BI_NET. Addresses
 * are IPv4 in network byte order; ip == 0 means "configure by DHCP". */
struct ember_net_config {
	uint64_t mmio_base; /* EMBER_NET_MMIO_GPA */
	uint64_t mmio_size; /* EMBER_NET_MMIO_SIZE */
	uint8_t mac[6];	    /* also in the device's config space */
	uint8_t prefix_len; /* --ip ADDR/PREFIX; 0 with DHCP */
	uint8_t ndns;	    /* entries used in dns[] */
	uint16_t mtu;	    /* 1500 */
	uint16_t reserved0;
	uint32_t ip; /* 0 = DHCP */
	uint32_t gw; /* 0 = none */
	uint32_t dns[EMBER_NET_MAX_DNS];
};

/* bootinfo.backend */
#define EMBER_BACKEND_KVM     1u
#define EMBER_BACKEND_PROCESS 2u

struct ember_bootinfo {
	uint64_t magic;	      /* EMBER_BOOTINFO_MAGIC */
	uint32_t abi_version; /* EMBER_ABI_VERSION */
	uint32_t flags;	      /* EMBER_BI_* */
	uint32_t backend;     /* EMBER_BACKEND_* */
	uint32_t reserved0;
	uint64_t mem_size;     /* bytes of guest memory, [0, mem_size) */
	uint64_t image_start;  /* lowest segment address (page aligned) */
	uint64_t image_end;    /* end of highest segment (page aligned) */
	uint64_t heap_start;   /* the runtime owns [heap_start, heap_end) */
	uint64_t heap_end;     /* for brk and mmap; page aligned */
	uint64_t stack_bottom; /* main stack [stack_bottom, stack_top); */
	uint64_t stack_top; /* guard page [stack_bottom - 4K, stack_bottom) */
	/* Time: monotonic_ns = (rdtsc - boot_tsc) * 1e6 / tsc_khz;
	 * realtime_ns = boot_realtime_ns + monotonic_ns. */
	uint64_t tsc_khz;
	uint64_t boot_tsc;
	uint64_t boot_realtime_ns;
	uint8_t random_seed[32]; /* from the host's getrandom() */
	uint32_t argc;		 /* argv[0] is the image name */
	uint32_t envc;
	uint64_t
	    argv; /* GPA of char *[argc + 1], NULL terminated, in this region */
	uint64_t
	    envp; /* GPA of char *[envc + 1], NULL terminated, in this region */
	char hostname[64];
	struct ember_net_config net; /* when flags & EMBER_BI_NET */
};

/* ---- Hypercalls ------------------------------------------------------ */
/*
 * A hypercall is `outl %eax, %dx` from CPL3 (IOPL=3) with %dx = port and
 * %eax = guest physical address of the argument struct for that port.
 * The struct must lie entirely inside guest RAM; the monitor copies it in,
 * validates every field, and writes results back into it. A hypercall with
 * a bad struct address, or a bad field, ends the VM with EMBER_EXIT_CRASH
 * and one line naming the hypercall and the problem.
 */
/* Ports, each taking the struct named after it (ember_hc_<name>). */
#define EMBER_HC_PORT_BASE   0x500u
#define EMBER_HC_CONSOLE     (EMBER_HC_PORT_BASE + 0)
#define EMBER_HC_EXIT	     (EMBER_HC_PORT_BASE + 1)
#define EMBER_HC_BLOCK	     (EMBER_HC_PORT_BASE + 2)
#define EMBER_HC_PROTECT     (EMBER_HC_PORT_BASE + 3)
#define EMBER_HC_CRASH	     (EMBER_HC_PORT_BASE + 4)
#define EMBER_HC_SET_FS_BASE (EMBER_HC_PORT_BASE + 5) /* ember_hc_fs_base */
#define EMBER_HC_PORT_COUNT  6u

/* Write buf[0..len) to the monitor's stdout (fd 1) or stderr (fd 2).
 * len may be up to EMBER_CONSOLE_MAX; ret = bytes written or -errno. */
#define EMBER_CONSOLE_MAX (1u << 20)
struct ember_hc_console {
	uint64_t buf;
	uint64_t len;
	uint32_t fd;
	uint32_t reserved;
	int64_t ret;
};

/* Normal exit: the VM ends, ember-vmm exits with status & 0xff. */
struct ember_hc_exit {
	int32_t status;
	uint32_t reserved;
};

/* Wait until timeout_ns passes (or, with a network device, a packet
 * arrives). UINT64_MAX = no deadline: only valid with a network device.
 * With a network device, the monitor first processes the TX queue (so
 * this call doubles as a TX kick), then waits, then fills the RX queue
 * with what arrived (several packets per call) before returning.
 * ret = 0, or -EINVAL. */
struct ember_hc_block {
	uint64_t timeout_ns;
	int64_t ret;
};

/* Change the guest's access to [addr, addr + len): page aligned, inside
 * [heap_start, heap_end). prot is PROT_NONE, PROT_READ or
 * PROT_READ|PROT_WRITE (never PROT_EXEC). ret = 0 or -EINVAL/-ENOMEM. */
struct ember_hc_protect {
	uint64_t addr;
	uint64_t len;
	uint32_t prot;
	uint32_t reserved;
	int64_t ret;
};

/* The runtime's exception handler reports a CPU exception and never
 * returns: the monitor prints the crash report (symbolising rip and the
 * backtrace from the image's symbol table) and exits EMBER_EXIT_CRASH.
 * The monitor supplies the faulting address (CR2) itself. */
#define EMBER_CRASH_MAX_FRAMES 32u
#define EMBER_CRASH_ABORT      0xffffffffu /* vector value for abort() */
struct ember_crash_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};
struct ember_hc_crash {
	uint32_t vector; /* 0..31, or EMBER_CRASH_ABORT */
	uint32_t nframes;
	uint64_t error_code;
	struct ember_crash_regs regs;
	uint64_t frames[EMBER_CRASH_MAX_FRAMES]; /* return addresses */
};

/* Process backend only (bootinfo.flags lacks EMBER_BI_FSGSBASE):
 * set the FS base for TLS. */
struct ember_hc_fs_base {
	uint64_t fs_base;
	int64_t ret;
};

/* ---- Exceptions ------------------------------------------------------ */
/*
 * The monitor points IDT vectors 0..31 at trap_entry + 16 * vector, DPL3
 * gates into the guest's CPL3 code segment, all on an IST stack whose top
 * is trap_stack_top. The CPU (or the process backend, emulating it)
 * pushes SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17, 21, 29,
 * 30, an error code. Each 16-byte stub normalises the frame (pushing a
 * zero error code where the CPU did not) and jumps to the common handler.
 */
#define EMBER_TRAP_STUB_SIZE 16u
#define EMBER_TRAP_VECTORS   32u

/* ---- Guest statistics, written by the guest, read by the monitor at exit */
struct ember_guest_stats {
	uint64_t first_insn_tsc; /* rdtsc at the image's entry point */
	uint64_t main_tsc;	 /* rdtsc just before main() */
};

/* ---- Manifest: ELF note "EMBER", type EMBER_NOTE_MANIFEST -------------- */
#define EMBER_NOTE_NAME		"EMBER"
#define EMBER_NOTE_MANIFEST	1u
#define EMBER_MF_NET_REQUIRED	(1u << 0)
#define EMBER_MANIFEST_ARGS_MAX 1024u

struct ember_manifest {
	uint32_t abi_version; /* EMBER_ABI_VERSION the image was built for */
	uint32_t flags;	      /* EMBER_MF_* */
	uint64_t mem_default; /* bytes; 0 = the monitor's default */
	uint64_t trap_entry;  /* vector stubs, EMBER_TRAP_VECTORS * 16 bytes, in
				 an X segment */
	uint64_t trap_stack_top; /* 16-byte aligned top of the exception stack,
				    in a W segment */
	uint64_t guest_stats;	 /* struct ember_guest_stats, in a W segment */
	uint32_t args_len;	 /* bytes used in args */
	uint32_t reserved;
	/* Default arguments (after argv[0]) used when none are given on the
	 * command line: args_len bytes of NUL-terminated strings. */
	char args[EMBER_MANIFEST_ARGS_MAX];
};

#endif
