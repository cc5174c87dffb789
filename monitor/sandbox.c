/*
 * The seccomp filter of ember-vmm's run loop (see sandbox.h), built with
 * libseccomp. Default action: kill the whole monitor (its guest process
 * dies with it by PTRACE_O_EXITKILL, a tap it created goes away with
 * its fd). The allowlist is what the run loop, the hypercalls, the
 * network device, the crash reports, the stats file and the teardown
 * call, per backend; the README's "Sandbox" section lists it with the
 * reasons. Keep the two in step.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <seccomp.h>

#include "sandbox.h"

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

/* Every rule of one filter; failures are collected in err. */
struct builder {
	scmp_filter_ctx ctx;
	int err;
};

static void allow(struct builder *b, int nr, unsigned n,
		  const struct scmp_arg_cmp *cmp)
{
	int rc;

	if (b->err)
		return;
	rc = seccomp_rule_add_array(b->ctx, SCMP_ACT_ALLOW, nr, n, cmp);
	if (rc < 0)
		b->err = rc;
}

static void allow_any(struct builder *b, int nr)
{
	allow(b, nr, 0, NULL);
}

/* nr with argument `arg` equal to v. */
static void allow_eq(struct builder *b, int nr, unsigned arg, uint64_t v)
{
	struct scmp_arg_cmp c = {arg, SCMP_CMP_EQ, v, 0};

	allow(b, nr, 1, &c);
}

static void allow_eq2(struct builder *b, int nr, unsigned a1, uint64_t v1,
		      unsigned a2, uint64_t v2)
{
	struct scmp_arg_cmp c[2] = {{a1, SCMP_CMP_EQ, v1, 0},
				    {a2, SCMP_CMP_EQ, v2, 0}};

	allow(b, nr, 2, c);
}

static uint64_t fdarg(int fd)
{
	return (uint64_t)(unsigned)fd;
}

/* Both backends: console and stats output, the tap, time, signals,
 * memory for malloc, the end of the process. */
static void common_rules(struct builder *b, const struct sandbox_spec *s)
{
	/* Guest console (hc_console), our own lines, the stats JSON. */
	allow_eq(b, SCMP_SYS(write), 0, STDOUT_FILENO);
	allow_eq(b, SCMP_SYS(write), 0, STDERR_FILENO);
	/* glibc's fatal messages (malloc checks) before abort(). */
	allow_eq(b, SCMP_SYS(writev), 0, STDERR_FILENO);
	if (s->stats_fd >= 0)
		allow_eq(b, SCMP_SYS(write), 0, fdarg(s->stats_fd));
	/* The network device: one readv/writev per frame, ppoll to wait
	 * (its fd list is in memory: seccomp cannot check it). */
	if (s->tap_fd >= 0) {
		allow_eq(b, SCMP_SYS(readv), 0, fdarg(s->tap_fd));
		allow_eq(b, SCMP_SYS(writev), 0, fdarg(s->tap_fd));
	}
	allow_any(b, SCMP_SYS(ppoll));
	/* Time (when the vDSO falls back) and the block hypercall. */
	allow_any(b, SCMP_SYS(clock_gettime));
	allow_any(b, SCMP_SYS(gettimeofday));
	allow_any(b, SCMP_SYS(clock_nanosleep));
	allow_any(b, SCMP_SYS(nanosleep));
	allow_any(b, SCMP_SYS(restart_syscall)); /* after SIGSTOP/SIGCONT */
	/* SIGINT/SIGTERM/--timeout: handlers and the timer are set up by
	 * the backend's run(), the monitor re-raises a stop signal at the
	 * end (raise = getpid + gettid + tgkill on itself). */
	allow_any(b, SCMP_SYS(rt_sigreturn));
	allow_any(b, SCMP_SYS(rt_sigaction));
	allow_any(b, SCMP_SYS(rt_sigprocmask));
	allow_any(b, SCMP_SYS(timer_create));
	allow_any(b, SCMP_SYS(timer_settime));
	allow_any(b, SCMP_SYS(timer_delete));
	allow_any(b, SCMP_SYS(getpid));
	allow_any(b, SCMP_SYS(gettid));
	allow_eq(b, SCMP_SYS(tgkill), 0, (uint64_t)getpid());
	/* malloc and teardown: never a new executable mapping. */
	allow_any(b, SCMP_SYS(brk));
	{
		struct scmp_arg_cmp noexec = {2, SCMP_CMP_MASKED_EQ, PROT_EXEC,
					      0};
		allow(b, SCMP_SYS(mmap), 1, &noexec);
	}
	allow_any(b, SCMP_SYS(munmap));
	allow_any(b, SCMP_SYS(mremap));
	allow_any(b, SCMP_SYS(madvise));
	/* glibc's qsort asks for the memory size; it sorts the image's
	 * symbols when the first crash report reads them. */
	allow_any(b, SCMP_SYS(sysinfo));
	allow_any(b, SCMP_SYS(close));
	allow_any(b, SCMP_SYS(exit));
	allow_any(b, SCMP_SYS(exit_group));
	/* The stats file: its temporary name renamed onto FILE (or removed
	 * on a write error), these two strings only, compared by address. */
	if (s->stats_fd >= 0 && s->stats_tmp && s->stats_path) {
		uint64_t tmp = (uint64_t)(uintptr_t)s->stats_tmp;
		uint64_t path = (uint64_t)(uintptr_t)s->stats_path;

		allow_eq2(b, SCMP_SYS(rename), 0, tmp, 1, path);
		allow_eq2(b, SCMP_SYS(renameat), 1, tmp, 3, path);
		allow_eq2(b, SCMP_SYS(renameat2), 1, tmp, 3, path);
		allow_eq(b, SCMP_SYS(unlink), 0, tmp);
		allow_eq(b, SCMP_SYS(unlinkat), 1, tmp);
	}
}

