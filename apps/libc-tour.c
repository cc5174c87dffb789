/*
 * libc-tour: exercises the parts of the C library that depend on the
 * runtime underneath it (memory, time, randomness, TLS, start-up and
 * exit, arguments and environment) and checks every result itself.
 *
 * Output: its arguments and environment (one line each, so the tests can
 * compare them with what they passed), one "FAIL" line per failed check,
 * then "libc-tour: N checks passed" and exit 0, or exit 1 on any failure.
 * Plain C: nothing here knows it runs on Ember.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static unsigned passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("libc-tour: FAIL %s\n", what);
}

/* A string check that shows what was produced when it fails. */
static void check_str(const char *got, const char *want, const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "%s: got \"%s\", want \"%s\"", what, got,
		 want);
	check(strcmp(got, want) == 0, line);
}

/* ---- deterministic pseudo-random numbers (xorshift64) ---------------- */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- constructor and atexit ------------------------------------------ */
static int ctor_value;

__attribute__((constructor)) static void tour_ctor(void)
{
	ctor_value = 0x5eed;
}

static void tour_atexit(void)
{
	printf("libc-tour: atexit handler ran\n");
}

/* ---- arguments and environment --------------------------------------- */
static void tour_args(int argc, char **argv)
{
	printf("libc-tour: argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("libc-tour: argv[%d]=%s\n", i, argv[i]);
	check(argc >= 1 && argv[0][0] != '\0', "argv[0] is the image name");
	check(argv[argc] == NULL, "argv is NULL-terminated");

	for (char **e = environ; *e; e++) {
		printf("libc-tour: env %s\n", *e);
		const char *eq = strchr(*e, '=');
		check(eq != NULL, "environment entry has '='");
		if (!eq)
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
		const char *v = getenv(name);
		check(v && strcmp(v, eq + 1) == 0, "getenv matches environ");
	}
	check(setenv("TOUR_SET", "yes", 1) == 0, "setenv");
	const char *set = getenv("TOUR_SET");
	check(set && strcmp(set, "yes") == 0, "getenv after setenv");
}

/* ---- malloc / realloc / free under stress ------------------------------ */
#define SLOTS	   256
#define STRESS_OPS 20000
#define BIG	   (1u << 20)

struct slot {
	unsigned char *p;
	size_t n;
	unsigned char seed;
};

/* Mostly small blocks, some medium, about 1% over 1 MiB (mmap'd). */
static size_t pick_size(void)
{
	unsigned r = rng() % 100;

	if (r < 60)
		return 1 + rng() % 256;
	if (r < 90)
		return 257 + rng() % 16384;
	if (r < 99)
		return 16385 + rng() % (256u << 10);
	return BIG + rng() % (2u * BIG);
}

/* Large blocks get a pattern byte per page, small ones on every byte:
 * enough to see overlap or lost data without making the tour slow. */
static size_t pattern_step(size_t n)
{
	return n > 65536 ? 4096 : 1;
}

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i += pattern_step(n))
		p[i] = (unsigned char)(seed + i / pattern_step(n));
	p[n - 1] = seed ^ 0x5a;
}

/* Checks the first `upto` bytes of a block filled for size n. */
static int intact(const unsigned char *p, size_t n, size_t upto,
		  unsigned char seed)
{
	for (size_t i = 0; i < upto && i < n - 1; i += pattern_step(n))
		if (p[i] != (unsigned char)(seed + i / pattern_step(n)))
			return 0;
	return upto < n || p[n - 1] == (unsigned char)(seed ^ 0x5a);
}

