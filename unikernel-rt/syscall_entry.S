/*
 * ember_syscall: the entry musl calls instead of `syscall`. It records the
 * caller's registers (where the program or libc "made the system call")
 * in ember_syscall_caller, then tail-jumps to the C dispatcher with every
 * argument untouched (a6 stays on the stack at 8(%rsp)).
 *
 * Why: an abort, a fatal signal or a deadlock is detected deep inside
 * the runtime, but the report should show the caller's state, as a core
 * dump would show the syscall site. A dozen stores per call is noise next
 * to anything a system call does.
 */

/* struct ember_crash_regs offsets, as in trap.S */
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_RSP 56
#define R_R8 64
#define R_R9 72
#define R_R12 96
#define R_R13 104
#define R_R14 112
#define R_R15 120
#define R_RIP 128

	.section .text.ember_syscall,"ax",@progbits
	.globl ember_syscall
	.type ember_syscall,@function
ember_syscall:
	movq %rbx, ember_syscall_caller+R_RBX(%rip)
	movq %rbp, ember_syscall_caller+R_RBP(%rip)
	movq %r12, ember_syscall_caller+R_R12(%rip)
	movq %r13, ember_syscall_caller+R_R13(%rip)
	movq %r14, ember_syscall_caller+R_R14(%rip)
	movq %r15, ember_syscall_caller+R_R15(%rip)
	movq %rdi, ember_syscall_caller+R_RDI(%rip)	/* n */
	movq %rsi, ember_syscall_caller+R_RSI(%rip)	/* a1 */
	movq %rdx, ember_syscall_caller+R_RDX(%rip)	/* a2 */
	movq %rcx, ember_syscall_caller+R_RCX(%rip)	/* a3 */
	movq %r8, ember_syscall_caller+R_R8(%rip)	/* a4 */
	movq %r9, ember_syscall_caller+R_R9(%rip)	/* a5 */
	movq (%rsp), %rax				/* return address */
	movq %rax, ember_syscall_caller+R_RIP(%rip)
	leaq 8(%rsp), %rax				/* rsp after return */
	movq %rax, ember_syscall_caller+R_RSP(%rip)
	jmp ember_syscall_dispatch
	.size ember_syscall, . - ember_syscall

	.section .note.GNU-stack,"",@progbits
