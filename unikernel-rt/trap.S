/*
 * CPU exception entry. The monitor's IDT sends vector v (0..31) to
 * ember_trap_entry + 16*v, at CPL3, on the IST stack ember_trap_stack_top
 * (both named in the image manifest). The CPU has pushed SS, RSP, RFLAGS,
 * CS, RIP and, for some vectors, an error code. Each stub makes the frame
 * uniform (error code, then vector) and jumps to the common code, which
 * saves every register into a struct ember_crash_regs on the stack and
 * calls ember_trap_report (crash.c), which never returns.
 */

/* struct ember_crash_regs offsets (rt.h / abi.h) */
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
#define R_R10 80
#define R_R11 88
#define R_R12 96
#define R_R13 104
#define R_R14 112
#define R_R15 120
#define R_RIP 128
#define R_RFLAGS 136
/* 144 bytes of regs + 8 so that the call below is 16-byte aligned:
 * 7 frame words (56) + 152 = 208 = 13 * 16 below the aligned IST top. */
#define REGS_SPACE 152
#define F_VECTOR (REGS_SPACE + 0)
#define F_ERROR (REGS_SPACE + 8)
#define F_RIP (REGS_SPACE + 16)
#define F_RFLAGS (REGS_SPACE + 32)
#define F_RSP (REGS_SPACE + 40)

/* Stubs: 16 bytes each. The jump targets another section, so it is
 * always the 5-byte form and every stub is 9 bytes or less. */
.macro stub v
	.balign 16
	.if (\v == 8) || (\v == 10) || (\v == 11) || (\v == 12) || (\v == 13) || (\v == 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	/* the CPU pushed an error code */
	.else
	pushq $0
	.endif
	pushq $\v
	jmp ember_trap_common
.endm

	.section .text.ember_trap_entry,"ax",@progbits
	.balign 16
	.globl ember_trap_entry
	.type ember_trap_entry,@function
ember_trap_entry:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \v
	.endr
	.balign 16
	.size ember_trap_entry, . - ember_trap_entry

	.section .text.ember_trap_common,"ax",@progbits
	.type ember_trap_common,@function
ember_trap_common:
	cld			/* the C code expects DF clear */
	subq $REGS_SPACE, %rsp
	movq %rax, R_RAX(%rsp)
	movq %rbx, R_RBX(%rsp)
	movq %rcx, R_RCX(%rsp)
	movq %rdx, R_RDX(%rsp)
	movq %rsi, R_RSI(%rsp)
	movq %rdi, R_RDI(%rsp)
	movq %rbp, R_RBP(%rsp)
	movq %r8, R_R8(%rsp)
	movq %r9, R_R9(%rsp)
	movq %r10, R_R10(%rsp)
	movq %r11, R_R11(%rsp)
	movq %r12, R_R12(%rsp)
	movq %r13, R_R13(%rsp)
	movq %r14, R_R14(%rsp)
	movq %r15, R_R15(%rsp)
	movq F_RIP(%rsp), %rax
	movq %rax, R_RIP(%rsp)
	movq F_RFLAGS(%rsp), %rax
	movq %rax, R_RFLAGS(%rsp)
	movq F_RSP(%rsp), %rax
	movq %rax, R_RSP(%rsp)
	movq %rsp, %rdi			/* regs */
	movq F_VECTOR(%rsp), %rsi	/* vector */
	movq F_ERROR(%rsp), %rdx	/* error code */
	xorl %ebp, %ebp			/* the handler's own chain ends here */
	call ember_trap_report
	ud2
	.size ember_trap_common, . - ember_trap_common

/* The exception stack (IST). 16 KiB: the report code is small and keeps
 * its data in statics. ember_trap_stack_top is its end. */
	.section .bss.ember_trap_stack,"aw",@nobits
	.balign 16
	.type ember_trap_stack,@object
ember_trap_stack:
	.skip 16384
	.size ember_trap_stack, . - ember_trap_stack
	.globl ember_trap_stack_top
	.type ember_trap_stack_top,@object
ember_trap_stack_top:
	.size ember_trap_stack_top, 0

	.section .note.GNU-stack,"",@progbits
