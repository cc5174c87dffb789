/*
 * The vCPU loop of the KVM backend: KVM_RUN until the VM ends, turning
 * hypercall port writes into hypercall_dispatch() and every other exit
 * into a one-line diagnosis.
 *
 * Stopping from outside: --timeout arms a CLOCK_MONOTONIC timer whose
 * SIGALRM sets a flag; SIGINT and SIGTERM go to main()'s handler (util.c),
 * which records them for vm_stop_requested(). Both of our handlers also
 * set kvm_run's immediate_exit. A signal that lands inside KVM_RUN makes
 * it return EINTR; one that lands between two KVM_RUNs (while a hypercall
 * is being served) makes the next KVM_RUN return EINTR at once, so none
 * is lost even when the guest then spins without exiting: this is what
 * immediate_exit is for. The loop then ends the VM through vm_timeout()
 * (status EMBER_EXIT_TIMEOUT) or vm_stop_requested() (128 + signal).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kvm_state.h"
#include "net.h"

static struct kvm_run *volatile g_run;
static volatile sig_atomic_t g_timer_fired;
static struct sigaction g_old_int, g_old_term, g_old_alrm;

static void kick_vcpu(void)
{
	struct kvm_run *run = g_run;

	if (run)
		run->immediate_exit = 1;
}

/* Pass SIGINT/SIGTERM on to the handler that was there before (main's,
 * which records the signal); with none, die the default way. */
static void chain(const struct sigaction *old, int sig, siginfo_t *si,
		  void *ctx)
{
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, ctx);
	} else if (old->sa_handler == SIG_DFL) {
		signal(sig, SIG_DFL);
		raise(sig);
	} else if (old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	}
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;

	if (sig == SIGALRM) {
		if (si->si_code != SI_TIMER)
			return; /* not our timer */
		g_timer_fired = 1;
	} else {
		chain(sig == SIGINT ? &g_old_int : &g_old_term, sig, si, ctx);
	}
	kick_vcpu();
	errno = saved;
}

struct run_ctx {
	int installed; /* handlers in place: restore them */
	timer_t timer;
	int have_timer;
};

static int arm_timer(struct vm *vm, struct run_ctx *c)
{
	struct sigevent sev;
	struct itimerspec its;

	if (!vm->deadline_ns)
		return 0;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &c->timer) < 0) {
		vmm_error("cannot create the --timeout timer: %s",
			  strerror(errno));
		return -1;
	}
	c->have_timer = 1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(vm->deadline_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(vm->deadline_ns % 1000000000ull);
	if (timer_settime(c->timer, TIMER_ABSTIME, &its, NULL) < 0) {
		vmm_error("cannot arm the --timeout timer: %s",
			  strerror(errno));
		return -1;
	}
	return 0;
}

static int signals_install(struct vm *vm, struct run_ctx *c)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART, like main()'s */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGALRM);
	g_timer_fired = 0;
	if (sigaction(SIGINT, NULL, &g_old_int) < 0 ||
	    sigaction(SIGTERM, NULL, &g_old_term) < 0 ||
	    sigaction(SIGALRM, NULL, &g_old_alrm) < 0) {
		vmm_error("sigaction failed: %s", strerror(errno));
		return -1;
	}
	c->installed = 1;
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGALRM, &sa, NULL) < 0) {
		vmm_error("sigaction failed: %s", strerror(errno));
		return -1;
	}
	return arm_timer(vm, c);
}

static void signals_restore(struct run_ctx *c)
{
	if (c->have_timer)
		timer_delete(c->timer);
	c->have_timer = 0;
	g_run = NULL;
	if (c->installed) {
		sigaction(SIGINT, &g_old_int, NULL);
		sigaction(SIGTERM, &g_old_term, NULL);
		sigaction(SIGALRM, &g_old_alrm, NULL);
	}
	c->installed = 0;
}

static void end_vm(struct vm *vm, enum vm_end end, int status)
{
	vm->end = end;
	vm->exit_status = status;
}

/* Returns 1 (and ends the VM) if a stop signal or the deadline is due. */
static int stop_due(struct vm *vm)
{
	if (vm_stop_requested(vm))
		return 1;
	if (vm->deadline_ns && (g_timer_fired || now_ns() >= vm->deadline_ns))
		return vm_timeout(vm);
	return 0;
}

