/*
 * Entering the sandbox, once the VM is built and before the guest first
 * runs: prepare the stats file (no file can be created afterwards),
 * close every descriptor the monitor does not hold (inherited ones
 * included: they must not reach the run loop), drop to --user, then
 * no_new_privs and the seccomp filter for what the backend holds
 * (sandbox.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core.h"
#include "kvm_state.h"
#include "net.h"
#include "proc.h"
#include "sandbox.h"

#define MAX_KEEP 8

/* Sanitizer builds (make test SANITIZE=1): see sandbox.h, log_only. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_LOG_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_LOG_ONLY 1
#endif
#endif
#ifndef SANDBOX_LOG_ONLY
#define SANDBOX_LOG_ONLY 0
#endif

struct keep {
	int fd[MAX_KEEP];
	unsigned n;
};

static void keep_fd(struct keep *k, int fd)
{
	if (fd > STDERR_FILENO && k->n < MAX_KEEP)
		k->fd[k->n++] = fd;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* close_range(lo, hi) for lo <= hi; a close() loop on kernels < 5.9. */
static void close_between(unsigned lo, unsigned hi)
{
	long max;

	if (lo > hi || syscall(SYS_close_range, lo, hi, 0u) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (unsigned fd = lo; fd <= hi && fd < (unsigned)max; fd++)
		close((int)fd);
}

/* Every descriptor above stderr but the kept ones. */
static void close_others(struct keep *k)
{
	unsigned lo = STDERR_FILENO + 1;

	qsort(k->fd, k->n, sizeof(k->fd[0]), cmp_int);
	for (unsigned i = 0; i < k->n; i++) {
		if ((unsigned)k->fd[i] > lo)
			close_between(lo, (unsigned)k->fd[i] - 1);
		lo = (unsigned)k->fd[i] + 1;
	}
	close_between(lo, ~0u);
}

/* What the backend holds: fds to keep, and the filter's arguments. */
static void backend_spec(struct vm *vm, struct sandbox_spec *s, struct keep *k)
{
	if (vm->be == &backend_kvm) {
		const struct kvm_state *ks = vm->be_state;

		sandbox_spec_init(s, SANDBOX_KVM);
		keep_fd(k, ks->kvm_fd);
		keep_fd(k, ks->vm_fd);
		keep_fd(k, ks->vcpu_fd);
		s->vcpu_fd = ks->vcpu_fd;
		s->mem_base = (uint64_t)(uintptr_t)vm->mem.base;
		s->mem_size = vm->mem.size;
	} else {
		const struct proc *p = vm->be_state;

		sandbox_spec_init(s, SANDBOX_PROCESS);
		keep_fd(k, p->memfd);
		keep_fd(k, p->pidfd);
		s->child = p->pid;
		s->pidfd = p->pidfd;
	}
}

int sandbox_enter(struct vm *vm, struct stats_file *sf)
{
	const struct options *o = vm->opt;
	struct sandbox_spec s;
	struct keep k = {{0}, 0};
	int rc;

	if (o->stats_path && strcmp(o->stats_path, "-") != 0 &&
	    stats_prepare(o->stats_path, &o->user, sf) < 0) {
		vmm_error("--stats: cannot write '%s': %s", o->stats_path,
			  strerror(errno));
		return -1;
	}
	backend_spec(vm, &s, &k);
	if (vm->net) {
		keep_fd(&k, vm->net->dev.tap_fd);
		s.tap_fd = vm->net->dev.tap_fd;
	}
	if (sf->fd >= 0) {
		keep_fd(&k, sf->fd);
		s.stats_fd = sf->fd;
		s.stats_tmp = sf->tmp;
		s.stats_path = o->stats_path;
	}
	close_others(&k);
	if (user_drop(&o->user) < 0)
		return -1;
	if (o->no_sandbox)
		return 0;
	s.log_only = SANDBOX_LOG_ONLY;
	rc = sandbox_install(&s);
	if (rc < 0) {
		vmm_error("cannot install the seccomp sandbox: %s (run with "
			  "--no-sandbox to debug without it)",
			  strerror(-rc));
		return -1;
	}
	return 0;
}
