/*
 * Signals. Nothing outside the VM sends us signals and CPU faults are
 * crash reports (crash.c), so the only signals are those the program
 * sends itself: raise(), abort(), kill(getpid(), ...). They are handled
 * synchronously, as Linux would on return from the tkill: a handler is
 * called, a blocked signal waits until it is unblocked, the default
 * action either ignores it or ends the VM with a crash report (vector
 * EMBER_CRASH_ABORT). Signal state is per process, and a signal sent to
 * another thread (tkill) runs its handler right away in the sender,
 * except musl's cancellation signal (see send_thread).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

/* The kernel's struct sigaction (musl's internal struct k_sigaction). */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#define NSIG_LINUX  64
#define BIT(sig)    (UINT64_C(1) << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

static struct ksigaction actions[NSIG_LINUX + 1];
static uint64_t blocked, pending;
static stack_t altstack = {.ss_flags = SS_DISABLE};
static ucontext_t handler_uc; /* no interrupted context: always zero */

static void deliver_pending(void);

static long default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
		return 0; /* ignored by default */
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return 0; /* no job control: nothing to stop us */
	default:
		ember_crash_abort(sig);
	}
}

static long deliver(int sig)
{
	struct ksigaction *a = &actions[sig];
	void (*h)(int) = a->handler;
	uint64_t saved = blocked;
	/* The handler's own system calls must not change whose registers a
	 * later crash report in this call shows. */
	struct ember_crash_regs caller = ember_syscall_caller;

	if (h == SIG_IGN)
		return 0;
	if (h == SIG_DFL)
		return default_action(sig);
	blocked |= a->mask & ~UNBLOCKABLE;
	if (!(a->flags & SA_NODEFER))
		blocked |= BIT(sig);
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
	if (a->flags & SA_SIGINFO) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_TKILL;
		si.si_pid = 1;
		((void (*)(int, siginfo_t *, void *))(void *)h)(sig, &si,
								&handler_uc);
	} else {
		h(sig);
	}
	blocked = saved;
	ember_syscall_caller = caller;
	deliver_pending();
	return 0;
}

static void deliver_pending(void)
{
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		if (pending & ~blocked & BIT(sig)) {
			pending &= ~BIT(sig);
			deliver(sig);
		}
	}
}

static long send_self(long sig)
{
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (sig == 0)
		return 0; /* only checks that we exist */
	if (blocked & BIT(sig)) {
		pending |= BIT(sig);
		return 0;
	}
	return deliver((int)sig);
}

long ember_sys_kill(long pid, long sig)
{
	/* 0: our group; -1: everyone we may signal; both are just us. */
	return pid == 1 || pid == 0 || pid == -1 ? send_self(sig) : -ESRCH;
}

/* musl's internal cancellation signal (src/internal/pthread_impl.h). */
#define SIGCANCEL 33

/* A signal for thread tid. pthread_cancel sends SIGCANCEL to make a
 * thread blocked in a cancellable call (futex wait, sleep, poll, read of
 * a pipe...) return EINTR, which musl turns into the cancellation; here
 * that is waking it with -EINTR. Other signals run in the sender. */
static long send_thread(long tid, long sig)
{
	struct ember_thread *t = ember_thread_by_tid((int)tid);

	if (!t)
		return -ESRCH;
	if (sig == SIGCANCEL && t != ember_thread_self()) {
		if (t->state == EMBER_T_WAITING)
			ember_thread_wake(t, -EINTR);
		return 0;
	}
	return send_self(sig);
}

long ember_sys_tkill(long tid, long sig)
{
	if (tid <= 0)
		return -EINVAL;
	return send_thread(tid, sig);
}

long ember_sys_tgkill(long tgid, long tid, long sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return tgid == 1 ? send_thread(tid, sig) : -ESRCH;
}

long ember_sys_rt_sigaction(long sig, const void *act, void *oact,
			    size_t setsize)
{
	if (setsize != sizeof(uint64_t) || sig < 1 || sig > NSIG_LINUX)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact)
		memcpy(oact, &actions[sig], sizeof(actions[sig]));
	if (act)
		memcpy(&actions[sig], act, sizeof(actions[sig]));
	return 0;
}

long ember_sys_rt_sigprocmask(long how, const void *set, void *oset,
			      size_t setsize)
{
	uint64_t old = blocked, s;

	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (set) {
		memcpy(&s, set, sizeof(s));
		if (how == SIG_BLOCK)
			blocked |= s;
		else if (how == SIG_UNBLOCK)
			blocked &= ~s;
		else if (how == SIG_SETMASK)
			blocked = s;
		else
			return -EINVAL;
		blocked &= ~UNBLOCKABLE;
	}
	if (oset)
		memcpy(oset, &old, sizeof(old));
	if (pending & ~blocked)
		deliver_pending();
	return 0;
}

/* Remembered for sigaltstack(NULL, &old); handlers run synchronously on
 * the current stack, so it is never used. */
long ember_sys_sigaltstack(const void *ss, void *old)
{
	stack_t s;

	if (ss) {
		memcpy(&s, ss, sizeof(s));
		if (s.ss_flags & ~(SS_DISABLE | SS_AUTODISARM))
			return -EINVAL;
		if (!(s.ss_flags & SS_DISABLE) && s.ss_size < MINSIGSTKSZ)
			return -ENOMEM;
	}
	if (old)
		memcpy(old, &altstack, sizeof(altstack));
	if (ss)
		altstack = s;
	return 0;
}
