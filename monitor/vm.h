/*
 * The monitor's central state and the interface between its
 * backend-independent core (cli, image, layout, bootinfo, hypercalls,
 * crash reports, stats) and the two execution backends:
 *   kvm      - a KVM micro-VM (backend_kvm.c), the default
 *   process  - a ptrace'd child process with PTRACE_SYSEMU, for hosts
 *              without /dev/kvm (backend_process.c)
 */
#ifndef EMBER_VM_H
#define EMBER_VM_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"
#include "guest_mem.h"
#include "image.h"
#include "stats.h"
#include "user.h"

/* --net and the guest's network configuration (cli_net.c). Addresses
 * in network byte order, as in struct ember_net_config. */
struct net_options {
	const char *tap; /* --net TAP; NULL = no network device */
	uint8_t mac[6];	 /* --mac, else derived from the tap's name */
	int have_mac;
	uint32_t ip, gw; /* 0 = DHCP / no gateway */
	uint8_t prefix_len;
	uint32_t dns[EMBER_NET_MAX_DNS];
	unsigned ndns;
	const char
	    *first_net_only; /* name of the first --ip/--gw/--dns/--mac */
};

struct options {
	uint64_t mem_size; /* 0 = from manifest, else EMBER_MEM_DEFAULT */
	char **env;	   /* --env K=V, in order */
	size_t nenv;
	char **args; /* after "--"; NULL = manifest default args */
	size_t nargs;
	int have_args;		/* "--" was given (even with no args) */
	double timeout_sec;	/* 0 = none */
	const char *stats_path; /* NULL = no stats; "-" = stderr */
	int quiet;
	const char *backend; /* "kvm" or "process" */
	const char *image_path;
	struct net_options net;
	struct user_options user; /* --user UID[:GID] */
	int no_sandbox;		  /* --no-sandbox (debugging only) */
};

/* The guest layout: every range the monitor maps for the guest. */
struct guest_layout {
	uint64_t mem_size;
	uint64_t image_start, image_end; /* page aligned */
	uint64_t heap_start, heap_end;
	uint64_t stack_guard; /* unmapped page */
	uint64_t stack_bottom, stack_top;
};

struct vm;
struct net;

struct backend_ops {
	const char *name;
	/* Allocate guest memory of layout.mem_size into vm->mem and create
	 * the VM (KVM: /dev/kvm, VM, memory slot, vCPU). On failure print
	 * one clear line and return -1. */
	int (*create)(struct vm *vm);
	/* Map the image segments, boot info, heap and stack with their
	 * permissions and set the CPU state: rip = entry, rsp = stack_top,
	 * CPL3, IOPL3. Called after the image and boot info are in memory. */
	int (*prepare)(struct vm *vm);
	/* The guest's TSC now (for bootinfo.boot_tsc and stats), and the TSC
	 * frequency in kHz. */
	uint64_t (*guest_tsc)(struct vm *vm);
	uint64_t (*tsc_khz)(struct vm *vm);
	/* Run until the VM ends; returns the monitor's exit status. Calls
	 * hypercall_dispatch() for every hypercall port access. Honours
	 * vm->deadline_ns (CLOCK_MONOTONIC; 0 = none) -> EMBER_EXIT_TIMEOUT. */
	int (*run)(struct vm *vm);
	/* The last page fault address (CR2), for crash reports. */
	uint64_t (*fault_address)(struct vm *vm);
	/* Apply EMBER_HC_PROTECT to the guest mapping (range validated by
	 * the caller). Returns 0 or -errno. */
	int (*protect)(struct vm *vm, uint64_t gpa, uint64_t len,
		       uint32_t prot);
	/* Set FS base (process backend; KVM returns -ENOSYS). */
	int (*set_fs_base)(struct vm *vm, uint64_t base);
	/* Release everything: fds, memory, child processes. Idempotent. */
	void (*destroy)(struct vm *vm);
};

extern const struct backend_ops backend_kvm;
extern const struct backend_ops backend_process;

enum vm_end {
	VM_RUNNING = 0,
	VM_EXITED,  /* guest called EMBER_HC_EXIT */
	VM_CRASHED, /* exception report, abort, bad hypercall, triple fault */
	VM_TIMEOUT,
	VM_ERROR, /* monitor-side failure */
};

struct vm {
	const struct options *opt;
	const struct backend_ops *be;
	void *be_state; /* backend private */
	struct image img;
	struct guest_layout layout;
	struct guest_mem mem;
	struct stats stats;
	struct net *net;      /* the network device, NULL without --net */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC, 0 = none */
	enum vm_end end;
	int exit_status; /* ember-vmm's exit status once end != VM_RUNNING */
};

/* Hypercall dispatch: the backend calls this when the guest writes
 * `value` (a GPA) to `port` with a 4-byte access. Any other access width
 * to the hypercall ports is a guest error. Returns 0 to continue running,
 * or 1 when the VM has ended (vm->end and vm->exit_status are set). */
int hypercall_dispatch(struct vm *vm, uint16_t port, uint32_t value);

/* End the VM as crashed with one line (printf-style) on stderr, e.g. for
 * a triple fault or an unexpected exit; sets end/exit_status. */
void vm_crash(struct vm *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print one "ember-vmm: ..." line to stderr (unless it is a guest-output
 * line). Used for every user-facing error. */
void vmm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Compute the layout for mem_size; on error print one line, return -1. */
int layout_compute(const struct image *img, uint64_t mem_size,
		   struct guest_layout *out);

/* Write struct ember_bootinfo, argv and envp into the boot info region.
 * argv[0] is the image's base name. Returns -1 (with one line) if they
 * do not fit in EMBER_BOOTINFO_SIZE. */
int bootinfo_write(struct vm *vm, char *const *args, size_t nargs,
		   uint64_t boot_tsc, uint64_t tsc_khz);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* Like vmm_error, for informational lines: silent with --quiet. */
void vmm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* SIGINT/SIGTERM: main() installs handlers without SA_RESTART, so a
 * blocking call in the run loop (KVM_RUN, waitpid, ppoll, nanosleep)
 * fails with EINTR. The run loop then calls vm_stop_requested(): if a
 * stop signal arrived it ends the VM (one line, exit status 128 + signal,
 * end = VM_ERROR) and returns 1; otherwise it returns 0 (retry). main()
 * always calls destroy afterwards. */
int vm_stop_requested(struct vm *vm);

/* The deadline (vm->deadline_ns) passed: print the timeout line, set
 * end = VM_TIMEOUT and exit_status = EMBER_EXIT_TIMEOUT; returns 1. */
int vm_timeout(struct vm *vm);

#endif
