/*
 * ember-cc: compile and link C programs into Ember images.
 *
 * A thin gcc-style driver: it runs the system compiler (gcc, or
 * $EMBER_CC_BACKEND) with the runtime's musl headers and, when linking,
 * with linker/ember.ld, libember.a, musl's libc.a and a generated
 * manifest note. Every gcc option passes through, so `make CC=ember-cc`
 * works on ordinary Makefile projects.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc.h"

/* The backend's argument vector under construction. */
struct argv_buf {
	char **v;
	size_t n, cap;
};

static char tmp_dir[4096];
static char tmp_file[4096 + 32];

void cc_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ember-cc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(void)
{
	puts("usage: ember-cc [gcc options] [-ember-mem=SIZE] [-ember-net]\n"
	     "                [-ember-arg=ARG]... FILES...\n"
	     "Compile and link C programs into an Ember image (a static ELF\n"
	     "linked at 1 MiB with an EMBER manifest note). All gcc options\n"
	     "pass through; -c, -S and -E do not link.\n"
	     "\n"
	     "manifest options (used when linking):\n"
	     "  -ember-mem=SIZE  default guest memory, e.g. 128M (K/M/G)\n"
	     "  -ember-net       the image requires a network device\n"
	     "  -ember-arg=ARG   a default argument (repeatable), used when\n"
	     "                   ember-vmm is given none\n"
	     "\n"
	     "environment:\n"
	     "  EMBER_CC_BACKEND  compiler to run (default: gcc)\n"
	     "  EMBER_LIBDIR      runtime directory (libember.a, ember.ld,\n"
	     "                    musl/); default: next to ember-cc\n"
	     "\n"
	     "exit status: the compiler's; 1 for an ember-cc error.");
}

/* Append a string, formatted (freed at the end of main). Exits on
 * allocation failure. */
static void add(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || a->n + 1 >= a->cap) {
		cc_error("out of memory");
		exit(1);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void add_compile_flags(struct argv_buf *a, const char *libdir,
			      const char *gcc_include)
{
	add(a, "-nostdinc");
	add(a, "-isystem");
	add(a, "%s/musl/include", libdir);
	add(a, "-isystem");
	add(a, "%s", gcc_include);
	add(a, "-D__ember__=1");
	add(a, "-fno-pie");
	add(a, "-fno-pic");
	add(a, "-ffunction-sections");
	add(a, "-fdata-sections");
	/* the runtime's crash reports walk frame pointers */
	add(a, "-fno-omit-frame-pointer");
}

static void add_link_flags(struct argv_buf *a, const char *libdir, int debug)
{
	/* The runtime and musl carry debug info (for gdb on the image);
	 * without -g it would be most of the file. Crash reports only need
	 * the symbol table, which stays. */
	if (!debug)
		add(a, "-Wl,--strip-debug");
	add(a, "-static");
	add(a, "-nostdlib");
	add(a, "-no-pie");
	add(a, "-Wl,-T,%s/ember.ld", libdir);
	add(a, "-Wl,--gc-sections");
	add(a, "-Wl,--build-id=none");
	add(a, "-Wl,-z,max-page-size=4096");
	add(a, "-Wl,-z,noexecstack");
	/* first, so -lm, -lpthread, -lrt... find musl's (empty) ones */
	add(a, "-L%s/musl/lib", libdir);
}

/* After the user's objects and libraries: the manifest and the runtime
 * (lwIP is its own archive once the runtime has it). -x none ends any
 * -x LANG the user gave. */
static void add_link_tail(struct argv_buf *a, const char *libdir,
			  const char *manifest)
{
	add(a, "-x");
	add(a, "none");
	add(a, "%s", manifest);
	add(a, "-Wl,--start-group");
	add(a, "%s/libember.a", libdir);
	if (cc_has_file(libdir, "liblwip.a"))
		add(a, "%s/liblwip.a", libdir);
	add(a, "%s/musl/lib/libc.a", libdir);
	add(a, "-lgcc");
	add(a, "-Wl,--end-group");
}

static void remove_tmp(void)
{
	if (tmp_file[0])
		unlink(tmp_file);
	if (tmp_dir[0])
		rmdir(tmp_dir);
}

/* Write the manifest note source into a private temporary directory. */
static int make_manifest(const struct cc_manifest *mf)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	int n = snprintf(tmp_dir, sizeof(tmp_dir), "%s/ember-cc.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(tmp_dir) - 32) {
		cc_error("TMPDIR is too long: set a shorter one");
		tmp_dir[0] = '\0';
		return -1;
	}
	if (!mkdtemp(tmp_dir)) {
		cc_error("cannot create a temporary directory in %s: %m: "
			 "set TMPDIR",
			 base);
		tmp_dir[0] = '\0';
		return -1;
	}
	snprintf(tmp_file, sizeof(tmp_file), "%s/manifest.s", tmp_dir);
	FILE *f = fopen(tmp_file, "w");
	if (!f) {
		cc_error("cannot create %s: %m", tmp_file);
		return -1;
	}
	int ret = cc_manifest_write(mf, f);
	if (fclose(f) != 0 && ret == 0) {
		cc_error("cannot write %s: %m", tmp_file);
		ret = -1;
	}
	return ret;
}

static int link_image(struct argv_buf *a, const struct cc_cmdline *cl,
		      const char *libdir)
{
	if (make_manifest(&cl->mf) < 0) {
		remove_tmp();
		return 1;
	}
	add_link_tail(a, libdir, tmp_file);
	int status = cc_run(a->v, remove_tmp);
	return status < 0 ? 1 : status;
}

int main(int argc, char **argv)
{
	struct cc_cmdline cl;
	const char *backend = getenv("EMBER_CC_BACKEND");

	if (!backend || !*backend)
		backend = "gcc";
	if (argc == 2 && strcmp(argv[1], "-ember-help") == 0) {
		usage();
		return 0;
	}
	if (cc_parse(argc, argv, &cl) < 0) {
		free(cl.user);
		return 1;
	}

	struct argv_buf a = {.cap = cl.nuser + 48};
	char *libdir = NULL, *gcc_include = NULL;
	int status = 1;

	a.v = calloc(a.cap, sizeof(char *));
	if (!a.v) {
		cc_error("out of memory");
		goto out;
	}
	add(&a, "%s", backend);
	if (cl.mode == CC_INFO) {
		/* No inputs (--version, -dumpmachine...): the plain backend. */
		for (size_t i = 0; i < cl.nuser; i++)
			add(&a, "%s", cl.user[i]);
		cc_exec(a.v);
	}

	libdir = cc_libdir(1);
	char *query[] = {(char *)backend, "-print-file-name=include", NULL};
	gcc_include = libdir ? cc_output_line(query) : NULL;
	if (!gcc_include)
		goto out;
	add_compile_flags(&a, libdir, gcc_include);
	if (cl.mode == CC_LINK)
		add_link_flags(&a, libdir, cl.debug);
	for (size_t i = 0; i < cl.nuser; i++)
		add(&a, "%s", cl.user[i]);
	if (cl.mode != CC_LINK)
		cc_exec(a.v);
	status = link_image(&a, &cl, libdir);
out:
	/* Freed although the process ends here, so that a leak checker
	 * (make test SANITIZE=1) sees a clean exit and real leaks stand out. */
	for (size_t i = 0; a.v && i < a.n; i++)
		free(a.v[i]);
	free(a.v);
	free(gcc_include);
	free(libdir);
	free(cl.user);
	return status;
}
