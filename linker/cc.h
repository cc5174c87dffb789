/*
 * ember-cc internals: a gcc-style driver that compiles against the
 * runtime's musl headers and links an Ember image (linker/ember.ld,
 * libember.a, musl libc.a, a generated manifest note).
 */
#ifndef EMBER_CC_H
#define EMBER_CC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ember/abi.h"

/* What the gcc command line asks for. */
enum cc_mode {
	CC_LINK,    /* produce an image */
	CC_COMPILE, /* -c, -S, -E, -M, -MM, -fsyntax-only, -r: no image */
	CC_INFO,    /* no input files: --version, -dumpmachine, -print-... */
};

/* Manifest settings from -ember-* options. */
struct cc_manifest {
	uint64_t mem; /* 0 = the monitor's default */
	int net;
	char args[EMBER_MANIFEST_ARGS_MAX];
	uint32_t args_len;
};

struct cc_cmdline {
	enum cc_mode mode;
	char **user; /* arguments for the backend, -ember-* removed */
	size_t nuser;
	struct cc_manifest mf;
	int debug; /* a -g option (other than -g0): keep debug sections */
};

/* Print "ember-cc: ..." and a newline on stderr. */
void cc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cc_args.c: split argv into backend arguments and -ember-* options and
 * find the mode. Returns 0, or -1 after printing one line. */
int cc_parse(int argc, char **argv, struct cc_cmdline *cl);

/* cc_manifest.c: handle one -ember-* option (without the leading
 * "-ember-"). Returns 0, or -1 after printing one line. */
int cc_manifest_option(struct cc_manifest *mf, const char *opt);

/* cc_manifest.c: write the .note.ember assembly for mf to f.
 * Returns 0, or -1 after printing one line. */
int cc_manifest_write(const struct cc_manifest *mf, FILE *f);

/* cc_libdir.c: the runtime directory (libember.a, ember.ld, musl/).
 * Returns a malloc'd path, or NULL after printing one line. If check is
 * set, libember.a must exist there. */
char *cc_libdir(int check);

/* cc_libdir.c: dir/name exists and is readable. */
int cc_has_file(const char *dir, const char *name);

/* cc_run.c: run argv, wait, and return its exit status; a child killed
 * by a signal is re-raised on ember-cc after cleanup() has run. -1 if it
 * could not be started (one line printed). */
int cc_run(char *const argv[], void (*cleanup)(void));

/* cc_run.c: replace ember-cc with argv (prints one line and exits 127
 * if that fails). */
void cc_exec(char *const argv[]) __attribute__((noreturn));

/* cc_run.c: run argv and return its first output line (malloc'd, no
 * newline), or NULL after printing one line. */
char *cc_output_line(char *const argv[]);

#endif