static int stress_step(struct slot *s)
{
	int ok = 1;

	if (s->p && rng() % 3 == 0) {
		size_t n = pick_size();
		unsigned char *q = realloc(s->p, n);
		if (!q)
			return 0;
		size_t keep = n < s->n ? n : s->n;
		/* The old end marker is only kept when the block grew. */
		ok = intact(q, s->n, keep, s->seed);
		s->p = q;
		s->n = n;
	} else if (s->p) {
		ok = intact(s->p, s->n, s->n, s->seed);
		free(s->p);
		s->p = NULL;
		return ok;
	} else {
		s->n = pick_size();
		s->p = malloc(s->n);
		if (!s->p)
			return 0;
	}
	s->seed = (unsigned char)rng();
	fill(s->p, s->n, s->seed);
	return ok;
}

static void tour_malloc_stress(void)
{
	static struct slot slots[SLOTS];
	int ok = 1;

	for (int i = 0; i < STRESS_OPS && ok; i++)
		ok = stress_step(&slots[rng() % SLOTS]);
	check(ok, "malloc/realloc/free stress keeps every block intact");
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p)
			ok &= intact(slots[i].p, slots[i].n, slots[i].n,
				     slots[i].seed);
		free(slots[i].p);
	}
	check(ok, "blocks intact at the end of the stress run");
}

static void tour_malloc_edges(void)
{
	/* volatile: sizes the compiler cannot see, so it neither warns
	 * about them nor folds the calls away. */
	volatile size_t huge = SIZE_MAX, tib = (size_t)1 << 40;

	free(malloc(0));
	errno = 0;
	void *none = malloc(huge);
	check(none == NULL && errno == ENOMEM,
	      "malloc(SIZE_MAX) fails with ENOMEM");
	free(none);
	errno = 0;
	none = malloc(tib);
	check(none == NULL && errno == ENOMEM,
	      "malloc(1 TiB) fails with ENOMEM");
	free(none);

	/* realloc of a large block: grow and shrink keep the contents. */
	unsigned char *p = malloc(2 * BIG);
	check(p != NULL, "malloc(2 MiB)");
	if (!p)
		return;
	fill(p, 2 * BIG, 7);
	unsigned char *q = realloc(p, 6 * BIG);
	check(q && intact(q, 2 * BIG, 2 * BIG - 1, 7), "realloc grow 6 MiB");
	if (q)
		p = q;
	q = realloc(p, BIG + BIG / 2);
	check(q && intact(q, 2 * BIG, BIG + BIG / 2, 7),
	      "realloc shrink 1.5 MiB");
	if (q)
		p = q;
	free(p);
}

/* calloc must return zeroed memory even where freed, dirty blocks are
 * reused, for small (heap) and large (mmap) sizes. */
static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void tour_calloc(void)
{
	enum { N = 100, SMALL = 96 };
	unsigned char *v[N];

	for (int i = 0; i < N; i++) {
		v[i] = malloc(SMALL);
		if (v[i])
			memset(v[i], 0xff, SMALL);
	}
	for (int i = 0; i < N; i++)
		free(v[i]);
	int ok = 1;
	for (int i = 0; i < N; i++) {
		v[i] = calloc(1, SMALL);
		ok &= v[i] && all_zero(v[i], SMALL);
	}
	for (int i = 0; i < N; i++)
		free(v[i]);
	check(ok, "calloc of small blocks is zeroed after reuse");

	unsigned char *big = malloc(4 * BIG);
	if (big)
		memset(big, 0xaa, 4 * BIG);
	free(big);
	big = calloc(4, BIG);
	check(big && all_zero(big, 4 * BIG), "calloc(4 MiB) is zeroed");
	free(big);
	volatile size_t half = SIZE_MAX / 2;
	void *none = calloc(half, 4);
	check(none == NULL, "calloc size overflow fails");
	free(none);
}

