/*
 * The C unit tests' one assertion: check(ok, "what, printf-style") counts
 * a pass or prints "FAIL: what" and counts a failure; CHECK(cond) is
 * check() saying where and what the condition was; check_summary()
 * prints "NAME: N passed, M failed" and gives main()'s exit status.
 */
#ifndef EMBER_TEST_CHECK_H
#define EMBER_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int passed, failed;

__attribute__((format(printf, 2, 3))) static void check(int ok, const char *fmt,
							...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define CHECK(cond) check((cond), "%s:%d: %s", __FILE__, __LINE__, #cond)

static int check_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, passed, failed);
	return failed ? 1 : 0;
}

#endif
