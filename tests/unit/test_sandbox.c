/*
 * Unit test of the monitor's seccomp filter (monitor/sandbox.c): each
 * case forks, installs the very filter ember-vmm installs for a backend
 * (with made-up fds and a pid that cannot exist), makes one system call
 * and exits 0. An allowed call must come back (its result does not
 * matter: the fds are stand-ins); a forbidden one must kill the child
 * with SIGSYS before it runs.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "check.h"
#include "sandbox.h"

/* Above any pid_max: kill() and ptrace() of it can hurt no process. */
#define NO_SUCH_PID  0x3ffffff0
#define OTHER_PID    0x3ffffff1
#define ALLOWED	     0
#define KILLED	     1
#define TMP_TEMPLATE "/tmp/ember-sandbox-test.XXXXXX"

static struct sandbox_spec spec;
static int other_fd; /* open, but not one the monitor holds */
static char stats_tmp[] = TMP_TEMPLATE, stats_path[] = TMP_TEMPLATE;
static void *mem; /* "guest memory" for the KVM rules */
static const size_t mem_size = 4 * 4096;

/* Run fn in a child under the filter: ALLOWED if it returned, KILLED if
 * SIGSYS ended it, -1 for anything else (or if the filter failed). */
static int outcome(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (sandbox_install(&spec) < 0)
			_exit(2);
		fn();
		/* Not _exit(): under ASan it makes calls of its own. */
		syscall(SYS_exit_group, 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return ALLOWED;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		return KILLED;
	return -1;
}

#define EXPECT(fn, want)                                                       \
	check(outcome(fn) == (want), "%s: %s", #fn,                            \
	      (want) == ALLOWED ? "should be allowed" : "should be killed")

/* Both backends. */
static void do_nothing(void)
{
}
static void write_stderr(void)
{
	(void)!write(2, "", 0);
}
static void write_other(void)
{
	(void)!write(other_fd, "", 0);
}
static void open_file(void)
{
	(void)!open("/etc/passwd", O_RDONLY);
}
static void openat_file(void)
{
	(void)!syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
}
static void make_socket(void)
{
	(void)!socket(AF_INET, SOCK_STREAM, 0);
}
static void do_fork(void)
{
	(void)!syscall(SYS_fork);
}
static void do_execve(void)
{
	static char *const argv[] = {"/bin/true", NULL};

	(void)!syscall(SYS_execve, "/bin/true", argv, NULL);
}
static void mmap_rw(void)
{
	(void)!mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
static void mmap_exec(void)
{
	(void)!mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
static void clock_now(void)
{
	struct timespec ts;

	(void)!syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
}
static void setuid_root(void)
{
	(void)!syscall(SYS_setuid, 0);
}
static void tap_readv(void)
{
	char b[4];
	struct iovec v = {b, sizeof(b)};

	(void)!readv(spec.tap_fd, &v, 1);
}
static void tap_read(void)
{
	(void)!syscall(SYS_read, spec.tap_fd, "", 0);
}
static void other_readv(void)
{
	char b[4];
	struct iovec v = {b, sizeof(b)};

	(void)!readv(other_fd, &v, 1);
}
static void rename_stats(void)
{
	(void)!syscall(SYS_rename, stats_tmp, stats_path);
}
static void rename_copy(void)
{
	char tmp[sizeof(stats_tmp)];

	memcpy(tmp, stats_tmp, sizeof(tmp));
	(void)!syscall(SYS_rename, tmp, stats_path);
}
static void unlink_other(void)
{
	(void)!syscall(SYS_unlink, stats_path);
}

/* Process backend. */
static void ptrace_getregs(void)
{
	(void)!ptrace(PTRACE_GETREGS, NO_SUCH_PID, 0, 0);
}
static void ptrace_attach(void)
{
	(void)!ptrace(PTRACE_ATTACH, NO_SUCH_PID, 0, 0);
}
static void ptrace_poke(void)
{
	(void)!ptrace(PTRACE_POKEDATA, NO_SUCH_PID, 0, 0);
}
static void ptrace_other(void)
{
	(void)!ptrace(PTRACE_GETREGS, OTHER_PID, 0, 0);
}
static void kill_child(void)
{
	(void)!kill(NO_SUCH_PID, SIGKILL);
}
static void term_child(void)
{
	(void)!kill(NO_SUCH_PID, SIGTERM);
}
static void kill_other(void)
{
	(void)!kill(OTHER_PID, SIGKILL);
}
static void wait_child(void)
{
	(void)!syscall(SYS_wait4, NO_SUCH_PID, NULL, __WALL, NULL);
}
static void wait_any(void)
{
	(void)!syscall(SYS_wait4, -1, NULL, __WALL, NULL);
}
static void any_ioctl(void)
{
	(void)!ioctl(other_fd, FIONREAD, &(int){0});
}

/* KVM backend. */
static void vcpu_run(void)
{
	(void)!ioctl(spec.vcpu_fd, KVM_RUN, 0ul);
}
static void vcpu_get_sregs(void)
{
	struct kvm_sregs s;

	(void)!ioctl(spec.vcpu_fd, KVM_GET_SREGS, &s);
}
static void vcpu_set_memory(void)
{
	struct kvm_userspace_memory_region r;

	memset(&r, 0, sizeof(r));
	(void)!ioctl(spec.vcpu_fd, KVM_SET_USER_MEMORY_REGION, &r);
}
static void other_run(void)
{
	(void)!ioctl(other_fd, KVM_RUN, 0ul);
}
static void protect_guest(void)
{
	(void)!mprotect(mem, 4096, PROT_READ);
}
static void protect_exec(void)
{
	(void)!mprotect(mem, 4096, PROT_READ | PROT_EXEC);
}
static void protect_below(void)
{
	(void)!mprotect((char *)mem - 4096, 4096, PROT_READ);
}
static void protect_too_long(void)
{
	(void)!mprotect(mem, mem_size + 4096, PROT_READ);
}

static void common_cases(void)
{
	EXPECT(do_nothing, ALLOWED);
	EXPECT(write_stderr, ALLOWED);
	EXPECT(clock_now, ALLOWED);
	EXPECT(mmap_rw, ALLOWED);
	EXPECT(tap_readv, ALLOWED);
	EXPECT(rename_stats, ALLOWED);
	EXPECT(write_other, KILLED);
	EXPECT(open_file, KILLED);
	EXPECT(openat_file, KILLED);
	EXPECT(make_socket, KILLED);
	EXPECT(do_fork, KILLED);
	EXPECT(do_execve, KILLED);
	EXPECT(mmap_exec, KILLED);
	EXPECT(setuid_root, KILLED);
	EXPECT(tap_read, KILLED);
	EXPECT(other_readv, KILLED);
	EXPECT(rename_copy, KILLED);
	EXPECT(unlink_other, KILLED);
}

static void set_common(enum sandbox_backend be, int tap, int stats)
{
	sandbox_spec_init(&spec, be);
	spec.tap_fd = tap;
	spec.stats_fd = stats;
	spec.stats_tmp = stats_tmp;
	spec.stats_path = stats_path;
}

int main(void)
{
	int tap = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int stats = mkstemp(stats_tmp);
	int vcpu = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int path_fd = mkstemp(stats_path);

	other_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* A page below "guest memory", which the filter must refuse. */
	mem = mmap(NULL, mem_size + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem != MAP_FAILED)
		mem = (char *)mem + 4096;
	if (tap < 0 || stats < 0 || vcpu < 0 || path_fd < 0 || other_fd < 0 ||
	    mem == MAP_FAILED) {
		perror("test_sandbox: setup");
		return 1;
	}

	set_common(SANDBOX_PROCESS, tap, stats);
	spec.child = NO_SUCH_PID;
	common_cases();
	EXPECT(ptrace_getregs, ALLOWED);
	EXPECT(kill_child, ALLOWED);
	EXPECT(wait_child, ALLOWED);
	EXPECT(ptrace_attach, KILLED);
	EXPECT(ptrace_poke, KILLED);
	EXPECT(ptrace_other, KILLED);
	EXPECT(term_child, KILLED);
	EXPECT(kill_other, KILLED);
	EXPECT(wait_any, KILLED);
	EXPECT(any_ioctl, KILLED);
	EXPECT(vcpu_run, KILLED);
	EXPECT(protect_guest, KILLED);

	set_common(SANDBOX_KVM, tap, stats);
	spec.vcpu_fd = vcpu;
	spec.mem_base = (uint64_t)(uintptr_t)mem;
	spec.mem_size = mem_size;
	common_cases();
	EXPECT(vcpu_run, ALLOWED);
	EXPECT(vcpu_get_sregs, ALLOWED);
	EXPECT(protect_guest, ALLOWED);
	EXPECT(vcpu_set_memory, KILLED);
	EXPECT(other_run, KILLED);
	EXPECT(any_ioctl, KILLED);
	EXPECT(protect_exec, KILLED);
	EXPECT(protect_below, KILLED);
	EXPECT(protect_too_long, KILLED);
	EXPECT(ptrace_getregs, KILLED);
	EXPECT(kill_child, KILLED);

	/* Without --net and --stats: no tap, no stats file rules. */
	set_common(SANDBOX_PROCESS, -1, -1);
	spec.child = NO_SUCH_PID;
	EXPECT(tap_readv, KILLED);
	EXPECT(rename_stats, KILLED);

	unlink(stats_tmp);
	unlink(stats_path);
	return check_summary("test_sandbox");
}