/* ---- printf family ---------------------------------------------------- */
__attribute__((format(printf, 2, 3))) static void
fmt_check(const char *want, const char *fmt, ...)
{
	char got[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	check_str(got, want, fmt);
}

static void tour_printf(void)
{
	fmt_check("3.141590", "%f", 3.14159);
	fmt_check("2.67", "%.2f", 2.675); /* 2.675 is 2.67499999... */
	fmt_check("0.3333333333", "%.10f", 1.0 / 3);
	fmt_check(" 10.0|", "%5.1f|", 9.96);
	fmt_check("0.0001", "%g", 0.0001);
	fmt_check("1e-05", "%g", 0.00001);
	fmt_check("1.23457e+08", "%g", 123456789.0);
	fmt_check("1.234568e+04", "%e", 12345.678);
	fmt_check("-0.000e+00", "%.3e", -0.0);
	fmt_check("inf -inf nan", "%f %f %f", INFINITY, -INFINITY, NAN);
	fmt_check("1.797693e+308", "%e", DBL_MAX);
	fmt_check("-42|   42|42   |00042|ff|010|-9000000000",
		  "%d|%5d|%-5d|%05d|%x|%#o|%lld", -42, 42, 42, 42, 255, 8,
		  -9000000000LL);
	fmt_check("[  abc][abc  ][ab]", "[%5s][%-5s][%.2s]", "abc", "abc",
		  "abc");

	/* volatile: make libc, not the compiler, compute the result. */
	const char *volatile long_str = "abcdefghijkl";
	char small[8];
	int n = snprintf(small, sizeof(small), "%s", long_str);
	check(n == 12, "snprintf returns the untruncated length");
	check_str(small, "abcdefg", "snprintf truncates and terminates");
}

/* ---- strtod ------------------------------------------------------------ */
static void tour_strtod(void)
{
	static const double values[] = {
	    0.1,
	    1.0 / 3,
	    6.02214076e23,
	    1e-300,
	    4.9e-324,
	    DBL_MAX,
	    -2.5,
	    123456789.123456789,
	    2.2250738585072014e-308,
	};
	int ok = 1;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%.17g", values[i]);
		double back = strtod(buf, NULL);
		ok &= memcmp(&back, &values[i], sizeof(back)) == 0;
	}
	check(ok, "strtod(printf(\"%.17g\")) round-trips exactly");

	char *end;
	check(strtod("  -12.5e1xyz", &end) == -125.0 && strcmp(end, "xyz") == 0,
	      "strtod parses a prefix and sets end");
	check(strtod("0x1p-3", NULL) == 0.125, "strtod hex float");
	errno = 0;
	check(strtod("1e400", NULL) == HUGE_VAL && errno == ERANGE,
	      "strtod overflow gives HUGE_VAL and ERANGE");
	check(isinf(strtod("inf", NULL)) && isnan(strtod("nan", NULL)),
	      "strtod inf and nan");
}

/* ---- qsort ------------------------------------------------------------- */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void tour_qsort(void)
{
	enum { N = 10000 };
	static int v[N];
	long long sum = 0, sum_after = 0;
	int sorted = 1;

	for (int i = 0; i < N; i++) {
		v[i] = (int)(rng() % 100000) - 50000;
		sum += v[i];
	}
	qsort(v, N, sizeof(v[0]), cmp_int);
	for (int i = 0; i < N; i++) {
		sum_after += v[i];
		if (i > 0 && v[i - 1] > v[i])
			sorted = 0;
	}
	check(sorted && sum == sum_after, "qsort sorts 10000 ints");

	const char *words[] = {"pear", "apple", "fig", "banana"};
	qsort(words, 4, sizeof(words[0]), cmp_str);
	char joined[64];
	snprintf(joined, sizeof(joined), "%s %s %s %s", words[0], words[1],
		 words[2], words[3]);
	check_str(joined, "apple banana fig pear", "qsort strings");
}

/* ---- time -------------------------------------------------------------- */
static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t mono_ns(void)
{
	struct timespec t = {0, 0};
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns_of(&t);
}

