/*
 * ember-inspect: print what an Ember image asks for (its manifest) and
 * what it is made of (entry point, segments, sizes).
 *
 * The image is read with the monitor's own loader (monitor/image.c), so
 * ember-inspect accepts and rejects exactly what ember-vmm does, with the
 * same messages.
 */
#include <elf.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

#define INSPECT_VERSION "0.1"

/* Exit statuses (documented in --help). */
#define EXIT_OK	       0
#define EXIT_BAD_IMAGE 1
#define EXIT_USAGE     2

static void usage(FILE *out)
{
	fputs("usage: ember-inspect [--json] IMAGE\n"
	      "Print an Ember image's manifest (ABI version, default memory,\n"
	      "network, default arguments), entry point, segments and sizes.\n"
	      "\n"
	      "  --json     one JSON object instead of text\n"
	      "  --help     print this help and exit\n"
	      "  --version  print the version and exit\n"
	      "\n"
	      "exit status: 0 ok; 1 the image cannot be read or is not a\n"
	      "valid Ember image (one line says why); 2 usage error.\n",
	      out);
}

void inspect_flags(uint32_t flags, char out[4])
{
	out[0] = (flags & PF_R) ? 'R' : '-';
	out[1] = (flags & PF_W) ? 'W' : '-';
	out[2] = (flags & PF_X) ? 'X' : '-';
	out[3] = '\0';
}

uint64_t inspect_loaded_size(const struct image *img)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < img->nseg; i++)
		total += img->seg[i].memsz;
	return total;
}

const char *inspect_next_arg(const struct ember_manifest *mf, size_t *pos,
			     size_t *len)
{
	size_t end = mf->args_len;

	if (end > sizeof(mf->args))
		end = sizeof(mf->args);
	if (*pos >= end)
		return NULL;
	const char *arg = mf->args + *pos;
	const char *nul = memchr(arg, '\0', end - *pos);
	*len = nul ? (size_t)(nul - arg) : end - *pos;
	*pos += *len + 1;
	return arg;
}

/* An argument in double quotes, C-style escapes for what is not
 * printable, so the output stays one line per field. */
static void print_quoted(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "4096 bytes (4.0 KiB)" */
static void print_size(uint64_t n)
{
	printf("%llu bytes", (unsigned long long)n);
	if (n >= (1u << 20))
		printf(" (%.1f MiB)", (double)n / (1u << 20));
	else if (n >= 1024)
		printf(" (%.1f KiB)", (double)n / 1024);
	putchar('\n');
}

static void print_manifest(const struct ember_manifest *mf)
{
	size_t pos = 0, len;
	const char *arg;

	printf("abi version   %u\n", mf->abi_version);
	if (mf->mem_default)
		printf("memory        %llu MiB\n",
		       (unsigned long long)(mf->mem_default >> 20));
	else
		printf("memory        monitor default (%llu MiB)\n",
		       EMBER_MEM_DEFAULT >> 20);
	printf("network       %s\n", (mf->flags & EMBER_MF_NET_REQUIRED)
					 ? "required"
					 : "not required");
	printf("arguments    ");
	if (mf->args_len == 0)
		printf(" (none)");
	while ((arg = inspect_next_arg(mf, &pos, &len))) {
		putchar(' ');
		print_quoted(arg, len);
	}
	putchar('\n');
}

static void print_segments(const struct image *img)
{
	char flags[4];

	printf("segments      %u\n", img->nseg);
	printf("  %-18s %-18s %-5s %10s %10s\n", "start", "end", "flags",
	       "mem size", "file size");
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];
		inspect_flags(s->flags, flags);
		printf("  0x%016llx 0x%016llx %-5s %10llu %10llu\n",
		       (unsigned long long)s->vaddr,
		       (unsigned long long)(s->vaddr + s->memsz), flags,
		       (unsigned long long)s->memsz,
		       (unsigned long long)s->filesz);
	}
}

static void print_text(const struct image *img)
{
	const struct ember_manifest *mf = &img->manifest;

	printf("image         %s\n", img->path);
	print_manifest(mf);
	printf("entry         0x%llx\n", (unsigned long long)img->entry);
	printf("trap entry    0x%llx\n", (unsigned long long)mf->trap_entry);
	printf("trap stack    0x%llx\n",
	       (unsigned long long)mf->trap_stack_top);
	printf("guest stats   0x%llx\n", (unsigned long long)mf->guest_stats);
	print_segments(img);
	printf("file size     ");
	print_size(img->size);
	printf("loaded size   ");
	print_size(inspect_loaded_size(img));
	printf("span          0x%llx-0x%llx, ", (unsigned long long)img->start,
	       (unsigned long long)img->end);
	print_size(img->end - img->start);
}

/* Returns the image path, or NULL with *status set (help, version,
 * usage error). */
static const char *parse_args(int argc, char **argv, int *json, int *status)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*status = EXIT_OK;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = 1;
			break;
		case 'h':
			usage(stdout);
			return NULL;
		case 'V':
			printf("ember-inspect %s (Ember ABI %u)\n",
			       INSPECT_VERSION, EMBER_ABI_VERSION);
			return NULL;
		default:
			fprintf(stderr,
				"ember-inspect: unknown option %s: see "
				"ember-inspect --help\n",
				argv[optind - 1]);
			*status = EXIT_USAGE;
			return NULL;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ember-inspect: give exactly one IMAGE: see "
				"ember-inspect --help\n");
		*status = EXIT_USAGE;
		return NULL;
	}
	return argv[optind];
}

int main(int argc, char **argv)
{
	struct image img;
	char err[512];
	int json = 0, status;
	const char *path = parse_args(argc, argv, &json, &status);

	if (!path)
		return status;
	memset(&img, 0, sizeof(img));
	if (image_load(path, &img, err, sizeof(err)) < 0) {
		fprintf(stderr, "ember-inspect: %s\n", err);
		return EXIT_BAD_IMAGE;
	}
	if (json)
		inspect_print_json(&img, stdout);
	else
		print_text(&img);
	image_free(&img);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("ember-inspect: writing the report");
		return EXIT_BAD_IMAGE;
	}
	return EXIT_OK;
}
