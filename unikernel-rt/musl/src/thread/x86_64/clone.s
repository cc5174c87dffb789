/* Ember replacement:
 * int __clone(int (*fn)(void *), void *stack, int flags, void *arg,
 *             pid_t *ptid, void *tls, pid_t *ctid)
 *
 * Linux's clone(flags, stack, ptid, ctid, tls) through the runtime's
 * ember_syscall (see arch/x86_64/syscall_arch.h), returning its result to
 * the caller. A function call cannot "return twice" on two stacks, so the
 * child side is the runtime's job. It gets what musl's own clone.s gives the
 * kernel: fn as the sixth argument (a6), and arg stored at the top of the
 * child's 16-byte aligned stack (a2 points at it). To start the child, the
 * runtime sets %rsp = a2, pops arg into %rdi, calls fn and exits the thread
 * with its return value (thread_syscalls.c; a refusal, say -ENOMEM for
 * the stack, makes pthread_create fail cleanly with EAGAIN). */
.text
.global __clone
.hidden __clone
.hidden ember_syscall
.type   __clone,@function
__clone:
	and $-16,%rsi
	sub $8,%rsi
	mov %rcx,(%rsi)		/* arg, at the child's initial %rsp */
	push %rdi		/* a6 = fn; realigns %rsp for the call */
	mov %rsi,%rax
	mov %edx,%esi		/* a1 = flags (int, zero-extended) */
	mov %rax,%rdx		/* a2 = child stack */
	mov %r8,%rcx		/* a3 = ptid */
	mov 16(%rsp),%r8	/* a4 = ctid: 8(%rsp) on entry, before the push */
				/* a5 = tls, already in %r9 */
	mov $56,%edi		/* n = SYS_clone */
	call ember_syscall
	add $8,%rsp
	ret
.size __clone,.-__clone
