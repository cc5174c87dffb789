/*
 * Small helpers shared by the whole monitor: one-line messages, the
 * monotonic clock, and how the VM ends on a crash, a timeout or a signal.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "vm.h"

static int quiet;
static volatile sig_atomic_t stop_signal;

/* One line, written with a single write() so that it is never interleaved
 * with guest output on the same stream. */
static void vline(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "ember-vmm: ");

	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	fflush(stderr);
	/* Nothing sensible to do if stderr is gone. */
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

void vmm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}

void vmm_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}

void vmm_set_quiet(int q)
{
	quiet = q;
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	vm->end = VM_CRASHED;
	vm->exit_status = EMBER_EXIT_CRASH;
}

int vm_timeout(struct vm *vm)
{
	double sec = vm->opt ? vm->opt->timeout_sec : 0;

	vmm_error("timeout: the guest ran longer than --timeout %gs; killed",
		  sec);
	vm->end = VM_TIMEOUT;
	vm->exit_status = EMBER_EXIT_TIMEOUT;
	return 1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

int vmm_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking calls in the run loop must return EINTR
	 * so that the VM is torn down cleanly. */
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int vmm_stop_signal(void)
{
	return stop_signal;
}

int vm_stop_requested(struct vm *vm)
{
	int sig = stop_signal;

	if (!sig)
		return 0;
	vmm_info("stopped by %s; the VM was shut down",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	vm->end = VM_ERROR;
	vm->exit_status = 128 + sig;
	return 1;
}
