/* Ember replacement: __restore_rt, the return trampoline of signal handlers
 * (sa_restorer), entered when a handler returns with %rsp pointing at the
 * signal frame, exactly where the kernel left it.
 *
 * rt_sigreturn through the runtime's ember_syscall (see
 * arch/x86_64/syscall_arch.h). The kernel finds the frame at the user %rsp;
 * a function call moves %rsp, so the entry %rsp is passed as a1 (Linux's
 * rt_sigreturn ignores its arguments). rt_sigreturn does not return: if it
 * does anyway, crash here rather than run into whatever follows. */
.text
	nop	/* like musl: unwinders look up the PC before the entry point */
.global __restore_rt
.hidden __restore_rt
.hidden ember_syscall
.type __restore_rt,@function
__restore_rt:
	mov %rsp,%rsi		/* a1 = the signal frame */
	mov $15,%edi		/* n = SYS_rt_sigreturn */
	xor %edx,%edx
	xor %ecx,%ecx
	xor %r8d,%r8d
	xor %r9d,%r9d
	and $-16,%rsp
	sub $8,%rsp
	push $0			/* a6; %rsp is 16-byte aligned for the call */
	call ember_syscall
	ud2
.size __restore_rt,.-__restore_rt
