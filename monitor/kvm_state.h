/*
 * Private state of the KVM backend, shared by its files:
 *   kvm_create.c  - /dev/kvm, the VM, guest memory, the vCPU, CPUID
 *   backend_kvm.c - CPU state, page-table edits, TSC, the ops table
 *   kvm_run.c     - the KVM_RUN loop, exits, timeout and signals
 */
#ifndef EMBER_KVM_STATE_H
#define EMBER_KVM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "kvm_cpu.h"
#include "kvm_tables.h"
#include "vm.h"

struct kvm_state {
	int kvm_fd, vm_fd, vcpu_fd; /* -1 when closed */
	struct kvm_run *run;	    /* mmap of the vCPU fd, run_size bytes */
	size_t run_size;
	int mem_mapped; /* vm->mem is our mmap */
	struct kvm_cpu_features feat;
	int have_tsc_khz; /* KVM_CAP_GET_TSC_KHZ */
	uint64_t tsc_khz; /* cached; 0 = not known yet */
	struct kvm_pt pt;
	unsigned cr3_index; /* which PML4 copy CR3 points at */
};

/* kvm_create.c */
int kvm_create(struct vm *vm);
void kvm_destroy(struct vm *vm);

/* kvm_run.c: the run loop; returns ember-vmm's exit status. */
int kvm_run_vcpu(struct vm *vm);

/* kvm_run.c: end the VM as crashed with "what" followed by the vCPU's
 * registers, RIP symbolised from the image (for triple faults and other
 * unexpected exits). */
void kvm_crash_with_state(struct vm *vm, const char *what);

#endif
