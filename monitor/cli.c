/*
 * The command line of ember-vmm:
 *   ember-vmm [OPTIONS] IMAGE [-- ARGS...]
 * Options come before IMAGE (scanning stops at the first non-option), so
 * everything after IMAGE is unambiguous: nothing, or "--" and the guest's
 * arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ember/parse_size.h"
#include "net.h"
#include "user.h"

#define VMM_VERSION "0.1"

enum {
	OPT_MEM = 256,
	OPT_ENV,
	OPT_TIMEOUT,
	OPT_STATS,
	OPT_QUIET,
	OPT_BACKEND,
	OPT_NET, /* OPT_NET..OPT_DNS: cli_net.c */
	OPT_MAC,
	OPT_IP,
	OPT_GW,
	OPT_DNS,
	OPT_USER,
	OPT_NO_SANDBOX,
	OPT_VERSION,
	OPT_HELP
};

static const struct option long_opts[] = {
    {"mem", required_argument, NULL, OPT_MEM},
    {"env", required_argument, NULL, OPT_ENV},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"stats", optional_argument, NULL, OPT_STATS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"backend", required_argument, NULL, OPT_BACKEND},
    {"net", required_argument, NULL, OPT_NET},
    {"mac", required_argument, NULL, OPT_MAC},
    {"ip", required_argument, NULL, OPT_IP},
    {"gw", required_argument, NULL, OPT_GW},
    {"dns", required_argument, NULL, OPT_DNS},
    {"user", required_argument, NULL, OPT_USER},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Longest --timeout accepted: keeps the deadline far from overflow. */
#define TIMEOUT_MAX_SEC 1e9

static const char usage_text[] =
    "usage: ember-vmm [OPTIONS] IMAGE [-- ARGS...]\n"
    "Boot the Ember image IMAGE in a micro-VM; its exit status becomes\n"
    "ember-vmm's. ARGS replace the image's default arguments.\n"
    "\n"
    "options:\n"
    "  --mem SIZE          guest memory, bytes or with a K/M/G suffix\n"
    "                      (default: the image's, else 64M; 4M..8G)\n"
    "  --env KEY=VALUE     add to the guest's environment (repeatable)\n"
    "  --timeout SECONDS   kill the guest after SECONDS (fractions ok)\n"
    "  --stats[=FILE]      write boot timeline and exit counts as JSON\n"
    "                      to FILE at exit (default: stderr)\n"
    "  --quiet             no informational lines from ember-vmm\n"
    "  --backend NAME      kvm (default) or process (no /dev/kvm needed;\n"
    "                      for testing)\n"
    "  --user UID[:GID]    (root) run the guest as this user once\n"
    "                      /dev/kvm, the tap and the stats file are open\n"
    "  --no-sandbox        no seccomp filter (debugging ember-vmm only)\n"
    "  --version           print the version and exit\n"
    "  --help              print this help and exit\n"
    "\n"
    "network (one virtio-net device):\n"
    "  --net TAP           attach the device to tap TAP; created (and\n"
    "                      removed at exit) if it does not exist\n"
    "  --mac MAC           the guest's MAC, e.g. 02:00:00:00:00:01\n"
    "                      (default: derived from TAP's name)\n"
    "  --ip ADDR/PREFIX    the guest's IPv4 address (default: DHCP)\n"
    "  --gw ADDR           the guest's default gateway (with --ip)\n"
    "  --dns ADDR          a DNS server for the guest (repeatable, up to 4)\n"
    "\n"
    "exit status: the guest's (0-255); 124 timeout; 125 ember-vmm error\n"
    "(usage, image, KVM, tap); 126 guest crash.\n";

const struct backend_ops *backend_find(const char *name)
{
	if (strcmp(name, "kvm") == 0)
		return &backend_kvm;
	if (strcmp(name, "process") == 0)
		return &backend_process;
	return NULL;
}

static int bad_mem(const char *arg, const char *why)
{
	vmm_error("--mem: '%s' %s", arg, why);
	return -1;
}

static int opt_mem(const char *arg, struct options *opt)
{
	uint64_t v = 0;
	int r = ember_parse_size(arg, &v);

	if (r == -1)
		return bad_mem(arg, "is not a size; use bytes or a K/M/G "
				    "suffix, e.g. --mem 64M");
	if (r == -2 || v > EMBER_MEM_MAX)
		return bad_mem(arg, "is too large; the maximum is 8G");
	if (v < EMBER_MEM_MIN)
		return bad_mem(arg, "is too small; the minimum is 4M");
	if (v % EMBER_PAGE_SIZE)
		return bad_mem(arg, "is not a multiple of the 4K page size; "
				    "e.g. --mem 64M");
	opt->mem_size = v;
	return 0;
}

