/*
 * crash: a NULL dereference inside crash_here(), so the crash report can
 * be checked for the faulting function and address. The pointer is a
 * NULL struct pointer and the field is at offset 0x28, which makes the
 * faulting address (0x28) easy to tell apart from registers that are 0.
 */
#include <stdio.h>

struct node {
	long pad[5];
	long value; /* offset 0x28 */
};

/* NULL, but volatile: the compiler must not see the NULL and replace the
 * load by a trap instruction (nor a static checker flag the crash that
 * is this program's whole point). */
struct node *volatile nowhere;

/* noinline: the report must name this function, not main. */
__attribute__((noinline)) long crash_here(struct node *n)
{
	return n->value;
}

int main(void)
{
	fprintf(stderr, "crash: dereferencing a NULL struct pointer\n");
	return (int)crash_here(nowhere);
}
