/* Ember replacement: pid_t vfork(void)
 *
 * SYS_vfork through the runtime's ember_syscall (see
 * arch/x86_64/syscall_arch.h); errors go through __syscall_ret to errno.
 * Musl's version pops its return address around the syscall so the child
 * cannot clobber it on the shared stack; a function call returns once, so
 * there is nothing to protect: a runtime without processes returns -ENOSYS. */
.text
.global vfork
.type vfork,@function
.hidden ember_syscall
.hidden __syscall_ret
vfork:
	mov $58,%edi		/* n = SYS_vfork */
	xor %esi,%esi
	xor %edx,%edx
	xor %ecx,%ecx
	xor %r8d,%r8d
	xor %r9d,%r9d
	push $0			/* a6; realigns %rsp for the call */
	call ember_syscall
	add $8,%rsp
	mov %rax,%rdi
	jmp __syscall_ret
.size vfork,.-vfork