void kvm_crash_with_state(struct vm *vm, const char *what)
{
	struct kvm_state *ks = vm->be_state;
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t off = 0;

	if (!ks || ioctl(ks->vcpu_fd, KVM_GET_REGS, &r) < 0) {
		vm_crash(vm, "%s", what);
		return;
	}
	const char *sym = image_symbolize(&vm->img, r.rip, &off);
	if (sym)
		vm_crash(vm, "%s at rip 0x%llx (%s+0x%llx)", what,
			 (unsigned long long)r.rip, sym,
			 (unsigned long long)off);
	else
		vm_crash(vm, "%s at rip 0x%llx (not in any function)", what,
			 (unsigned long long)r.rip);
	vmm_error("  rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		  (unsigned long long)r.rax, (unsigned long long)r.rbx,
		  (unsigned long long)r.rcx, (unsigned long long)r.rdx);
	vmm_error("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx",
		  (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		  (unsigned long long)r.rbp, (unsigned long long)r.rsp);
	vmm_error("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx",
		  (unsigned long long)r.r8, (unsigned long long)r.r9,
		  (unsigned long long)r.r10, (unsigned long long)r.r11);
	vmm_error("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx",
		  (unsigned long long)r.r12, (unsigned long long)r.r13,
		  (unsigned long long)r.r14, (unsigned long long)r.r15);
	if (ioctl(ks->vcpu_fd, KVM_GET_SREGS, &s) == 0)
		vmm_error("  rflags %08llx cs %04x ss %04x cr2 %016llx cr3 "
			  "%llx",
			  (unsigned long long)r.rflags, s.cs.selector,
			  s.ss.selector, (unsigned long long)s.cr2,
			  (unsigned long long)s.cr3);
}

static void handle_io(struct vm *vm, struct kvm_state *ks)
{
	const struct kvm_run *run = ks->run;
	unsigned port = run->io.port, size = run->io.size;
	int out = run->io.direction == KVM_EXIT_IO_OUT;
	char what[160];
	uint32_t value;

	if (port < EMBER_HC_PORT_BASE ||
	    port >= EMBER_HC_PORT_BASE + EMBER_HC_PORT_COUNT) {
		vm->stats.exits[STAT_EXIT_OTHER_IO]++;
		snprintf(what, sizeof(what),
			 "guest accessed I/O port 0x%x (%s, size %u): there "
			 "is no device there (hypercalls use ports 0x%x-0x%x)",
			 port, out ? "out" : "in", size, EMBER_HC_PORT_BASE,
			 EMBER_HC_PORT_BASE + EMBER_HC_PORT_COUNT - 1);
		kvm_crash_with_state(vm, what);
		return;
	}
	vm->stats.exits[STAT_EXIT_HYPERCALL]++;
	if (!out || size != 4 || run->io.count != 1) {
		snprintf(what, sizeof(what),
			 "guest accessed hypercall port 0x%x with %s of size "
			 "%u (count %u): a hypercall is one 4-byte outl",
			 port, out ? "out" : "in", size, run->io.count);
		kvm_crash_with_state(vm, what);
		return;
	}
	/* data_offset comes from the kernel, but check it anyway. */
	if (run->io.data_offset > ks->run_size ||
	    ks->run_size - run->io.data_offset < sizeof(value)) {
		vmm_error("KVM reported I/O data at offset %llu, outside the "
			  "%zu-byte kvm_run area",
			  (unsigned long long)run->io.data_offset,
			  ks->run_size);
		end_vm(vm, VM_ERROR, EMBER_EXIT_ERROR);
		return;
	}
	memcpy(&value, (const uint8_t *)run + run->io.data_offset,
	       sizeof(value));
	hypercall_dispatch(vm, (uint16_t)port, value);
}

/* An access to the network device's register window: KVM stopped the
 * instruction and completes a read with run->mmio.data on the next
 * KVM_RUN. */
static int handle_mmio(struct vm *vm, struct kvm_run *run)
{
	uint64_t gpa = run->mmio.phys_addr, v = 0;
	unsigned len = run->mmio.len;

	if (!vm->net || len == 0 || len > sizeof(v) ||
	    !net_mmio_window(gpa, len))
		return 0;
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len);
		net_mmio_write(vm, gpa, len, v);
	} else {
		v = net_mmio_read(vm, gpa, len);
		memcpy(run->mmio.data, &v, len);
	}
	return 1;
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "KVM could not emulate an instruction";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while handling an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "exception while delivering an event: broken exception "
		       "stack or stubs?";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected hardware exit";
	default:
		return "unknown";
	}
}

