/*
 * The monitor's sandbox (DESIGN.md, decision 10): before the guest first
 * runs, ember-vmm closes every descriptor it does not hold, may drop to
 * an unprivileged user (--user), sets no_new_privs and installs a
 * seccomp filter that allows only the system calls of its run loop and
 * teardown, on the descriptors and the child it holds.
 *
 * sandbox.c builds and loads the filter from a sandbox_spec alone (no
 * struct vm), so that tests/unit/test_sandbox.c can install the very
 * same filter in a test process and watch it kill a forbidden call.
 * sandbox_enter.c fills the spec in from the VM; user.c is --user.
 */
#ifndef EMBER_SANDBOX_H
#define EMBER_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

enum sandbox_backend { SANDBOX_KVM, SANDBOX_PROCESS };

struct sandbox_spec {
	enum sandbox_backend backend;
	int tap_fd;   /* the tap, -1 without --net */
	int stats_fd; /* the --stats FILE's temporary file, or -1 */
	const char *stats_tmp, *stats_path; /* renamed at exit (by pointer) */
	/* KVM: the vCPU and the guest memory mapping (mprotect). */
	int vcpu_fd;
	uint64_t mem_base, mem_size;
	/* process: the traced guest process and its pidfd (-1: none yet). */
	pid_t child;
	int pidfd;
	/* Log forbidden calls instead of killing: sanitizer builds only,
	 * whose run time (LeakSanitizer at exit) needs clone, ptrace and
	 * /proc of its own. Never set in a production build. */
	int log_only;
};

/* A spec with no fds, no child: fill in what the backend holds. */
void sandbox_spec_init(struct sandbox_spec *s, enum sandbox_backend b);

/* Set no_new_privs and load the filter for s. Returns 0, or -errno
 * (nothing is installed then). */
int sandbox_install(const struct sandbox_spec *s);

#endif