static int opt_env(const char *arg, struct options *opt)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		vmm_error("--env: '%s' is not KEY=VALUE; e.g. --env "
			  "LOG_LEVEL=debug",
			  arg);
		return -1;
	}
	opt->env[opt->nenv++] = (char *)arg;
	return 0;
}

static int opt_timeout(const char *arg, struct options *opt)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(v) ||
	    v <= 0 || v > TIMEOUT_MAX_SEC) {
		vmm_error("--timeout: '%s' is not a positive number of "
			  "seconds; e.g. --timeout 2.5",
			  arg);
		return -1;
	}
	opt->timeout_sec = v;
	return 0;
}

static int opt_backend(const char *arg, struct options *opt)
{
	if (!backend_find(arg)) {
		vmm_error("--backend: '%s' is not a backend; use kvm or "
			  "process",
			  arg);
		return -1;
	}
	opt->backend = arg;
	return 0;
}

static const char *opt_name(int val)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* One option; returns -1 to go on, else the exit status. */
static int one_option(int c, const char *arg, const char *word,
		      struct options *opt)
{
	switch (c) {
	case OPT_MEM:
		return opt_mem(arg, opt) ? EMBER_EXIT_ERROR : -1;
	case OPT_ENV:
		return opt_env(arg, opt) ? EMBER_EXIT_ERROR : -1;
	case OPT_TIMEOUT:
		return opt_timeout(arg, opt) ? EMBER_EXIT_ERROR : -1;
	case OPT_BACKEND:
		return opt_backend(arg, opt) ? EMBER_EXIT_ERROR : -1;
	case OPT_NET:
	case OPT_MAC:
	case OPT_IP:
	case OPT_GW:
	case OPT_DNS:
		return cli_net_option(opt_name(c), arg, &opt->net)
			   ? EMBER_EXIT_ERROR
			   : -1;
	case OPT_USER:
		return user_option(arg, &opt->user) ? EMBER_EXIT_ERROR : -1;
	case OPT_NO_SANDBOX:
		opt->no_sandbox = 1;
		return -1;
	case OPT_STATS:
		opt->stats_path = (arg && *arg) ? arg : "-";
		return -1;
	case OPT_QUIET:
		opt->quiet = 1;
		return -1;
	case OPT_VERSION:
		printf("ember-vmm %s (Ember ABI %u)\n", VMM_VERSION,
		       EMBER_ABI_VERSION);
		return 0;
	case OPT_HELP:
		fputs(usage_text, stdout);
		return 0;
	case ':':
		vmm_error("--%s needs a value; see ember-vmm --help",
			  opt_name(optopt));
		return EMBER_EXIT_ERROR;
	default:
		/* optopt is the short option character, or 0 / our value
		 * for a long option (then the word says it all). */
		if (optopt > 0 && optopt < OPT_MEM)
			vmm_error("unknown option '-%c'; see ember-vmm --help",
				  optopt);
		else
			vmm_error("unknown option '%s'; see ember-vmm --help",
				  word);
		return EMBER_EXIT_ERROR;
	}
}

/* IMAGE and what follows it. */
static int positional(int argc, char **argv, struct options *opt)
{
	if (optind >= argc) {
		vmm_error("missing IMAGE; see ember-vmm --help");
		return EMBER_EXIT_ERROR;
	}
	opt->image_path = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") != 0) {
		vmm_error("unexpected '%s' after IMAGE; options go before "
			  "IMAGE, guest arguments after --",
			  argv[optind]);
		return EMBER_EXIT_ERROR;
	}
	if (optind < argc) {
		opt->have_args = 1;
		opt->args = argv + optind + 1;
		opt->nargs = (size_t)(argc - optind - 1);
	}
	return -1;
}

int cli_parse(int argc, char **argv, struct options *opt)
{
	int c, r;

	memset(opt, 0, sizeof(*opt));
	opt->backend = "kvm";
	/* At most one --env per argument. */
	opt->env = calloc((size_t)argc + 1, sizeof(char *));
	if (!opt->env) {
		vmm_error("out of memory");
		return EMBER_EXIT_ERROR;
	}
	opterr = 0;
	/* "+": stop at IMAGE; ":": report a missing value as ':'. */
	while ((c = getopt_long(argc, argv, "+:", long_opts, NULL)) != -1) {
		const char *word = argv[optind - 1];

		r = one_option(c, optarg, word, opt);
		if (r >= 0)
			return r;
	}
	r = positional(argc, argv, opt);
	if (r < 0 &&
	    (cli_net_check(&opt->net) < 0 || user_check(&opt->user) < 0))
		return EMBER_EXIT_ERROR;
	return r;
}

void cli_free(struct options *opt)
{
	free(opt->env);
	opt->env = NULL;
}
