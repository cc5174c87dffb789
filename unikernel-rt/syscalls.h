/*
 * The Linux system calls the runtime implements, one file per job:
 *   fd_syscalls.c      console and file descriptors
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
long ember_sys_pread_pwrite(long fd);
long ember_sys_close(long fd);
long ember_sys_fstat(long fd, struct stat *st);
long ember_sys_fstatat(long dirfd, const char *path, struct stat *st,
		       long flags);
long ember_sys_ioctl(long fd, unsigned long req);
long ember_sys_fcntl(long fd, long cmd, long arg);
long ember_sys_lseek(long fd);
long ember_sys_dup(long fd);
long ember_sys_dup3(long fd, long newfd, long flags);
long ember_sys_no_file(const char *path);

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
long ember_sys_arch_prctl(long code, unsigned long addr);
long ember_sys_prlimit(long pid, long res, const struct rlimit *new_lim,
		       struct rlimit *old_lim);
long ember_sys_sched_getaffinity(long pid, size_t size, void *mask);
long ember_sys_futex(int *uaddr, long op, long val,
		     const struct timespec *timeout);

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

#endif
