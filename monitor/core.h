/*
 * Interfaces private to the monitor's backend-independent core: command
 * line, signals, crash reports and the stats file. The backends only need
 * vm.h.
 */
#ifndef EMBER_CORE_H
#define EMBER_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* Parse the command line into opt. Returns -1 to go on and run the VM,
 * or the status to exit with right away (0 after --help / --version,
 * EMBER_EXIT_ERROR after one error line). */
int cli_parse(int argc, char **argv, struct options *opt);
void cli_free(struct options *opt);

/* The backend called name, or NULL. */
const struct backend_ops *backend_find(const char *name);

/* Set by --quiet: vmm_info() prints nothing. */
void vmm_set_quiet(int quiet);

/* Install the SIGINT/SIGTERM handlers (no SA_RESTART) and ignore SIGPIPE
 * (a closed stdout becomes -EPIPE for the guest). */
int vmm_install_signals(void);
/* The stop signal received so far, or 0. */
int vmm_stop_signal(void);

/* Split the manifest's default arguments (NUL-terminated strings) into
 * argv; returns how many, at most max. */
size_t manifest_args(const struct ember_manifest *mf, char **argv, size_t max);

/* The guest's EMBER_HC_CRASH report: print it and end the VM crashed. */
void crash_report(struct vm *vm, const struct ember_hc_crash *c);

/* The return address at [rsp] if rip is in a leaf function that set up
 * no frame (checked: the call before it targets rip's function), or 0. */
uint64_t crash_leaf_caller(const struct vm *vm, const struct ember_hc_crash *c);
/* The innermost return address on the stack above rsp that follows a
 * direct call to the function fn, or 0. */
uint64_t crash_call_site(const struct vm *vm, uint64_t rsp, const char *fn);

/* Guest TSC value -> host CLOCK_MONOTONIC ns using the boot reference in
 * vm->stats; 0 if tsc is 0 or not plausible. */
uint64_t stats_tsc_to_ns(const struct stats *st, uint64_t tsc);

/* The --stats FILE, prepared before the sandbox: a temporary file next
 * to FILE (given to the --user user, if any) that stats_write() fills
 * and renames onto FILE; under the sandbox the monitor can no longer
 * create files. */
struct stats_file {
	int fd; /* -1: not prepared */
	char *tmp;
};
/* 0, or -1 with errno set (nothing left behind). */
int stats_prepare(const char *path, const struct user_options *u,
		  struct stats_file *sf);

/* Write the --stats JSON to path ("-" = stderr), atomically, through sf
 * if it was prepared (else from scratch). Returns 0, or -1 after one
 * error line. */
int stats_write(const struct vm *vm, const char *path, struct stats_file *sf);

/* sandbox_enter.c: prepare the stats file into sf, close the fds the
 * monitor does not hold, drop to --user, install the seccomp filter
 * (unless --no-sandbox). Right before the backend's run(). 0, or -1
 * after one line. */
int sandbox_enter(struct vm *vm, struct stats_file *sf);

#endif
