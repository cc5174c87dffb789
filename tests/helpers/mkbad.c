/*
 * mkbad: make a broken Ember image from a good one, for the image
 * validation tests (tests/images.bats).
 *
 *   mkbad IN OUT OP [ARG]
 *
 * Each OP breaks exactly one rule where it can, so a test can check that
 * the monitor names that rule. Run `mkbad` without arguments for the
 * list. The input must be a well-formed image (build/apps/hello.ember):
 * this is a test tool, it does not defend against hostile input.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember/abi.h"

struct img {
	unsigned char *b;
	size_t size;
	Elf64_Ehdr *eh;
};

static void die(const char *msg)
{
	fprintf(stderr, "mkbad: %s\n", msg);
	exit(2);
}

static Elf64_Phdr *phdr(struct img *im, unsigned i)
{
	return (Elf64_Phdr *)(im->b + im->eh->e_phoff +
			      (size_t)i * im->eh->e_phentsize);
}

/* The n-th (0-based) program header of type `type`, or NULL. */
static Elf64_Phdr *find_phdr(struct img *im, uint32_t type, unsigned n)
{
	for (unsigned i = 0; i < im->eh->e_phnum; i++) {
		Elf64_Phdr *p = phdr(im, i);
		if (p->p_type == type && n-- == 0)
			return p;
	}
	return NULL;
}

/* The first PT_LOAD whose flags are exactly `flags`. */
static Elf64_Phdr *find_load(struct img *im, uint32_t flags)
{
	Elf64_Phdr *p;

	for (unsigned n = 0; (p = find_phdr(im, PT_LOAD, n)); n++)
		if (p->p_flags == flags)
			return p;
	die("no PT_LOAD with the wanted flags in the input image");
	return NULL;
}

/* The manifest note's name bytes ("EMBER\0") and descriptor. */
static unsigned char *find_manifest(struct img *im, unsigned char **desc)
{
	Elf64_Phdr *p;

	for (unsigned n = 0; (p = find_phdr(im, PT_NOTE, n)); n++) {
		size_t off = p->p_offset, end = p->p_offset + p->p_filesz;
		while (off + sizeof(Elf64_Nhdr) <= end) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(im->b + off);
			unsigned char *name = im->b + off + sizeof(*nh);
			size_t namesz = (nh->n_namesz + 3) & ~3u;
			*desc = name + namesz;
			if (nh->n_type == EMBER_NOTE_MANIFEST &&
			    nh->n_namesz == sizeof(EMBER_NOTE_NAME) &&
			    memcmp(name, EMBER_NOTE_NAME, nh->n_namesz) == 0)
				return name;
			off +=
			    sizeof(*nh) + namesz + ((nh->n_descsz + 3) & ~3u);
		}
	}
	die("no EMBER manifest note in the input image");
	return NULL;
}

/* Turn the spare PT_GNU_STACK header into an extra, empty PT_LOAD: adds
 * one segment without moving anything else. */
static void add_load(struct img *im, uint64_t vaddr, uint32_t flags)
{
	Elf64_Phdr *p = find_phdr(im, PT_GNU_STACK, 0);

	if (!p)
		die("no PT_GNU_STACK header to turn into a PT_LOAD");
	p->p_type = PT_LOAD;
	p->p_flags = flags;
	p->p_offset = 0;
	p->p_vaddr = p->p_paddr = vaddr;
	p->p_filesz = 0;
	p->p_memsz = EMBER_PAGE_SIZE;
	p->p_align = EMBER_PAGE_SIZE;
}

static size_t largest_load_middle(struct img *im)
{
	Elf64_Phdr *p, *best = NULL;

	for (unsigned n = 0; (p = find_phdr(im, PT_LOAD, n)); n++)
		if (!best || p->p_filesz > best->p_filesz)
			best = p;
	if (!best || best->p_filesz < 2)
		die("no PT_LOAD with file contents");
	return best->p_offset + best->p_filesz / 2;
}

static int do_truncate(struct img *im, const char *op, const char *arg)
{
	size_t keep;

	if (strcmp(op, "truncate-header") == 0)
		keep = sizeof(Elf64_Ehdr) / 2;
	else if (strcmp(op, "truncate-phdrs") == 0)
		keep = im->eh->e_phoff +
		       (size_t)im->eh->e_phnum * im->eh->e_phentsize / 2;
	else if (strcmp(op, "truncate-segment") == 0) {
		/* Drop the section headers (at the end of the file, they
		 * would be found missing first): only the segment is cut. */
		keep = largest_load_middle(im);
		im->eh->e_shoff = 0;
		im->eh->e_shnum = 0;
		im->eh->e_shstrndx = 0;
	} else if (strcmp(op, "truncate") == 0 && arg)
		keep = strtoull(arg, NULL, 0);
	else
		return 0;
	if (keep < im->size)
		im->size = keep;
	return 1;
}

