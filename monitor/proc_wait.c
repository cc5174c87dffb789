/*
 * Waiting for the guest process without ever waiting too long.
 *
 * One blocking waitpid() per guest stop is the cheapest loop (each system
 * call costs ~1 us on the project's machines). To keep it from blocking
 * past --timeout or a ^C while the guest spins, the handlers of SIGALRM
 * (a CLOCK_MONOTONIC timer at vm->deadline_ns), SIGINT and SIGTERM kill
 * the child themselves; waitpid() then returns its death at once. The
 * kill goes through a pidfd, so it can never hit a recycled pid.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static volatile sig_atomic_t victim_pid;
static volatile sig_atomic_t victim_fd = -1;
static volatile sig_atomic_t timed_out;
static struct sigaction old_int, old_term, old_alrm;
static timer_t timer;
static int have_timer;

static void kill_victim(void)
{
	if (victim_fd >= 0)
		syscall(SYS_pidfd_send_signal, (int)victim_fd, SIGKILL, NULL,
			0);
	else if (victim_pid > 0)
		kill((pid_t)victim_pid, SIGKILL);
}

/* Let the monitor's own SIGINT/SIGTERM handler (util.c) record the
 * signal; with none, die the default way (the child dies with us). */
static void chain(const struct sigaction *old, int sig, siginfo_t *si,
		  void *ctx)
{
	if (old->sa_flags & SA_SIGINFO)
		old->sa_sigaction(sig, si, ctx);
	else if (old->sa_handler == SIG_DFL) {
		signal(sig, SIG_DFL);
		raise(sig);
	} else if (old->sa_handler != SIG_IGN)
		old->sa_handler(sig);
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	const struct sigaction *old = sig == SIGINT ? &old_int : &old_term;
	int saved = errno;

	if (sig == SIGALRM) {
		if (si->si_code != SI_TIMER)
			return; /* not our timer */
		timed_out = 1;
		kill_victim();
	} else if (old->sa_handler != SIG_IGN) {
		kill_victim();
		chain(old, sig, si, ctx);
	}
	errno = saved;
}

static int arm_timer(uint64_t deadline)
{
	struct sigevent sev;
	struct itimerspec its;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		return -1;
	have_timer = 1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
	its.it_value.tv_nsec = (long)(deadline % 1000000000u);
	return timer_settime(timer, TIMER_ABSTIME, &its, NULL);
}

int proc_signals_install(struct vm *vm)
{
	struct proc *p = proc_of(vm);
	struct sigaction sa;
	sigset_t set;

	if (p->pidfd < 0)
		p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	victim_pid = p->pid;
	victim_fd = p->pidfd;
	timed_out = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	/* No SA_RESTART: whatever the monitor is blocked in returns. */
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGALRM);
	sa.sa_mask = set;
	if (sigaction(SIGINT, &sa, &old_int) < 0 ||
	    sigaction(SIGTERM, &sa, &old_term) < 0 ||
	    sigaction(SIGALRM, &sa, &old_alrm) < 0 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) < 0 ||
	    (vm->deadline_ns && arm_timer(vm->deadline_ns) < 0)) {
		vmm_error("cannot set up the guest's timeout and signal "
			  "handling: %s",
			  strerror(errno));
		proc_signals_restore();
		return -1;
	}
	return 0;
}

void proc_signals_restore(void)
{
	if (have_timer)
		timer_delete(timer);
	have_timer = 0;
	victim_pid = 0;
	victim_fd = -1;
	if (old_int.sa_handler || old_int.sa_flags)
		sigaction(SIGINT, &old_int, NULL);
	if (old_term.sa_handler || old_term.sa_flags)
		sigaction(SIGTERM, &old_term, NULL);
	if (old_alrm.sa_handler || old_alrm.sa_flags)
		sigaction(SIGALRM, &old_alrm, NULL);
	memset(&old_int, 0, sizeof(old_int));
	memset(&old_term, 0, sizeof(old_term));
	memset(&old_alrm, 0, sizeof(old_alrm));
}

int proc_wait(struct proc *p, int *status)
{
	for (;;) {
		pid_t r = waitpid(p->pid, status, __WALL);

		if (r == p->pid) {
			if (!WIFSTOPPED(*status)) {
				p->pid = 0;
				p->wstatus = *status;
			}
			return 0;
		}
		if (r < 0 && errno == EINTR)
			continue;
		vmm_error("lost the guest process: waitpid: %s",
			  strerror(errno));
		return -1;
	}
}

void proc_child_died(struct vm *vm, int status)
{
	if (timed_out) {
		vm->stats.exits[STAT_EXIT_INTR]++;
		vm_timeout(vm);
		return;
	}
	if (vm_stop_requested(vm))
		return;
	if (WIFSIGNALED(status))
		vm_crash(vm,
			 "the guest process died unexpectedly: killed by "
			 "signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WTERMSIG(status) == SIGKILL
			     ? "; out of host memory, or killed from outside?"
			     : "");
	else
		vm_crash(vm,
			 "the guest process died unexpectedly: exit status %d",
			 WEXITSTATUS(status));
}

void proc_kill(struct proc *p)
{
	int st;

	victim_pid = 0;
	victim_fd = -1;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		/* A traced child may report a stop before its death. */
		for (;;) {
			pid_t r = waitpid(p->pid, &st, __WALL);

			if ((r < 0 && errno == EINTR) ||
			    (r == p->pid && WIFSTOPPED(st)))
				continue;
			break;
		}
		p->pid = 0;
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
}
