/*
 * Command line classification for ember-cc. Everything that is not an
 * -ember-* option goes to the backend compiler unchanged; we only need
 * to know whether an image is to be linked and whether there are inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "cc.h"

/* gcc options whose value may be the next argument: that argument is not
 * an input file. */
static const char *const takes_value[] = {
    "-o",	   "-x",
    "-I",	   "-D",
    "-U",	   "-L",
    "-include",	   "-imacros",
    "-isystem",	   "-idirafter",
    "-iprefix",	   "-iwithprefix",
    "-iquote",	   "-isysroot",
    "-imultilib",  "-iwithprefixbefore",
    "-MF",	   "-MT",
    "-MQ",	   "-Xlinker",
    "-Xassembler", "-Xpreprocessor",
    "-u",	   "-T",
    "-e",	   "-aux-info",
    "--param",	   "-z",
    "-A",	   "-B",
    "--sysroot",   "-dumpbase",
    "-dumpdir",	   "-dumpbase-ext",
};

/* Options that stop gcc before linking. */
static const char *const no_link[] = {
    "-c", "-S", "-E", "-M", "-MM", "-fsyntax-only", "-r",
};

/* Options that would make something other than a static non-PIE
 * executable. */
static const char *const refused[] = {
    "-shared",
    "-pie",
    "-static-pie",
    "-fuse-ld=lld",
};

static int in_list(const char *arg, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(arg, list) in_list(arg, list, sizeof(list) / sizeof(list[0]))

/* Classify one argument; *skip_next is set when it consumes the next.
 * Returns 1 for an input (file, "-", -lLIB), 0 otherwise. */
static int classify(const char *arg, struct cc_cmdline *cl, int *skip_next)
{
	*skip_next = 0;
	if (arg[0] != '-' || arg[1] == '\0')
		return 1;
	if (strcmp(arg, "-l") == 0) {
		*skip_next = 1;
		return 1;
	}
	if (strncmp(arg, "-l", 2) == 0)
		return 1;
	if (strncmp(arg, "-g", 2) == 0) /* the last -g option decides */
		cl->debug = strcmp(arg, "-g0") != 0;
	if (IN(arg, takes_value))
		*skip_next = 1;
	else if (IN(arg, no_link))
		cl->mode = CC_COMPILE;
	return 0;
}

int cc_parse(int argc, char **argv, struct cc_cmdline *cl)
{
	size_t ninputs = 0;

	memset(cl, 0, sizeof(*cl));
	cl->user = calloc((size_t)argc + 1, sizeof(char *));
	if (!cl->user) {
		cc_error("out of memory");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		int skip_next;

		if (strncmp(argv[i], "-ember-", 7) == 0) {
			if (cc_manifest_option(&cl->mf, argv[i] + 7) < 0)
				return -1;
			continue;
		}
		if (IN(argv[i], refused)) {
			cc_error("%s is not supported: an Ember image is a "
				 "static non-PIE executable; remove it",
				 argv[i]);
			return -1;
		}
		ninputs += (size_t)classify(argv[i], cl, &skip_next);
		cl->user[cl->nuser++] = argv[i];
		if (skip_next && i + 1 < argc)
			cl->user[cl->nuser++] = argv[++i];
	}
	if (ninputs == 0)
		cl->mode = CC_INFO;
	return 0;
}