/* ELF header fields. */
static int do_header(struct img *im, const char *op)
{
	Elf64_Ehdr *eh = im->eh;

	if (strcmp(op, "magic") == 0)
		eh->e_ident[EI_MAG1] ^= 0x20; /* 'E' -> 'e' */
	else if (strcmp(op, "class32") == 0)
		eh->e_ident[EI_CLASS] = ELFCLASS32;
	else if (strcmp(op, "bigendian") == 0)
		eh->e_ident[EI_DATA] = ELFDATA2MSB;
	else if (strcmp(op, "machine") == 0)
		eh->e_machine = EM_AARCH64;
	else if (strcmp(op, "type-dyn") == 0)
		eh->e_type = ET_DYN;
	else if (strcmp(op, "type-rel") == 0)
		eh->e_type = ET_REL;
	else if (strcmp(op, "flip-version") == 0)
		eh->e_version ^= 2;
	else if (strcmp(op, "flip-phoff") == 0)
		eh->e_phoff ^= 1ull << 40;
	else if (strcmp(op, "flip-phentsize") == 0)
		eh->e_phentsize ^= 0x10;
	else if (strcmp(op, "flip-phnum") == 0)
		eh->e_phnum ^= 0x4000;
	else if (strcmp(op, "entry-data") == 0)
		eh->e_entry = find_load(im, PF_R | PF_W)->p_vaddr;
	else if (strcmp(op, "entry-outside") == 0)
		eh->e_entry = 0x40000000;
	else
		return 0;
	return 1;
}

/* Program headers. */
static int do_segments(struct img *im, const char *op)
{
	if (strcmp(op, "wx") == 0)
		find_load(im, PF_R | PF_X)->p_flags |= PF_W;
	else if (strcmp(op, "overlap") == 0)
		add_load(im, find_load(im, PF_R | PF_X)->p_vaddr, PF_R);
	else if (strcmp(op, "low-segment") == 0)
		add_load(im, 0x80000, PF_R);
	else if (strcmp(op, "high-segment") == 0)
		add_load(im, 1ull << 40, PF_R);
	else if (strcmp(op, "unaligned-segment") == 0)
		add_load(im, 0x40000123, PF_R);
	else if (strcmp(op, "filesz-past-eof") == 0) {
		Elf64_Phdr *p = find_load(im, PF_R | PF_W);
		p->p_filesz = im->size - p->p_offset + 0x10000;
		if (p->p_memsz < p->p_filesz)
			p->p_memsz = p->p_filesz;
	} else if (strcmp(op, "memsz-lt-filesz") == 0) {
		Elf64_Phdr *p = find_load(im, PF_R | PF_X);
		p->p_memsz = p->p_filesz / 2;
	} else
		return 0;
	return 1;
}

/* The manifest note. */
static int do_manifest(struct img *im, const char *op, const char *arg)
{
	unsigned char *desc;

	if (strcmp(op, "no-manifest") == 0)
		find_manifest(im, &desc)[4] = 'X'; /* "EMBEX": not ours */
	else if (strcmp(op, "abi") == 0 && arg) {
		uint32_t v = (uint32_t)strtoul(arg, NULL, 0);
		find_manifest(im, &desc);
		memcpy(desc + offsetof(struct ember_manifest, abi_version), &v,
		       sizeof(v));
	} else
		return 0;
	return 1;
}

static void load(const char *path, struct img *im)
{
	FILE *f = fopen(path, "rb");

	if (!f || fseek(f, 0, SEEK_END) != 0)
		die("cannot open the input image");
	long n = ftell(f);
	rewind(f);
	if (n < (long)sizeof(Elf64_Ehdr))
		die("input is too small to be an image");
	im->size = (size_t)n;
	im->b = malloc(im->size);
	if (!im->b || fread(im->b, 1, im->size, f) != im->size)
		die("cannot read the input image");
	fclose(f);
	im->eh = (Elf64_Ehdr *)im->b;
	if (memcmp(im->b, ELFMAG, SELFMAG) != 0 ||
	    im->eh->e_phoff + (size_t)im->eh->e_phnum * sizeof(Elf64_Phdr) >
		im->size)
		die("input is not a well-formed ELF64 image");
}

static void save(const char *path, const struct img *im)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(im->b, 1, im->size, f) != im->size || fclose(f))
		die("cannot write the output image");
}

static const char usage[] =
    "usage: mkbad IN OUT OP [ARG]\n"
    "OP: truncate N | truncate-header | truncate-phdrs | truncate-segment\n"
    "    magic | class32 | bigendian | machine | type-dyn | type-rel\n"
    "    flip-version | flip-phoff | flip-phentsize | flip-phnum\n"
    "    entry-data | entry-outside | wx | overlap | low-segment\n"
    "    high-segment | unaligned-segment | filesz-past-eof\n"
    "    memsz-lt-filesz | no-manifest | abi N\n";

int main(int argc, char **argv)
{
	struct img im;

	if (argc < 4) {
		fputs(usage, stderr);
		return 2;
	}
	const char *op = argv[3], *arg = argc > 4 ? argv[4] : NULL;
	load(argv[1], &im);
	if (!do_truncate(&im, op, arg) && !do_header(&im, op) &&
	    !do_segments(&im, op) && !do_manifest(&im, op, arg)) {
		fputs(usage, stderr);
		return 2;
	}
	save(argv[2], &im);
	free(im.b);
	return 0;
}
