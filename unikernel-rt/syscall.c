/*
 * Where musl's system calls land: musl is rebuilt so that __syscallN,
 * syscall_cp, __set_thread_area, clone, vfork ... call ember_syscall
 * (syscall_entry.S, which records the caller's registers) instead of
 * executing `syscall`, which has no kernel to go to; it jumps here.
 *
 * One flat switch from Linux numbers to typed implementations (the
 * compiler makes it a jump table); anything not listed returns -ENOSYS
 * with a one-time warning naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "rt.h"
#include "syscalls.h"

#define P(x) ((void *)(x))

long ember_syscall_dispatch(long n, long a1, long a2, long a3, long a4, long a5,
			    long a6)
{
	unsigned long u1 = (unsigned long)a1;

	switch (n) {
	/* file descriptors */
	case SYS_read:
		return ember_sys_read(a1, P(a2), (size_t)a3);
	case SYS_readv:
		return ember_sys_readv(a1, P(a2), a3);
	case SYS_write:
		return ember_sys_write(a1, P(a2), (size_t)a3);
	case SYS_writev:
		return ember_sys_writev(a1, P(a2), a3);
	case SYS_pread64:
		return ember_sys_pread(a1, P(a2), (size_t)a3, a4);
	case SYS_pwrite64:
	case SYS_preadv:
	case SYS_pwritev:
		return ember_sys_pread_pwrite(a1);
	case SYS_close:
		return ember_sys_close(a1);
	case SYS_fstat:
		return ember_sys_fstat(a1, P(a2));
	case SYS_ioctl:
		return ember_sys_ioctl(a1, (unsigned long)a2, P(a3));
	case SYS_fcntl:
		return ember_sys_fcntl(a1, a2, a3);
	case SYS_lseek:
		return ember_sys_lseek(a1, a2, a3);
	case SYS_dup:
		return ember_sys_dup(a1);
	case SYS_dup2:
		return ember_sys_dup3(a1, a2, -1);
	case SYS_dup3:
		return ember_sys_dup3(a1, a2, a3);
	case SYS_pipe:
		return ember_sys_pipe2(P(a1), 0);
	case SYS_pipe2:
		return ember_sys_pipe2(P(a1), a2);
	case SYS_eventfd:
		return ember_sys_eventfd2((unsigned long)a1, 0);
	case SYS_eventfd2:
		return ember_sys_eventfd2((unsigned long)a1, a2);
	/* waiting for descriptors (signal masks: signals are synchronous) */
	case SYS_poll:
		return ember_sys_poll(P(a1), (unsigned long)a2, a3);
	case SYS_ppoll:
		return ember_sys_ppoll_ts(P(a1), (unsigned long)a2, P(a3));
	case SYS_select:
		return ember_sys_select(a1, P(a2), P(a3), P(a4), P(a5));
	case SYS_pselect6:
		return ember_sys_pselect6(a1, P(a2), P(a3), P(a4), P(a5));
	case SYS_epoll_create:
		return a1 <= 0 ? -EINVAL : ember_sys_epoll_create1(0);
	case SYS_epoll_create1:
		return ember_sys_epoll_create1(a1);
	case SYS_epoll_ctl:
		return ember_sys_epoll_ctl(a1, a2, a3, P(a4));
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		return ember_sys_epoll_wait(a1, P(a2), a3, a4);
	/* paths: only the memory files exist */
	case SYS_open:
		return ember_sys_openat(AT_FDCWD, P(a1), a2);
	case SYS_openat:
		return ember_sys_openat(a1, P(a2), a3);
	case SYS_stat:
		return ember_sys_fstatat(AT_FDCWD, P(a1), P(a2), 0);
	case SYS_lstat:
		return ember_sys_fstatat(AT_FDCWD, P(a1), P(a2),
					 AT_SYMLINK_NOFOLLOW);
	case SYS_newfstatat:
		return ember_sys_fstatat(a1, P(a2), P(a3), a4);
	case SYS_access:
		return ember_sys_faccessat(AT_FDCWD, P(a1), a2);
	case SYS_faccessat:
	case SYS_faccessat2:
		return ember_sys_faccessat(a1, P(a2), a3);
	case SYS_readlink:
		return ember_sys_readlinkat(AT_FDCWD, P(a1));
	case SYS_readlinkat:
		return ember_sys_readlinkat(a1, P(a2));
	/* sockets: the network module's, when the image has one */
	case SYS_socket:
	case SYS_socketpair:
	case SYS_bind:
	case SYS_listen:
	case SYS_accept:
	case SYS_accept4:
	case SYS_connect:
	case SYS_sendto:
	case SYS_recvfrom:
	case SYS_sendmsg:
	case SYS_recvmsg:
	case SYS_sendmmsg:
	case SYS_recvmmsg:
	case SYS_shutdown:
	case SYS_setsockopt:
	case SYS_getsockopt:
	case SYS_getsockname:
	case SYS_getpeername:
		if (ember_net_syscall)
			return ember_net_syscall(n, a1, a2, a3, a4, a5, a6);
		return ember_unsupported(n);
	/* memory */
	case SYS_brk:
		return ember_sys_brk(u1);
	case SYS_mmap:
		return ember_sys_mmap(u1, (size_t)a2, a3, a4, a5, a6);
	case SYS_munmap:
		return ember_sys_munmap(u1, (size_t)a2);
	case SYS_mremap:
		return ember_sys_mremap(u1, (size_t)a2, (size_t)a3, a4,
					(unsigned long)a5);
	case SYS_mprotect:
		return ember_sys_mprotect(u1, (size_t)a2, a3);
	case SYS_madvise:
		return ember_sys_madvise(u1, (size_t)a2, a3);
	/* time */
	case SYS_clock_gettime:
		return ember_sys_clock_gettime(a1, P(a2));
	case SYS_clock_getres:
		return ember_sys_clock_getres(a1, P(a2));
	case SYS_gettimeofday:
		return ember_sys_gettimeofday(P(a1), P(a2));
	case SYS_time:
		return ember_sys_time(P(a1));
	case SYS_nanosleep:
		return ember_sys_nanosleep(P(a1), P(a2));
	case SYS_clock_nanosleep:
		return ember_sys_clock_nanosleep(a1, a2, P(a3), P(a4));
	/* process and threads: one process (pid 1), all root */
	case SYS_exit:
		return ember_sys_exit_thread(a1);
	case SYS_exit_group:
		return ember_sys_exit(a1);
	case SYS_clone:
		return ember_sys_clone(u1, P(a2), P(a3), P(a4),
				       (unsigned long)a5, P(a6));
	case SYS_set_tid_address:
		return ember_sys_set_tid_address(P(a1));
	case SYS_gettid:
		return ember_sys_gettid();
	case SYS_set_robust_list:
		return 0; /* musl handles robust mutexes of exiting threads */
	case SYS_arch_prctl:
		return ember_sys_arch_prctl(a1, (unsigned long)a2);
	case SYS_getpid:
		return 1;
	case SYS_getppid:
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
		return 0;
	case SYS_prlimit64:
		return ember_sys_prlimit(a1, a2, P(a3), P(a4));
	case SYS_getrlimit:
		return ember_sys_prlimit(0, a1, 0, P(a2));
	case SYS_setrlimit:
		return ember_sys_prlimit(0, a1, P(a2), 0);
	case SYS_sched_yield:
		return ember_sys_sched_yield();
	case SYS_sched_getaffinity:
		return ember_sys_sched_getaffinity(a1, (size_t)a2, P(a3));
	case SYS_futex:
		return ember_sys_futex(P(a1), a2, a3, P(a4), P(a5), a6);
	/* signals */
	case SYS_rt_sigaction:
		return ember_sys_rt_sigaction(a1, P(a2), P(a3), (size_t)a4);
	case SYS_rt_sigprocmask:
		return ember_sys_rt_sigprocmask(a1, P(a2), P(a3), (size_t)a4);
	case SYS_sigaltstack:
		return ember_sys_sigaltstack(P(a1), P(a2));
	case SYS_kill:
		return ember_sys_kill(a1, a2);
	case SYS_tkill:
		return ember_sys_tkill(a1, a2);
	case SYS_tgkill:
		return ember_sys_tgkill(a1, a2, a3);
	/* misc */
	case SYS_getrandom:
		return ember_sys_getrandom(P(a1), (size_t)a2, a3);
	case SYS_uname:
		return ember_sys_uname(P(a1));
	case SYS_sysinfo:
		return ember_sys_sysinfo(P(a1));
	case SYS_getcwd:
		return ember_sys_getcwd(P(a1), (size_t)a2);
	default:
		return ember_unsupported(n);
	}
}
