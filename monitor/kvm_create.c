/*
 * Creating and destroying the KVM micro-VM: /dev/kvm, the VM, guest
 * memory with its one memory slot, the vCPU, its kvm_run area and its
 * CPUID. Every failure prints one line saying what to do and unwinds
 * everything (kvm_destroy is idempotent).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_state.h"

/* Intel's VMX needs a 3-page area for its real-mode TSS before the
 * first KVM_RUN on CPUs without "unrestricted guest"; the guest never
 * runs in real mode, but KVM may still want it. It must lie outside
 * guest RAM, below 4 GiB: the conventional address, just under KVM's
 * default identity-map page (0xfffbc000). */
#define KVM_TSS_ADDR 0xfffbd000ul

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		vmm_error("/dev/kvm does not exist: this host has no KVM (load "
			  "the kvm module, or run with --backend=process)");
	else if (errno == EACCES || errno == EPERM)
		vmm_error("no permission to open /dev/kvm: add your user to "
			  "the 'kvm' group or run as root");
	else if (errno == ENXIO || errno == ENODEV)
		vmm_error("/dev/kvm exists but KVM is not loaded (%s): load "
			  "kvm_intel or kvm_amd, or run with --backend=process",
			  strerror(errno));
	else
		vmm_error("cannot open /dev/kvm: %s (or run with "
			  "--backend=process)",
			  strerror(errno));
	return -1;
}

static int check_api(int kvm_fd)
{
	static const struct {
		int cap;
		const char *name;
	} need[] = {
	    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
	    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
	    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
	};
	int v = ioctl(kvm_fd, KVM_GET_API_VERSION, 0ul);

	if (v != KVM_API_VERSION) {
		vmm_error("/dev/kvm speaks KVM API version %d, ember-vmm needs "
			  "%d: use a standard Linux KVM host",
			  v, KVM_API_VERSION);
		return -1;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION,
			  (unsigned long)need[i].cap) <= 0) {
			vmm_error(
			    "this host's KVM lacks %s (Linux 4.11 or newer "
			    "is needed): upgrade the host kernel or run "
			    "with --backend=process",
			    need[i].name);
			return -1;
		}
	}
	return 0;
}

/* Guest memory: reserved, never touched here. The first guest access
 * to each page faults it in; pre-touching (or MAP_POPULATE) would cost
 * milliseconds for memory most guests never use. */
static int map_memory(struct vm *vm)
{
	uint64_t size = vm->layout.mem_size;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		vmm_error("cannot reserve %llu MiB of guest memory: %s (try a "
			  "smaller --mem)",
			  (unsigned long long)(size >> 20), strerror(errno));
		return -1;
	}
	vm->mem.base = p;
	vm->mem.size = size;
	((struct kvm_state *)vm->be_state)->mem_mapped = 1;
	return 0;
}

static int add_memory_slot(struct vm *vm, struct kvm_state *ks)
{
	struct kvm_userspace_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.flags = 0;
	r.guest_phys_addr = 0;
	r.memory_size = vm->mem.size;
	r.userspace_addr = (uint64_t)(uintptr_t)vm->mem.base;
	if (ioctl(ks->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		vmm_error("KVM_SET_USER_MEMORY_REGION (%llu MiB) failed: %s "
			  "(try a smaller --mem)",
			  (unsigned long long)(vm->mem.size >> 20),
			  strerror(errno));
		return -1;
	}
	return 0;
}

static int create_vcpu(struct kvm_state *ks)
{
	ks->vcpu_fd = ioctl(ks->vm_fd, KVM_CREATE_VCPU, 0ul);
	if (ks->vcpu_fd < 0) {
		vmm_error("KVM_CREATE_VCPU failed: %s", strerror(errno));
		return -1;
	}
	int size = ioctl(ks->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0ul);
	if (size < (int)sizeof(struct kvm_run)) {
		vmm_error("KVM_GET_VCPU_MMAP_SIZE returned %d: %s", size,
			  size < 0 ? strerror(errno) : "too small");
		return -1;
	}
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ks->vcpu_fd, 0);
	if (p == MAP_FAILED) {
		vmm_error("cannot map the vCPU's kvm_run area: %s",
			  strerror(errno));
		return -1;
	}
	ks->run = p;
	ks->run_size = (size_t)size;
	return 0;
}

