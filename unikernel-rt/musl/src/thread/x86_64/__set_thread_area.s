/* Ember replacement: int __set_thread_area(void *tp)
 * arch_prctl(ARCH_SET_FS, tp) through the runtime's ember_syscall instead of
 * the syscall instruction (see arch/x86_64/syscall_arch.h).
 *
 * ember_syscall(n, a1..a6) takes seven arguments: a6 is passed on the stack,
 * and %rsp must be 16-byte aligned at the call. On entry %rsp is 8 mod 16
 * (our return address), so pushing a6 realigns it. */
.text
.global __set_thread_area
.hidden __set_thread_area
.hidden ember_syscall
.type __set_thread_area,@function
__set_thread_area:
	mov %rdi,%rdx		/* a2 = tp */
	mov $0x1002,%esi	/* a1 = ARCH_SET_FS */
	mov $158,%edi		/* n = SYS_arch_prctl */
	xor %ecx,%ecx
	xor %r8d,%r8d
	xor %r9d,%r9d
	push $0			/* a6 */
	call ember_syscall
	add $8,%rsp
	ret
.size __set_thread_area,.-__set_thread_area
