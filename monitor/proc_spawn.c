/*
 * Starting the guest process: vfork() + execveat() of the stub
 * (proc_stub.c) with the guest memfd as its fd 0. Started from create(),
 * so that the exec and the stub's mappings run on another CPU while the
 * monitor loads the image and calibrates the TSC; prepare() then only
 * collects the stopped child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x10u
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#endif

/* An fd number above stdio, so that dup2() onto 0 cannot hit it. */
static int above_stdio(int fd)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/* The stub as an executable memfd. MFD_EXEC is needed where the kernel
 * defaults to non-executable memfds (vm.memfd_noexec = 1). */
static int stub_file(const struct proc *p, uint64_t mem_size)
{
	uint8_t buf[EMBER_PAGE_SIZE];
	size_t len = proc_stub_image(p, mem_size, buf, sizeof(buf));
	int fd;

	if (!len) {
		vmm_error("internal error: the process backend's stub does not "
			  "fit in a page");
		return -1;
	}
	fd = memfd_create("ember-guest-stub", MFD_CLOEXEC | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* kernel < 6.3 */
		fd = memfd_create("ember-guest-stub", MFD_CLOEXEC);
	fd = above_stdio(fd);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
		vmm_error("cannot create the guest process's program: %s "
			  "(is sysctl vm.memfd_noexec 2?)",
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* --user: the guest process is that user's too, so that the monitor,
 * once it has dropped to it, may still signal it, and the guest never
 * runs as root. Raw system calls: glibc's wrappers would try to change
 * every thread of the (vfork-shared) parent as well. */
static void drop_user(const struct user_options *u)
{
	if (u && u->set &&
	    (syscall(SYS_setgroups, 0, NULL) < 0 ||
	     syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0 ||
	     syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0))
		_exit(PROC_STUB_EXIT_USER);
}

/* In the vfork() child: only system calls, on its own task. */
static _Noreturn void exec_stub(int exe, int memfd,
				const struct user_options *u)
{
	static char *const argv[] = {"ember-guest", NULL};
	static char *const envp[] = {NULL};
	sigset_t none;
	int fd;

	/* Before PR_SET_PDEATHSIG: a change of credentials clears it. */
	drop_user(u);
	/* Never outlive the monitor (PTRACE_O_EXITKILL covers the time
	 * after PTRACE_SETOPTIONS); out of the terminal's process group,
	 * so ^C reaches the monitor only, which tears the guest down. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(memfd, 0) != 0)
		_exit(PROC_STUB_EXIT_EXEC);
	/* The guest gets no file descriptors: the stub closes 0 itself. */
	if (syscall(SYS_close_range, 1u, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		for (fd = 1; fd < 1024; fd++)
			if (fd != exe)
				close(fd);
	syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
	_exit(PROC_STUB_EXIT_EXEC);
}

int proc_spawn(struct vm *vm)
{
	struct proc *p = proc_of(vm);
	int exe;
	pid_t pid;

	p->memfd = above_stdio(p->memfd);
	if (p->memfd < 0 || (exe = stub_file(p, vm->layout.mem_size)) < 0)
		return -1;
	pid = vfork();
	if (pid == 0)
		exec_stub(exe, p->memfd, vm->opt ? &vm->opt->user : NULL);
	close(exe);
	if (pid < 0) {
		vmm_error("cannot start the guest process: %s",
			  strerror(errno));
		return -1;
	}
	p->pid = pid;
	return 0;
}

/* The stub hit ud2: rax holds the failed call's result, r14 the map. */
static void stub_failed(const struct proc *p)
{
	struct user_regs_struct r;
	const struct proc_map *m;
	int err;

	if (ptrace(PTRACE_GETREGS, p->pid, 0, &r) < 0) {
		vmm_error("the guest process failed to start");
		return;
	}
	err = (int)-(long long)r.rax;
	if (r.r14 >= p->nmaps) {
		vmm_error("cannot set up the guest process: munmap: %s",
			  strerror(err));
		return;
	}
	m = &p->maps[r.r14];
	vmm_error("cannot map guest range [0x%llx, 0x%llx) in the guest "
		  "process: %s%s",
		  (unsigned long long)m->gpa,
		  (unsigned long long)(m->gpa + m->len),
		  (long long)r.rax < 0 ? strerror(err) : "wrong address",
		  err == EPERM || err == EACCES
		      ? " (the process backend needs sysctl "
			"vm.mmap_min_addr <= 65536)"
		      : "");
}

static void start_failed(const struct proc *p, int st)
{
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGILL)
		stub_failed(p);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == PROC_STUB_EXIT_TRACEME)
		vmm_error("the process backend cannot trace its guest process "
			  "(PTRACE_TRACEME failed); is ember-vmm running under "
			  "a debugger or strace, or is ptrace disabled "
			  "(kernel.yama.ptrace_scope=3)?");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == PROC_STUB_EXIT_USER)
		vmm_error("--user: the guest process cannot switch to that "
			  "user and group");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == PROC_STUB_EXIT_EXEC)
		vmm_error("cannot start the guest process: exec of its "
			  "program failed (is sysctl vm.memfd_noexec 2?)");
	else if (WIFSIGNALED(st))
		vmm_error("the guest process was killed by signal %d while "
			  "starting",
			  WTERMSIG(st));
	else
		vmm_error("the guest process failed to start (wait status "
			  "0x%x)",
			  st);
}

int proc_spawn_finish(struct proc *p)
{
	int st;

	if (p->pid <= 0 || proc_wait(p, &st) < 0)
		return -1;
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)
		return 0;
	start_failed(p, st);
	proc_kill(p);
	return -1;
}
