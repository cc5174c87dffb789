/*
 * overflow: unbounded recursion until the main stack runs into its
 * guard page; the monitor must report a stack overflow.
 */
#include <stdio.h>

/* Never equal to a depth reached, but the compiler cannot know that, so
 * the recursion is neither flagged as infinite nor removed. */
static volatile long depth_limit = -1;

/* The volatile array keeps a real frame per call and the addition after
 * the call keeps it from becoming a tail call (a loop). */
__attribute__((noinline)) long recurse(long depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth == depth_limit)
		return 0;
	return recurse(depth + 1) + frame[0];
}

int main(void)
{
	fprintf(stderr, "overflow: recursing without end\n");
	return (int)recurse(0);
}