static void tour_time(void)
{
	int64_t prev = mono_ns();
	int ok = 1;
	for (int i = 0; i < 1000; i++) {
		int64_t now = mono_ns();
		ok &= now >= prev;
		prev = now;
	}
	check(ok && prev > 0, "CLOCK_MONOTONIC never goes backwards");

	int64_t t0 = mono_ns();
	struct timespec ten_ms = {0, 10 * 1000 * 1000};
	check(nanosleep(&ten_ms, NULL) == 0, "nanosleep returns 0");
	int64_t slept = mono_ns() - t0;
	printf("libc-tour: nanosleep(10 ms) took %.3f ms\n", slept / 1e6);
	check(slept >= 10 * 1000 * 1000, "nanosleep(10 ms) sleeps >= 10 ms");

	struct timespec target = {0, 0};
	clock_gettime(CLOCK_MONOTONIC, &target);
	target.tv_nsec += 5 * 1000 * 1000;
	if (target.tv_nsec >= 1000000000) {
		target.tv_sec++;
		target.tv_nsec -= 1000000000;
	}
	check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL) ==
		      0 &&
		  mono_ns() >= ns_of(&target),
	      "clock_nanosleep(TIMER_ABSTIME) waits until the deadline");

	struct timespec real = {0, 0}, boot = {0, 0};
	clock_gettime(CLOCK_REALTIME, &real);
	check(real.tv_sec > 1577836800, "CLOCK_REALTIME is after 2020");
	check(clock_gettime(CLOCK_BOOTTIME, &boot) == 0, "CLOCK_BOOTTIME");
	struct timeval tv;
	gettimeofday(&tv, NULL);
	check(llabs((long long)tv.tv_sec - real.tv_sec) <= 2,
	      "gettimeofday agrees with CLOCK_REALTIME");
	time_t now = time(NULL);
	struct tm tm;
	check(gmtime_r(&now, &tm) && tm.tm_year + 1900 >= 2020,
	      "time() and gmtime_r give a year >= 2020");
}

/* ---- randomness, TLS, misc -------------------------------------------- */
static void tour_random(void)
{
	unsigned char a[32], b[32], zero[32] = {0};

	check(getrandom(a, sizeof(a), 0) == (ssize_t)sizeof(a) &&
		  getrandom(b, sizeof(b), 0) == (ssize_t)sizeof(b),
	      "getrandom fills the buffer");
	check(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, 32) != 0,
	      "getrandom results differ and are not zero");
}

static _Thread_local int tls_init = 42;
static __thread long tls_zero;
static _Thread_local char tls_buf[16] = "thread-local";

static void tour_tls(void)
{
	check(*(volatile int *)&tls_init == 42, "_Thread_local initialised");
	check(*(volatile long *)&tls_zero == 0, "__thread zero-initialised");
	check(strcmp(tls_buf, "thread-local") == 0, "TLS array initialised");
	*(volatile int *)&tls_init = 7;
	check(*(volatile int *)&tls_init == 7, "TLS write reads back");

	/* x86-64 TLS lies just below the thread pointer (%fs:0), which
	 * musl's pthread_self() returns: this proves FS is really set. */
	uintptr_t tp = (uintptr_t)pthread_self(), v = (uintptr_t)&tls_init;
	check(tp != 0 && v < tp && tp - v < 4096,
	      "TLS variable sits below the thread pointer");
}

static void tour_misc(void)
{
	check(ctor_value == 0x5eed, "constructor ran before main");
	check(getchar() == EOF, "stdin reads EOF");
	struct utsname u;
	check(uname(&u) == 0 && u.sysname[0] != '\0', "uname");
	check(getpid() > 0, "getpid");
}

int main(int argc, char **argv)
{
	check(atexit(tour_atexit) == 0, "atexit registers a handler");
	tour_args(argc, argv);
	tour_malloc_stress();
	tour_malloc_edges();
	tour_calloc();
	tour_printf();
	tour_strtod();
	tour_qsort();
	tour_time();
	tour_random();
	tour_tls();
	tour_misc();
	if (failed) {
		printf("libc-tour: %u checks failed, %u passed\n", failed,
		       passed);
		return 1;
	}
	printf("libc-tour: %u checks passed\n", passed);
	return 0;
}
