/* Ember replacement: void __unmapself(void *base, size_t size)
 *
 * pthread_exit of a detached thread calls this to unmap its own stack and
 * exit. Musl's version issues munmap and exit as syscall instructions, which
 * need no stack. Ours calls the runtime's ember_syscall (see
 * arch/x86_64/syscall_arch.h), a C function that needs one, so it first
 * switches to a private stack. A single one is enough: pthread_exit holds
 * the thread list lock here, and that lock is released only by the exit
 * itself (through the exit futex, CLONE_CHILD_CLEARTID), so no two threads
 * are ever in here at once. 16 KiB, because the runtime's munmap and exit
 * are ordinary C code (and may print a warning). */
.text
.global __unmapself
.type   __unmapself,@function
.hidden ember_syscall
__unmapself:
	lea unmap_stack_top(%rip),%rsp
	mov %rsi,%rdx		/* a2 = size */
	mov %rdi,%rsi		/* a1 = base */
	mov $11,%edi		/* n = SYS_munmap */
	xor %ecx,%ecx
	xor %r8d,%r8d
	xor %r9d,%r9d
	sub $8,%rsp
	push $0			/* a6; %rsp is 16-byte aligned again */
	call ember_syscall
	mov $60,%edi		/* n = SYS_exit */
	xor %esi,%esi		/* a1 = status 0 */
	xor %edx,%edx
	xor %ecx,%ecx
	xor %r8d,%r8d
	xor %r9d,%r9d
	movq $0,(%rsp)		/* a6 again: the callee may reuse its slot */
	call ember_syscall
	ud2			/* exit returned: crash loudly, never run on */
.size __unmapself,.-__unmapself

.bss
.balign 16
	.space 16384
unmap_stack_top:
