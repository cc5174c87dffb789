/*
 * bench-run: exec-to-exit timing of a few commands, interleaved, for
 * tools/bench.sh.
 *
 *   bench-run -n RUNS -o OUT.json --cmd LABEL CMD [ARGS...] [--cmd LABEL
 * CMD...]
 *
 * Every round runs each command once, starting with a different command
 * each round, so slow drifts of the machine (caches, frequency, other
 * load) hit all commands alike. Three unrecorded warm-up rounds come
 * first. A run is timed from just before posix_spawn to wait4's return;
 * stdout and stderr go to /dev/null. wait4's rusage gives the peak RSS
 * (the largest of the process and its waited-for descendants).
 *
 * Writes, per command: median, p90, min, mean, max (ms), peak RSS (KiB),
 * the number of runs that did not exit 0, and every sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define WARMUP	 3
#define MAX_CMDS 8

struct cmd {
	const char *label;
	char **argv;
	double *ms; /* per run */
	long max_rss_kib;
	int failures;
	int last_status;
};

static void die(const char *msg)
{
	fprintf(stderr, "bench-run: %s\n", msg);
	exit(2);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One run of c; returns its wall time in ms. */
static double run_once(struct cmd *c, const posix_spawn_file_actions_t *fa)
{
	struct rusage ru;
	pid_t pid;
	int st;
	double t0 = now_ms();

	if (posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ) != 0)
		die("cannot start a command (posix_spawn)");
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4 failed");
	double ms = now_ms() - t0;
	if (ru.ru_maxrss > c->max_rss_kib)
		c->max_rss_kib = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		c->failures++;
		c->last_status =
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	return ms;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, int n, double p)
{
	int rank = (int)(p / 100.0 * n + 0.999999);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static double median(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_cmd(FILE *f, const struct cmd *c, int runs)
{
	double *s = malloc(sizeof(double) * (size_t)runs), sum = 0;

	if (!s)
		die("out of memory");
	memcpy(s, c->ms, sizeof(double) * (size_t)runs);
	qsort(s, (size_t)runs, sizeof(double), cmp_double);
	for (int i = 0; i < runs; i++)
		sum += s[i];
	fprintf(f, "    {\"label\": ");
	json_string(f, c->label);
	fprintf(f, ", \"argv\": [");
	for (char **a = c->argv; *a; a++) {
		fprintf(f, a == c->argv ? "" : ", ");
		json_string(f, *a);
	}
	fprintf(f,
		"],\n     \"median_ms\": %.4f, \"p90_ms\": %.4f, "
		"\"min_ms\": %.4f, \"mean_ms\": %.4f, \"max_ms\": %.4f,\n"
		"     \"peak_rss_kib\": %ld, \"failed_runs\": %d, "
		"\"last_failure_status\": %d,\n     \"samples_ms\": [",
		median(s, runs), percentile(s, runs, 90), s[0], sum / runs,
		s[runs - 1], c->max_rss_kib, c->failures, c->last_status);
	for (int i = 0; i < runs; i++)
		fprintf(f, "%s%.4f", i ? ", " : "", c->ms[i]);
	fprintf(f, "]}");
	free(s);
}

/* Splits the "--cmd LABEL CMD ARGS..." groups from argv[i] on into cmds;
 * returns how many. */
static int parse_cmds(int argc, char **argv, int i, struct cmd *cmds)
{
	int n = 0;

	while (i < argc) {
		if (strcmp(argv[i], "--cmd") != 0 || i + 2 >= argc)
			die("expected --cmd LABEL CMD [ARGS...]");
		if (n == MAX_CMDS)
			die("too many commands");
		int first = i + 2, end = first;
		while (end < argc && strcmp(argv[end], "--cmd") != 0)
			end++;
		struct cmd *c = &cmds[n++];
		c->label = argv[i + 1];
		c->argv = calloc((size_t)(end - first + 1), sizeof(char *));
		if (!c->argv)
			die("out of memory");
		memcpy(c->argv, argv + first,
		       sizeof(char *) * (size_t)(end - first));
		i = end;
	}
	return n;
}

static void write_json(const char *path, struct cmd *cmds, int n, int runs)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write the output file");
	fprintf(f, "{\"runs\": %d, \"warmup_rounds\": %d, \"commands\": [\n",
		runs, WARMUP);
	for (int k = 0; k < n; k++) {
		write_cmd(f, &cmds[k], runs);
		fprintf(f, k + 1 < n ? ",\n" : "\n");
	}
	fprintf(f, "]}\n");
	if (fclose(f) != 0)
		die("cannot write the output file");
}

static void run_all(struct cmd *cmds, int n, int runs)
{
	posix_spawn_file_actions_t fa;

	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
					     0) ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0))
		die("posix_spawn_file_actions failed");
	for (int k = 0; k < n; k++) {
		cmds[k].ms = calloc((size_t)runs, sizeof(double));
		if (!cmds[k].ms)
			die("out of memory");
	}
	for (int r = -WARMUP; r < runs; r++) {
		/* Rotate the starting command every round. */
		for (int j = 0; j < n; j++) {
			struct cmd *c = &cmds[((r + WARMUP) + j) % n];
			double ms = run_once(c, &fa);
			if (r >= 0)
				c->ms[r] = ms;
		}
		if (r == -1)
			for (int k = 0; k < n; k++) {
				/* Warm-up failures are not counted. */
				cmds[k].failures = 0;
			}
	}
	posix_spawn_file_actions_destroy(&fa);
}

static const char usage[] =
    "usage: bench-run -n RUNS -o OUT.json --cmd LABEL CMD [ARGS...] "
    "[--cmd LABEL CMD ...]";

int main(int argc, char **argv)
{
	int runs = 0, i = 1;
	const char *out = NULL;
	struct cmd cmds[MAX_CMDS];

	memset(cmds, 0, sizeof(cmds));
	for (; i + 1 < argc && strcmp(argv[i], "--cmd") != 0; i += 2) {
		if (strcmp(argv[i], "-n") == 0)
			runs = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[i + 1];
		else
			die(usage);
	}
	if (runs < 1 || !out)
		die(usage);
	int n = parse_cmds(argc, argv, i, cmds);
	if (n == 0)
		die(usage);
	run_all(cmds, n, runs);
	write_json(out, cmds, n, runs);
	for (int k = 0; k < n; k++) {
		free(cmds[k].argv);
		free(cmds[k].ms);
	}
	return 0;
}
