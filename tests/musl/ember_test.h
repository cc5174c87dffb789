/* Shared by the native musl test and its test-only ember_syscall. */
#ifndef EMBER_TEST_H
#define EMBER_TEST_H

/* What ember_syscall saw for one syscall number: how many calls, and the
 * arguments of the last one (arg[1..6]; arg[0] unused). */
struct call_log {
	long count;
	long arg[7];
	long stack_top; /* SYS_clone: the word at the child's stack (a2) */
};

#define LOG_CALLS 512

/* Indexed by syscall number. Points at a static table; a test may point it
 * at a MAP_SHARED copy to see what a forked child did. */
extern struct call_log *ember_test_calls;

#endif
