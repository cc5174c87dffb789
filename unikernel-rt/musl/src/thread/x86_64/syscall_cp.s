/* Ember replacement: the cancellable system call.
 * long __syscall_cp_asm(volatile int *cancel, long n,
 *                       long a1, long a2, long a3, long a4, long a5, long a6)
 *
 * Same contract as musl's: if *cancel is set on entry, or a cancellation
 * signal arrives while the PC is in [__cp_begin, __cp_end), the thread
 * leaves through __cp_cancel into __cancel instead of making the call. The
 * call itself goes to the runtime's ember_syscall(n, a1..a6) (see
 * arch/x86_64/syscall_arch.h); while the runtime runs, the PC is outside the
 * range, so cancellation there is the runtime's business, as it is the
 * kernel's during a real syscall.
 *
 * a6 (our 8th argument, 16(%rsp) on entry) becomes ember_syscall's 7th, on
 * the stack; pushing it also gives the call its 16-byte alignment. It is
 * pushed before __cp_begin, so everywhere in the range (and so at
 * __cp_cancel) exactly these 8 extra bytes are on the stack. */
.text
.global __cp_begin
.hidden __cp_begin
.global __cp_end
.hidden __cp_end
.global __cp_cancel
.hidden __cp_cancel
.hidden __cancel
.hidden ember_syscall
.global __syscall_cp_asm
.hidden __syscall_cp_asm
.type   __syscall_cp_asm,@function
__syscall_cp_asm:
	mov 16(%rsp),%rax
	push %rax		/* a6 */
__cp_begin:
	mov (%rdi),%eax
	test %eax,%eax
	jnz __cp_cancel
	mov %rsi,%rdi		/* n */
	mov %rdx,%rsi		/* a1 */
	mov %rcx,%rdx		/* a2 */
	mov %r8,%rcx		/* a3 */
	mov %r9,%r8		/* a4 */
	mov 16(%rsp),%r9	/* a5: 8(%rsp) on entry, before the push */
	call ember_syscall
__cp_end:
	add $8,%rsp
	ret
__cp_cancel:
	add $8,%rsp		/* drop a6: __cancel is a tail call */
	jmp __cancel
.size __syscall_cp_asm,.-__syscall_cp_asm
