/*
 * The Linux system calls the runtime implements, one file per job:
 *   fd_syscalls.c      file descriptors (the table is fd.c's)
 *   path_syscalls.c    open, stat, access: memory files only
 *   pipe.c, eventfd.c  pipe2, eventfd2
 *   poll.c, select.c   poll/ppoll, select/pselect6
 *   epoll.c            epoll_*
 *   thread_syscalls.c  clone, exit of a thread, tids, sched_yield
 *   futex.c            futex
 *   mem_syscalls.c     brk, mmap and friends (bookkeeping in vmem.c)
 *   time_syscalls.c    clocks and sleeping
 *   proc_syscalls.c    exit, ids, TLS, limits, scheduling
 *   signal_syscalls.c  signal state and signals sent to ourselves
 *   random.c           getrandom
 *   misc_syscalls.c    uname, sysinfo, getcwd
 * Each returns a result or -errno with Linux's values, as the kernel does.
 * syscall.c maps numbers to these.
 */
#ifndef EMBER_RT_SYSCALLS_H
#define EMBER_RT_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iovec;
struct stat;
struct timespec;
struct timeval;
struct rlimit;
struct utsname;
struct sysinfo;

long ember_sys_read(long fd, void *buf, size_t len);
long ember_sys_readv(long fd, const struct iovec *iov, long cnt);
long ember_sys_write(long fd, const void *buf, size_t len);
long ember_sys_writev(long fd, const struct iovec *iov, long cnt);
long ember_sys_pread(long fd, void *buf, size_t len, long off);
long ember_sys_pread_pwrite(long fd);
long ember_sys_close(long fd);
long ember_sys_fstat(long fd, struct stat *st);
long ember_sys_ioctl(long fd, unsigned long req, void *arg);
long ember_sys_fcntl(long fd, long cmd, long arg);
long ember_sys_lseek(long fd, long off, long whence);
long ember_sys_dup(long fd);
long ember_sys_dup3(long fd, long newfd, long flags);

long ember_sys_openat(long dirfd, const char *path, long flags);
long ember_sys_fstatat(long dirfd, const char *path, struct stat *st,
		       long flags);
long ember_sys_faccessat(long dirfd, const char *path, long mode);
long ember_sys_readlinkat(long dirfd, const char *path);

struct pollfd;
struct epoll_event;
long ember_sys_pipe2(int *fds, long flags);
long ember_sys_eventfd2(unsigned long initval, long flags);
long ember_sys_poll(struct pollfd *fds, unsigned long n, long timeout_ms);
long ember_sys_ppoll_ts(struct pollfd *fds, unsigned long n,
			const struct timespec *ts);
long ember_sys_select(long n, void *rfds, void *wfds, void *efds,
		      struct timeval *tv);
long ember_sys_pselect6(long n, void *rfds, void *wfds, void *efds,
			const struct timespec *ts);
long ember_sys_epoll_create1(long flags);
long ember_sys_epoll_ctl(long epfd, long op, long fd, struct epoll_event *ev);
long ember_sys_epoll_wait(long epfd, struct epoll_event *evs, long max,
			  long timeout_ms);

long ember_sys_brk(unsigned long addr);
long ember_sys_mmap(unsigned long addr, size_t len, long prot, long flags,
		    long fd, long off);
long ember_sys_munmap(unsigned long addr, size_t len);
long ember_sys_mremap(unsigned long old, size_t old_len, size_t new_len,
		      long flags, unsigned long new_addr);
long ember_sys_mprotect(unsigned long addr, size_t len, long prot);
long ember_sys_madvise(unsigned long addr, size_t len, long advice);

long ember_sys_clock_gettime(long clk, struct timespec *ts);
long ember_sys_clock_getres(long clk, struct timespec *ts);
long ember_sys_gettimeofday(struct timeval *tv, void *tz);
long ember_sys_time(long *t);
long ember_sys_nanosleep(const struct timespec *req, struct timespec *rem);
long ember_sys_clock_nanosleep(long clk, long flags, const struct timespec *req,
			       struct timespec *rem);

long ember_sys_exit(long status);
long ember_sys_exit_thread(long status);
long ember_sys_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		     unsigned long tls, int (*fn)(void *));
long ember_sys_set_tid_address(int *addr);
long ember_sys_gettid(void);
long ember_sys_sched_yield(void);
long ember_sys_arch_prctl(long code, unsigned long addr);
long ember_sys_prlimit(long pid, long res, const struct rlimit *new_lim,
		       struct rlimit *old_lim);
long ember_sys_sched_getaffinity(long pid, size_t size, void *mask);
long ember_sys_futex(int *uaddr, long op, long val,
		     const struct timespec *timeout, int *uaddr2, long val3);

long ember_sys_rt_sigaction(long sig, const void *act, void *oact,
			    size_t setsize);
long ember_sys_rt_sigprocmask(long how, const void *set, void *oset,
			      size_t setsize);
long ember_sys_sigaltstack(const void *ss, void *old);
long ember_sys_kill(long pid, long sig);
long ember_sys_tkill(long tid, long sig);
long ember_sys_tgkill(long tgid, long tid, long sig);

long ember_sys_getrandom(void *buf, size_t len, long flags);

long ember_sys_uname(struct utsname *u);
long ember_sys_sysinfo(struct sysinfo *si);
long ember_sys_getcwd(char *buf, size_t size);

/* The socket system calls, served by the network module when the image
 * links it (rt-net: unikernel-rt/net/); NULL otherwise, and they are
 * unsupported. */
long ember_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
		       long a6) __attribute__((weak));

#endif