/* Every exit other than I/O and EINTR ends the VM with a diagnosis. */
static void handle_other_exit(struct vm *vm, const struct kvm_run *run)
{
	char what[200];

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vm->stats.exits[STAT_EXIT_MMIO]++;
		snprintf(what, sizeof(what),
			 "guest %s %u bytes at 0x%llx, outside guest memory "
			 "(no device there)",
			 run->mmio.is_write ? "wrote" : "read", run->mmio.len,
			 (unsigned long long)run->mmio.phys_addr);
		break;
	case KVM_EXIT_SHUTDOWN:
		vm->stats.exits[STAT_EXIT_SHUTDOWN]++;
		snprintf(what, sizeof(what),
			 "guest triple-faulted (a CPU exception while "
			 "delivering an exception: broken exception stack?)");
		break;
	case KVM_EXIT_HLT:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		snprintf(what, sizeof(what), "guest halted (hlt)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		snprintf(what, sizeof(what),
			 "KVM could not enter the guest (hardware entry "
			 "failure reason 0x%llx on cpu %u)",
			 (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		snprintf(what, sizeof(what), "KVM internal error %u (%s)",
			 run->internal.suberror,
			 internal_error_name(run->internal.suberror));
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		snprintf(what, sizeof(what),
			 "KVM reported system event %u (1 shutdown, 2 reset, "
			 "3 crash)",
			 run->system_event.type);
		break;
	default:
		vm->stats.exits[STAT_EXIT_OTHER]++;
		snprintf(what, sizeof(what), "unexpected KVM exit reason %u",
			 run->exit_reason);
		break;
	}
	kvm_crash_with_state(vm, what);
}

static void handle_exit(struct vm *vm, struct kvm_state *ks)
{
	switch (ks->run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vm, ks);
		break;
	case KVM_EXIT_MMIO:
		if (!handle_mmio(vm, ks->run))
			handle_other_exit(vm, ks->run);
		break;
	case KVM_EXIT_INTR:
		vm->stats.exits[STAT_EXIT_INTR]++;
		ks->run->immediate_exit = 0;
		break; /* the loop checks why */
	default:
		handle_other_exit(vm, ks->run);
		break;
	}
}

static void loop(struct vm *vm, struct kvm_state *ks)
{
	while (vm->end == VM_RUNNING && !stop_due(vm)) {
		if (ioctl(ks->vcpu_fd, KVM_RUN, 0ul) == 0) {
			handle_exit(vm, ks);
			continue;
		}
		if (errno == EINTR || errno == EAGAIN) {
			if (errno == EINTR)
				vm->stats.exits[STAT_EXIT_INTR]++;
			/* Cleared after the kick; the flags are sticky, so
			 * a signal racing with this is still seen. */
			ks->run->immediate_exit = 0;
			continue;
		}
		vmm_error("KVM_RUN failed: %s", strerror(errno));
		end_vm(vm, VM_ERROR, EMBER_EXIT_ERROR);
	}
}

int kvm_run_vcpu(struct vm *vm)
{
	struct kvm_state *ks = vm->be_state;
	struct run_ctx c;

	if (!ks || !ks->run) {
		vmm_error("internal error: the KVM vCPU was not created");
		end_vm(vm, VM_ERROR, EMBER_EXIT_ERROR);
		return vm->exit_status;
	}
	memset(&c, 0, sizeof(c));
	ks->run->immediate_exit = 0;
	g_run = ks->run;
	if (signals_install(vm, &c) == 0)
		loop(vm, ks);
	else
		end_vm(vm, VM_ERROR, EMBER_EXIT_ERROR);
	signals_restore(&c);
	return vm->exit_status;
}
