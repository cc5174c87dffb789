/*
 * ember-vmm: load an Ember image, build its guest memory and boot info,
 * run it on a backend (KVM, or a ptrace'd process) and exit with its
 * status. Every path out of main() goes through finish(): stats written,
 * backend destroyed, nothing left behind.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "net.h"

struct run {
	struct vm vm;
	struct options opt;
	int created; /* backend create() was called: destroy() is due */
	int ran;     /* backend run() was called: guest stats are valid */
	struct stats_file stats_file; /* --stats FILE, prepared */
};

static void fail(struct vm *vm)
{
	vm->end = VM_ERROR;
	vm->exit_status = EMBER_EXIT_ERROR;
}

static uint64_t mem_size(const struct vm *vm)
{
	if (vm->opt->mem_size)
		return vm->opt->mem_size;
	if (vm->img.manifest.mem_default)
		return vm->img.manifest.mem_default;
	return EMBER_MEM_DEFAULT;
}

/* Image segments and boot info into guest memory. */
static int load(struct vm *vm)
{
	char *margs[EMBER_MANIFEST_ARGS_MAX];
	char *const *args = margs;
	size_t nargs;
	struct stats *st = &vm->stats;

	if (vm->opt->have_args) {
		args = vm->opt->args;
		nargs = vm->opt->nargs;
	} else {
		nargs = manifest_args(&vm->img.manifest, margs,
				      EMBER_MANIFEST_ARGS_MAX);
	}
	image_copy(&vm->img, vm->mem.base);
	st->tsc_khz = vm->be->tsc_khz(vm);
	st->boot_tsc = vm->be->guest_tsc(vm);
	st->t_boot = now_ns();
	if (bootinfo_write(vm, args, nargs, st->boot_tsc, st->tsc_khz) < 0)
		return -1;
	st->t_image_loaded = now_ns();
	return 0;
}

static void set_deadline(struct vm *vm)
{
	double ns = vm->opt->timeout_sec * 1e9;

	if (vm->opt->timeout_sec > 0)
		vm->deadline_ns = now_ns() + (uint64_t)ns;
}

/* Everything from the image to the end of the guest. Returns -1 on a
 * monitor error (already reported), else 0 with vm->end set. */
static int boot(struct run *r)
{
	struct vm *vm = &r->vm;
	char err[512];

	/* Validate the image before touching /dev/kvm, so that a bad image
	 * gets the same message on every host. */
	if (image_load(r->opt.image_path, &vm->img, err, sizeof(err)) < 0) {
		vmm_error("%s", err);
		return -1;
	}
	if ((vm->img.manifest.flags & EMBER_MF_NET_REQUIRED) &&
	    !r->opt.net.tap) {
		vmm_error("%s needs a network device: run with --net TAP",
			  r->opt.image_path);
		return -1;
	}
	if (layout_compute(&vm->img, mem_size(vm), &vm->layout) < 0)
		return -1;
	/* The tap before the guest: a missing or busy tap is one line,
	 * with no VM created for nothing. */
	if (net_open(vm) < 0)
		return -1;
	r->created = 1;
	if (vm->be->create(vm) < 0)
		return -1;
	vm->stats.t_vm_created = now_ns();
	if (!vm->mem.base || vm->mem.size != vm->layout.mem_size) {
		vmm_error("backend %s did not allocate guest memory",
			  vm->be->name);
		return -1;
	}
	net_attach_memory(vm);
	if (load(vm) < 0 || vm->be->prepare(vm) < 0)
		return -1;
	if (vm_stop_requested(vm))
		return 0;
	set_deadline(vm);
	/* The last step before the guest runs: from here on the monitor
	 * makes only the system calls of its run loop and teardown. */
	if (sandbox_enter(vm, &r->stats_file) < 0)
		return -1;
	r->ran = 1;
	vm->exit_status = vm->be->run(vm);
	vm->stats.t_exit = now_ns();
	if (vm->end == VM_RUNNING) {
		/* The backend returned without saying why: its error. */
		vm->end = VM_ERROR;
		if (vm->exit_status == 0)
			vm->exit_status = EMBER_EXIT_ERROR;
	}
	return 0;
}

/* A guest timestamp as host time; 0 if implausible (guest data). */
static uint64_t guest_time(const struct stats *st, uint64_t tsc)
{
	uint64_t t = stats_tsc_to_ns(st, tsc);

	return t > st->t_exit ? 0 : t;
}

static void read_guest_stats(struct vm *vm)
{
	struct ember_guest_stats gs;
	const void *p =
	    guest_ptr(&vm->mem, vm->img.manifest.guest_stats, sizeof(gs));

	if (!p)
		return;
	memcpy(&gs, p, sizeof(gs));
	vm->stats.t_first_insn = guest_time(&vm->stats, gs.first_insn_tsc);
	vm->stats.t_main = guest_time(&vm->stats, gs.main_tsc);
}

/* Stats, teardown; returns the exit status. */
static int finish(struct run *r)
{
	struct vm *vm = &r->vm;
	int status = vm->exit_status;

	if (!vm->stats.t_exit)
		vm->stats.t_exit = now_ns();
	if (r->ran && vm->mem.base)
		read_guest_stats(vm);
	if (r->opt.stats_path &&
	    stats_write(vm, r->opt.stats_path, &r->stats_file) < 0)
		status = EMBER_EXIT_ERROR;
	if (r->created)
		vm->be->destroy(vm);
	net_close(vm);
	image_free(&vm->img);
	cli_free(&r->opt);
	return status;
}

int main(int argc, char **argv)
{
	static struct run r;
	int status, sig;

	r.vm.stats.t_start = now_ns();
	r.stats_file.fd = -1;
	status = cli_parse(argc, argv, &r.opt);
	if (status >= 0) {
		cli_free(&r.opt);
		return status;
	}
	r.vm.opt = &r.opt;
	r.vm.be = backend_find(r.opt.backend);
	vmm_set_quiet(r.opt.quiet);
	if (vmm_install_signals() < 0) {
		vmm_error("cannot install signal handlers");
		fail(&r.vm);
	} else if (boot(&r) < 0) {
		fail(&r.vm);
	}
	status = finish(&r);
	sig = vmm_stop_signal();
	if (sig) {
		/* Die by the signal, so that the caller (a shell loop, say)
		 * sees the interrupt for what it is. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}
