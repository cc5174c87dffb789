/*
 * Context switch between cooperative threads (sched.c). A switch is a
 * function call, so only what the SysV ABI says a callee preserves has
 * to survive it: rbx, rbp, r12-r15, rsp, and the control bits of MXCSR
 * and the x87 control word. They are pushed on the old thread's stack,
 * which is then recorded in *save_sp; the new thread's stack holds the
 * same layout (sched.c builds it for a thread that never ran).
 *
 * Stack layout at a saved sp, lowest address first:
 *   [mxcsr:4 fcw:2 pad:2] r15 r14 r13 r12 rbx rbp return-address
 */
	.section .text.ember_ctx_switch,"ax",@progbits
	.globl ember_ctx_switch
	.type ember_ctx_switch,@function
/* void ember_ctx_switch(uint64_t *save_sp, uint64_t new_sp) */
ember_ctx_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size ember_ctx_switch, . - ember_ctx_switch

/*
 * A new thread's first instructions, reached by the switch's `ret` with
 * r12 = fn and the argument at (%rsp), which is 8 mod 16 (musl's
 * __clone put it there; see musl/src/thread/x86_64/clone.s). As for a
 * Linux clone child: pop the argument, call fn(arg), and end the thread
 * with fn's return value. rbp is 0 (from the built frame): backtraces
 * stop here.
 */
	.section .text.ember_thread_trampoline,"ax",@progbits
	.globl ember_thread_trampoline
	.type ember_thread_trampoline,@function
ember_thread_trampoline:
	popq %r13			/* arg; %rsp is now 16-byte aligned */
	call ember_sched_thread_started	/* finish the switch (sched.c) */
	movq %r13, %rdi
	call *%r12
	movl %eax, %edi
	call ember_thread_exit
	ud2
	.size ember_thread_trampoline, . - ember_thread_trampoline

	.section .note.GNU-stack,"",@progbits
