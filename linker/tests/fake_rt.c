/*
 * A stand-in runtime for the ember-cc / ember.ld tests: just the symbols
 * an image needs (entry point, trap stubs, trap stack, guest stats), a
 * TLS variable and a constructor, so the toolchain can be tested without
 * building the real libember.a and musl. The images it makes are never
 * run.
 */
#include <stdint.h>

__thread int fake_tls = 1;
char ember_trap_stack[4096] __attribute__((aligned(16)));
uint64_t ember_guest_stats[2];
static int constructed;

int main(void);

/* 32 stubs of 16 bytes, as the manifest's trap_entry promises. */
__asm__(".section .text.ember_trap_entry,\"ax\",@progbits\n"
	".globl ember_trap_entry\n"
	".balign 16\n"
	"ember_trap_entry:\n"
	".rept 32\n"
	"1: jmp 1b\n"
	".balign 16\n"
	".endr\n"
	".globl ember_trap_stack_top\n"
	".set ember_trap_stack_top, ember_trap_stack + 4096\n"
	".text\n");

__attribute__((constructor)) static void construct(void)
{
	constructed = 1;
}

__attribute__((noreturn)) void _ember_start(void)
{
	fake_tls += constructed + main();
	for (;;)
		;
}
