/*
 * ember-inspect --json: the same facts as the text report, as one JSON
 * object. Addresses and sizes are plain integers (bytes).
 */
#include "inspect.h"

#include <string.h>

/* A JSON string: quotes, backslashes and control bytes escaped; other
 * bytes pass through unchanged. */
static void json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_args(FILE *out, const struct ember_manifest *mf)
{
	size_t pos = 0, len;
	const char *arg;
	int first = 1;

	fputc('[', out);
	while ((arg = inspect_next_arg(mf, &pos, &len))) {
		if (!first)
			fputs(", ", out);
		json_string(out, arg, len);
		first = 0;
	}
	fputc(']', out);
}

static void json_segments(FILE *out, const struct image *img)
{
	char flags[4];

	fputs("  \"segments\": [", out);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];
		inspect_flags(s->flags, flags);
		fprintf(out,
			"%s\n    {\"address\": %llu, \"memory_size\": %llu, "
			"\"file_size\": %llu, \"flags\": \"%s\"}",
			i ? "," : "", (unsigned long long)s->vaddr,
			(unsigned long long)s->memsz,
			(unsigned long long)s->filesz, flags);
	}
	fputs(img->nseg ? "\n  ],\n" : "],\n", out);
}

void inspect_print_json(const struct image *img, FILE *out)
{
	const struct ember_manifest *mf = &img->manifest;

	fputs("{\n  \"image\": ", out);
	json_string(out, img->path, strlen(img->path));
	fprintf(out,
		",\n  \"abi_version\": %u,\n"
		"  \"memory_default\": %llu,\n"
		"  \"network_required\": %s,\n"
		"  \"default_args\": ",
		mf->abi_version, (unsigned long long)mf->mem_default,
		(mf->flags & EMBER_MF_NET_REQUIRED) ? "true" : "false");
	json_args(out, mf);
	fprintf(out,
		",\n  \"entry\": %llu,\n"
		"  \"trap_entry\": %llu,\n"
		"  \"trap_stack_top\": %llu,\n"
		"  \"guest_stats\": %llu,\n",
		(unsigned long long)img->entry,
		(unsigned long long)mf->trap_entry,
		(unsigned long long)mf->trap_stack_top,
		(unsigned long long)mf->guest_stats);
	json_segments(out, img);
	fprintf(out,
		"  \"file_size\": %zu,\n"
		"  \"loaded_size\": %llu,\n"
		"  \"span_start\": %llu,\n"
		"  \"span_end\": %llu\n}\n",
		img->size, (unsigned long long)inspect_loaded_size(img),
		(unsigned long long)img->start, (unsigned long long)img->end);
}