/* KVM_GET_SUPPORTED_CPUID fails with E2BIG until nent is large enough. */
static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	for (uint32_t n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c =
		    calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		int e = errno;
		free(c);
		if (e != E2BIG) {
			errno = e;
			return NULL;
		}
	}
	errno = E2BIG;
	return NULL;
}

/* Give the guest the CPUID KVM supports as is: the features it may
 * use (SSE, AVX, FSGSBASE, ...) and what KVM_SET_SREGS checks CR4 and
 * EFER against. Must come before KVM_SET_SREGS. */
static int setup_cpuid(struct kvm_state *ks)
{
	struct kvm_cpuid2 *c = supported_cpuid(ks->kvm_fd);

	if (!c) {
		vmm_error("KVM_GET_SUPPORTED_CPUID failed: %s",
			  strerror(errno));
		return -1;
	}
	int have_xcrs = ioctl(ks->kvm_fd, KVM_CHECK_EXTENSION,
			      (unsigned long)KVM_CAP_XCRS) > 0;
	kvm_cpu_features(c, have_xcrs, &ks->feat);
	if (!ks->feat.nx || !ks->feat.lm) {
		free(c);
		vmm_error(
		    "this host's KVM offers no %s to guests: Ember guests "
		    "need 64-bit mode with NX pages",
		    ks->feat.lm ? "NX" : "long mode");
		return -1;
	}
	int rc = ioctl(ks->vcpu_fd, KVM_SET_CPUID2, c);
	int e = errno;
	free(c);
	if (rc < 0) {
		vmm_error("KVM_SET_CPUID2 failed: %s", strerror(e));
		return -1;
	}
	return 0;
}

static int create_vm(struct vm *vm, struct kvm_state *ks)
{
	ks->kvm_fd = open_kvm();
	if (ks->kvm_fd < 0 || check_api(ks->kvm_fd))
		return -1;
	ks->have_tsc_khz = ioctl(ks->kvm_fd, KVM_CHECK_EXTENSION,
				 (unsigned long)KVM_CAP_GET_TSC_KHZ) > 0;
	ks->vm_fd = ioctl(ks->kvm_fd, KVM_CREATE_VM, 0ul);
	if (ks->vm_fd < 0) {
		vmm_error("KVM_CREATE_VM failed: %s", strerror(errno));
		return -1;
	}
	if (map_memory(vm))
		return -1;
	/* Not needed on CPUs with unrestricted guest (all recent ones) and
	 * a no-op on AMD, so a failure is ignored. Skipped when guest RAM
	 * would cover the address (KVM would refuse the overlapping slot). */
	if (vm->mem.size <= KVM_TSS_ADDR)
		(void)ioctl(ks->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	if (add_memory_slot(vm, ks) || create_vcpu(ks) || setup_cpuid(ks))
		return -1;
	return 0;
}

int kvm_create(struct vm *vm)
{
	struct kvm_state *ks = calloc(1, sizeof(*ks));

	if (!ks) {
		vmm_error("out of memory");
		return -1;
	}
	ks->kvm_fd = ks->vm_fd = ks->vcpu_fd = -1;
	vm->be_state = ks;
	if (vm->layout.mem_size == 0 || vm->layout.mem_size % EMBER_PAGE_SIZE) {
		vmm_error("internal error: guest memory size %llu is not a "
			  "whole number of pages",
			  (unsigned long long)vm->layout.mem_size);
		kvm_destroy(vm);
		return -1;
	}
	if (create_vm(vm, ks)) {
		kvm_destroy(vm);
		return -1;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void kvm_destroy(struct vm *vm)
{
	struct kvm_state *ks = vm->be_state;

	if (ks) {
		if (ks->run)
			munmap(ks->run, ks->run_size);
		ks->run = NULL;
		close_fd(&ks->vcpu_fd);
		close_fd(&ks->vm_fd);
		close_fd(&ks->kvm_fd);
		/* Guest memory is ours only once map_memory succeeded. */
		if (ks->mem_mapped && vm->mem.base)
			munmap(vm->mem.base, vm->mem.size);
		if (ks->mem_mapped) {
			vm->mem.base = NULL;
			vm->mem.size = 0;
		}
		free(ks);
		vm->be_state = NULL;
	}
}
