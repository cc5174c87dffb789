/*
 * ember-floor: the benchmark floor. The least a KVM monitor can do:
 * create a VM with 2 MiB of memory and one vCPU, run one `out` in real
 * mode, see the I/O exit, exit. Whatever ember-vmm costs on top of this
 * is ours to explain.
 *
 * Exit status: 0 ok, 1 something failed, 2 no KVM on this host.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE (2u << 20)
#define CODE_GPA 0x1000u
#define PORT	 0x10u

static int fail(const char *what)
{
	fprintf(stderr, "ember-floor: %s failed: %s\n", what, strerror(errno));
	return 1;
}

static int run(int kvm)
{
	/* out %al, $0x10; hlt */
	static const uint8_t code[] = {0xe6, PORT, 0xf4};
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	int vm = ioctl(kvm, KVM_CREATE_VM, 0ul);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap of guest memory");
	memcpy(mem + CODE_GPA, code, sizeof(code));
	memset(&region, 0, sizeof(region));
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	/* Real mode on VMX without unrestricted guest needs this. */
	(void)ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0ul);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0ul);
	if (size < (int)sizeof(struct kvm_run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *kr = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, vcpu, 0);
	if (kr == MAP_FAILED)
		return fail("mmap of kvm_run");

	/* Real mode from reset, but with CS at 0 instead of 0xf000. */
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rax = 0x42;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	if (ioctl(vcpu, KVM_RUN, 0ul) < 0)
		return fail("KVM_RUN");
	if (kr->exit_reason != KVM_EXIT_IO || kr->io.port != PORT ||
	    kr->io.direction != KVM_EXIT_IO_OUT || kr->io.size != 1 ||
	    kr->io.data_offset >= (uint64_t)size ||
	    ((uint8_t *)kr)[kr->io.data_offset] != 0x42) {
		fprintf(stderr,
			"ember-floor: expected an out to port 0x%x, got exit "
			"reason %u\n",
			PORT, kr->exit_reason);
		return 1;
	}
	return 0;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV)) {
		fprintf(stderr, "ember-floor: /dev/kvm is missing: this host "
				"has no KVM\n");
		return 2;
	}
	if (kvm < 0)
		return fail("open /dev/kvm");
	return run(kvm);
}