/* KVM: ioctl only on the vCPU, only what the run loop uses. */
static void kvm_rules(struct builder *b, const struct sandbox_spec *s)
{
	static const unsigned long ioctls[] = {
	    KVM_RUN,	   /* the loop */
	    KVM_GET_REGS,  /* crash reports */
	    KVM_GET_SREGS, /* crash reports, CR2, FS base, TLB flush */
	    KVM_SET_SREGS, /* SET_FS_BASE hypercall, TLB flush (CR3) */
	};
	/* A rule compares each argument once: bound the start and the
	 * length, not the end. */
	struct scmp_arg_cmp prot[3] = {
	    {0, SCMP_CMP_GE, s->mem_base, 0},
	    {1, SCMP_CMP_LE, s->mem_size, 0},
	    {2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0},
	};

	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		allow_eq2(b, SCMP_SYS(ioctl), 0, fdarg(s->vcpu_fd), 1,
			  ioctls[i]);
	/* EMBER_HC_PROTECT's TLB flush: read-only and back, from guest
	 * memory on, never executable. */
	allow(b, SCMP_SYS(mprotect), 3, prot);
}

/* Process backend: ptrace, wait and kill, only of the guest process. */
static void process_rules(struct builder *b, const struct sandbox_spec *s)
{
	static const long requests[] = {
	    PTRACE_SYSEMU,     /* resume the guest (proc_run.c) */
	    PTRACE_CONT,       /* run an injected mprotect (proc_inject.c) */
	    PTRACE_GETREGS,    /* every stop */
	    PTRACE_SETREGS,    /* hypercall results, exception delivery */
	    PTRACE_GETSIGINFO, /* what the stop was */
	};
	uint64_t pid = (uint64_t)(unsigned)s->child;

	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		allow_eq2(b, SCMP_SYS(ptrace), 0, (uint64_t)requests[i], 1,
			  pid);
	allow_eq(b, SCMP_SYS(wait4), 0, pid);
	allow_eq2(b, SCMP_SYS(kill), 0, pid, 1, SIGKILL);
	allow_eq2(b, SCMP_SYS(pidfd_open), 0, pid, 1, 0);
	if (s->pidfd >= 0)
		allow_eq2(b, SCMP_SYS(pidfd_send_signal), 0, fdarg(s->pidfd), 1,
			  SIGKILL);
	else
		allow_eq(b, SCMP_SYS(pidfd_send_signal), 1, SIGKILL);
}

void sandbox_spec_init(struct sandbox_spec *s, enum sandbox_backend be)
{
	*s = (struct sandbox_spec){.backend = be,
				   .tap_fd = -1,
				   .stats_fd = -1,
				   .vcpu_fd = -1,
				   .pidfd = -1};
}

int sandbox_install(const struct sandbox_spec *s)
{
	struct builder b = {NULL, 0};
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	b.ctx =
	    seccomp_init(s->log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!b.ctx)
		return -ENOMEM;
	common_rules(&b, s);
	if (s->backend == SANDBOX_KVM)
		kvm_rules(&b, s);
	else
		process_rules(&b, s);
	rc = b.err ? b.err : seccomp_load(b.ctx);
	seccomp_release(b.ctx);
	return rc < 0 ? rc : 0;
}
