/*
 * _ember_start: the image's ELF entry point. The monitor starts us at
 * CPL3 with rsp = bootinfo.stack_top (16-byte aligned), rdi = the boot
 * info address, every other register zero and no TLS yet.
 */
	.section .text._ember_start,"ax",@progbits
	.globl _ember_start
	.type _ember_start,@function
_ember_start:
	xorl %ebp, %ebp			/* outermost frame: backtraces stop */
	rdtsc				/* first thing: the boot timeline */
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, ember_guest_stats(%rip) /* .first_insn_tsc */
	andq $-16, %rsp
	call ember_start_c		/* rdi: boot info; never returns */
	ud2
	.size _ember_start, . - _ember_start

	.section .note.GNU-stack,"",@progbits
