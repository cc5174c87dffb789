/*
 * Unit tests for the image loader (monitor/image*.c): small ELF64 images
 * are built from C structs, written to a temporary file and loaded. A
 * valid image must load with the right segments, manifest and symbols;
 * every kind of bad image must be rejected with the right one-line
 * message. Then truncated prefixes and random bit flips of a valid image
 * must never crash the loader (run with SANITIZE=1 for ASan/UBSan).
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

#include "check.h"

#define MAXPH	   24
#define NOTE_OFF   0x600u
#define TEXT_OFF   0x1000u
#define DATA_OFF   0x2000u
#define SYMTAB_OFF 0x3000u
#define STRTAB_OFF 0x3100u
#define SHSTR_OFF  0x3200u
#define SHDR_OFF   0x3300u
#define NSEC	   5
#define FILE_SIZE  (SHDR_OFF + NSEC * sizeof(Elf64_Shdr))

#define BASE	   0x100000ull
#define TEXT	   (BASE + 0x1000)
#define DATA	   (BASE + 0x2000)
#define DATA_MEMSZ 0x3000ull

/* An image as editable headers; serialised by build(). */
struct timg {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAXPH];
	Elf64_Nhdr nh;
	char name[8];
	struct ember_manifest mf;
	Elf64_Shdr sh[NSEC];
	Elf64_Sym sym[5];
	char strtab[64];
	char shstr[64];
	int sections; /* write the section header table */
};

static char path[] = "/tmp/ember-test-image-XXXXXX";
static uint8_t file[FILE_SIZE];

static Elf64_Phdr phdr(uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
		       uint64_t filesz, uint64_t memsz, uint64_t align)
{
	Elf64_Phdr p = {.p_type = type,
			.p_flags = flags,
			.p_offset = off,
			.p_vaddr = va,
			.p_paddr = va,
			.p_filesz = filesz,
			.p_memsz = memsz,
			.p_align = align};
	return p;
}

static Elf64_Shdr shdr(uint32_t name, uint32_t type, uint64_t off,
		       uint64_t size, uint32_t link, uint64_t align,
		       uint64_t entsize)
{
	Elf64_Shdr s = {.sh_name = name,
			.sh_type = type,
			.sh_offset = off,
			.sh_size = size,
			.sh_link = link,
			.sh_addralign = align,
			.sh_entsize = entsize};
	return s;
}

static Elf64_Sym sym(uint32_t name, int type, uint64_t va, uint64_t size)
{
	Elf64_Sym s = {.st_name = name,
		       .st_info = ELF64_ST_INFO(STB_GLOBAL, type),
		       .st_shndx = 1,
		       .st_value = va,
		       .st_size = size};
	return s;
}

static void add_sections(struct timg *t)
{
	/* .strtab: names of the symbols. */
	static const char strtab[] = "\0crash_here\0main\0data_obj\0"
				     "\033[31mevil\0";
	/* .shstrtab: names of the sections. */
	static const char shstr[] = "\0.note.ember\0.symtab\0.strtab\0"
				    ".shstrtab\0";

	memcpy(t->strtab, strtab, sizeof(strtab));
	memcpy(t->shstr, shstr, sizeof(shstr));
	t->sym[1] = sym(1, STT_FUNC, TEXT + 0x10, 0x20);   /* crash_here */
	t->sym[2] = sym(12, STT_FUNC, TEXT + 0x100, 0);	   /* main */
	t->sym[3] = sym(17, STT_OBJECT, DATA, 8);	   /* data_obj */
	t->sym[4] = sym(26, STT_FUNC, TEXT + 0x200, 0x10); /* evil */
	t->sh[1] = shdr(1, SHT_NOTE, NOTE_OFF,
			sizeof(t->nh) + 8 + sizeof(t->mf), 0, 4, 0);
	t->sh[2] = shdr(13, SHT_SYMTAB, SYMTAB_OFF, sizeof(t->sym), 3, 8,
			sizeof(Elf64_Sym));
	t->sh[3] = shdr(21, SHT_STRTAB, STRTAB_OFF, sizeof(strtab), 0, 1, 0);
	t->sh[4] = shdr(29, SHT_STRTAB, SHSTR_OFF, sizeof(shstr), 0, 1, 0);
	t->eh.e_shoff = SHDR_OFF;
	t->eh.e_shentsize = sizeof(Elf64_Shdr);
	t->eh.e_shnum = NSEC;
	t->eh.e_shstrndx = 4;
	t->sections = 1;
}

/* A valid image: R headers+note, RX text, RW data+bss, like ember.ld. */
static void valid(struct timg *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->eh.e_ident, ELFMAG, SELFMAG);
	t->eh.e_ident[EI_CLASS] = ELFCLASS64;
	t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	t->eh.e_ident[EI_VERSION] = EV_CURRENT;
	t->eh.e_type = ET_EXEC;
	t->eh.e_machine = EM_X86_64;
	t->eh.e_version = EV_CURRENT;
	t->eh.e_entry = TEXT;
	t->eh.e_phoff = sizeof(Elf64_Ehdr);
	t->eh.e_ehsize = sizeof(Elf64_Ehdr);
	t->eh.e_phentsize = sizeof(Elf64_Phdr);
	t->eh.e_phnum = 5;
	t->ph[0] = phdr(PT_LOAD, PF_R, 0, BASE, 0x1000, 0x1000, 0x1000);
	t->ph[1] =
	    phdr(PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT, 0x1000, 0x1000, 0x1000);
	t->ph[2] = phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, DATA, 0x100, DATA_MEMSZ,
			0x1000);
	t->ph[3] = phdr(PT_NOTE, PF_R, NOTE_OFF, BASE + NOTE_OFF,
			sizeof(t->nh) + 8 + sizeof(t->mf),
			sizeof(t->nh) + 8 + sizeof(t->mf), 4);
	t->ph[4] = phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	t->nh.n_namesz = sizeof(EMBER_NOTE_NAME);
	t->nh.n_descsz = sizeof(t->mf);
	t->nh.n_type = EMBER_NOTE_MANIFEST;
	memcpy(t->name, EMBER_NOTE_NAME, sizeof(EMBER_NOTE_NAME));
	t->mf.abi_version = EMBER_ABI_VERSION;
	t->mf.mem_default = 32ull << 20;
	t->mf.trap_entry = TEXT + 0x400;
	t->mf.trap_stack_top = DATA + DATA_MEMSZ;
	t->mf.guest_stats = DATA + 0x10;
	memcpy(t->mf.args, "one\0two\0", 8);
	t->mf.args_len = 8;
	add_sections(t);
}

static size_t build(const struct timg *t)
{
	memset(file, 0, sizeof(file));
	memcpy(file, &t->eh, sizeof(t->eh));
	memcpy(file + sizeof(t->eh), t->ph, sizeof(t->ph));
	memcpy(file + NOTE_OFF, &t->nh, sizeof(t->nh));
	memcpy(file + NOTE_OFF + sizeof(t->nh), t->name, 8);
	memcpy(file + NOTE_OFF + sizeof(t->nh) + 8, &t->mf, sizeof(t->mf));
	memset(file + TEXT_OFF, 0xc3, 0x1000); /* ret */
	memset(file + DATA_OFF, 0x5a, 0x100);
	if (!t->sections)
		return SYMTAB_OFF;
	memcpy(file + SYMTAB_OFF, t->sym, sizeof(t->sym));
	memcpy(file + STRTAB_OFF, t->strtab, sizeof(t->strtab));
	memcpy(file + SHSTR_OFF, t->shstr, sizeof(t->shstr));
	memcpy(file + SHDR_OFF, t->sh, sizeof(t->sh));
	return FILE_SIZE;
}

/* The temporary file, kept open: rewriting it is most of the run time. */
static int tmp_fd = -1;

static void write_bytes(const uint8_t *bytes, size_t len)
{
	if (ftruncate(tmp_fd, 0) < 0 ||
	    pwrite(tmp_fd, bytes, len, 0) != (ssize_t)len) {
		perror(path);
		exit(2);
	}
}

/* Load bytes; returns image_load's result, err gets the message. */
static int load_bytes(const uint8_t *bytes, size_t len, struct image *img,
		      char *err, size_t errlen)
{
	write_bytes(bytes, len);
	return image_load(path, img, err, errlen);
}

/* t must be rejected with a message containing phrase. */
static void expect_reject(const char *what, const struct timg *t,
			  const char *phrase)
{
	struct image img;
	char err[512];
	size_t len = build(t);

	if (load_bytes(file, len, &img, err, sizeof(err)) == 0) {
		check(0, "%s: loaded, expected '%s'", what, phrase);
		image_free(&img);
		return;
	}
	check(strstr(err, phrase) != NULL &&
		  strncmp(err, path, strlen(path)) == 0 && !strchr(err, '\n'),
	      "%s: message '%s' lacks '%s'", what, err, phrase);
}

/* Reject a valid image changed by the statements that follow. */
#define REJECT(what, phrase, ...)                                              \
	do {                                                                   \
		valid(&t);                                                     \
		__VA_ARGS__;                                                   \
		expect_reject(what, &t, phrase);                               \
	} while (0)

static void test_valid(void)
{
	struct timg t;
	struct image img;
	char err[512];
	uint64_t off = 0;
	const char *name;

	valid(&t);
	if (load_bytes(file, build(&t), &img, err, sizeof(err)) != 0) {
		check(0, "valid image rejected: %s", err);
		return;
	}
	check(img.nseg == 3, "3 segments, got %u", img.nseg);
	check(img.start == BASE && img.end == DATA + DATA_MEMSZ,
	      "span 0x%llx-0x%llx", (unsigned long long)img.start,
	      (unsigned long long)img.end);
	check(img.entry == TEXT, "entry");
	check(img.seg[1].flags == (PF_R | PF_X) && img.seg[2].filesz == 0x100 &&
		  img.seg[2].memsz == DATA_MEMSZ,
	      "segment fields");
	check(img.manifest.mem_default == 32ull << 20 &&
		  img.manifest.args_len == 8,
	      "manifest fields");
	name = image_symbolize(&img, TEXT + 0x15, &off);
	check(name && strcmp(name, "crash_here") == 0 && off == 5,
	      "symbolize crash_here+0x5: %s", name ? name : "(null)");
	name = image_symbolize(&img, TEXT + 0x150, &off);
	check(name && strcmp(name, "main") == 0 && off == 0x50,
	      "unsized symbol main+0x50: %s", name ? name : "(null)");
	name = image_symbolize(&img, TEXT + 0x205, &off);
	check(name && !strchr(name, '\033'), "symbol names are printable");
	check(image_symbolize(&img, TEXT + 0x8, &off) == NULL,
	      "no symbol before the first");
	check(image_symbolize(&img, DATA, &off) == NULL,
	      "objects are not functions");
	check(image_segment_at(&img, DATA + DATA_MEMSZ - 16, 16) != NULL &&
		  image_segment_at(&img, DATA + DATA_MEMSZ - 16, 17) == NULL,
	      "image_segment_at bounds");
	image_free(&img);
}

static void test_variants_that_load(void)
{
	struct timg t;
	struct image img;
	char err[512];
	uint64_t off;

	/* Stripped: no section headers at all. */
	valid(&t);
	t.sections = 0;
	t.eh.e_shoff = 0;
	t.eh.e_shnum = 0;
	t.eh.e_shstrndx = 0;
	check(load_bytes(file, build(&t), &img, err, sizeof(err)) == 0 &&
		  image_symbolize(&img, TEXT + 0x15, &off) == NULL &&
		  img.symbols->read && img.symbols->n == 0,
	      "stripped image loads, without symbols: %s", err);
	image_free(&img);
	/* Manifest found through the section when there is no PT_NOTE. */
	valid(&t);
	t.ph[3].p_type = PT_NULL;
	check(load_bytes(file, build(&t), &img, err, sizeof(err)) == 0,
	      "manifest via .note.ember: %s", err);
	image_free(&img);
	/* An empty PT_LOAD loads nothing and is ignored. */
	valid(&t);
	t.ph[t.eh.e_phnum++] = phdr(PT_LOAD, PF_R, 0, 0, 0, 0, 0x1000);
	check(load_bytes(file, build(&t), &img, err, sizeof(err)) == 0 &&
		  img.nseg == 3,
	      "empty PT_LOAD ignored: %s", err);
	image_free(&img);
}

static void test_file_errors(void)
{
	struct image img;
	char err[512];
	static const uint8_t text[] = "#!/bin/sh\necho hello\n";

	check(image_load("/nonexistent/x.ember", &img, err, sizeof(err)) < 0 &&
		  strstr(err, "cannot open"),
	      "missing file: %s", err);
	check(image_load("/tmp", &img, err, sizeof(err)) < 0 &&
		  strstr(err, "not a regular file"),
	      "directory: %s", err);
	check(load_bytes(text, sizeof(text), &img, err, sizeof(err)) < 0 &&
		  strstr(err, "not an ELF file; build it with ember-cc"),
	      "script: %s", err);
	check(load_bytes(text, 0, &img, err, sizeof(err)) < 0 &&
		  strstr(err, "not an ELF file"),
	      "empty file: %s", err);
}

static void test_header_errors(void)
{
	struct timg t;

	REJECT("32-bit", "not a 64-bit ELF",
	       t.eh.e_ident[EI_CLASS] = ELFCLASS32);
	REJECT("big-endian", "little-endian",
	       t.eh.e_ident[EI_DATA] = ELFDATA2MSB);
	REJECT("e_version", "unknown ELF version", t.eh.e_version = 2);
	REJECT("arm64", "not x86-64", t.eh.e_machine = EM_AARCH64);
	REJECT("PIE", "position-independent", t.eh.e_type = ET_DYN);
	expect_reject("PIE hint", &t, "link it with ember-cc");
	REJECT("object", "relocatable", t.eh.e_type = ET_REL);
	REJECT("core", "not an executable", t.eh.e_type = ET_CORE);
	REJECT("phentsize", "malformed program headers", t.eh.e_phentsize = 32);
	REJECT("phoff unaligned", "malformed program headers",
	       t.eh.e_phoff += 4);
	REJECT("shentsize", "malformed section headers", t.eh.e_shentsize = 40);
	REJECT("no phdrs", "no loadable segments", t.eh.e_phnum = 0);
}

static void test_truncation(void)
{
	struct timg t;

	REJECT("phdrs past EOF", "truncated", t.eh.e_phoff = FILE_SIZE - 104);
	REJECT("phoff overflow", "truncated", t.eh.e_phoff = UINT64_MAX - 7);
	REJECT("shdrs past EOF", "truncated", t.eh.e_shoff = FILE_SIZE - 64);
	REJECT("segment past EOF", "truncated", t.ph[1].p_filesz = 0x100000,
	       t.ph[1].p_memsz = 0x100000);
	REJECT("segment offset overflow", "truncated",
	       t.ph[2].p_offset = UINT64_MAX - 0x10);
	REJECT("section past EOF", "truncated", t.sh[2].sh_size = 0x100000);
	/* extended numbering: count in section 0 */
	REJECT("extended shnum", "truncated", t.eh.e_shnum = 0,
	       t.sh[0].sh_size = 1000);
}

static void test_segment_errors(void)
{
	struct timg t;

	valid(&t);
	for (int i = 0; i < 3; i++)
		t.ph[i].p_type = PT_NULL;
	expect_reject("no PT_LOAD", &t, "no loadable segments");
	valid(&t);
	for (int i = 0; i < 17; i++)
		t.ph[5 + i] =
		    phdr(PT_LOAD, PF_R, 0x2000, 0x200000 + 0x1000 * (uint64_t)i,
			 0x10, 0x10, 0x1000);
	t.eh.e_phnum = 22;
	expect_reject("too many segments", &t, "more than 16");
	REJECT("filesz > memsz", "more file bytes", t.ph[1].p_memsz = 0xfff);
	REJECT("wrap", "wraps around", t.ph[2].p_vaddr = 0xfffffffffffff000ull);
	REJECT("beyond 8G", "above 8 GiB", t.ph[2].p_vaddr = 0x10000000000ull);
	REJECT("below 1 MiB", "below 1 MiB", t.ph[0].p_vaddr = 0x80000);
	REJECT("unaligned", "not page aligned", t.ph[2].p_vaddr = DATA + 0x10);
	REJECT("align mismatch", "disagree modulo",
	       t.ph[2].p_offset = DATA_OFF + 0x800);
	REJECT("overlap after rounding", "overlap", t.ph[0].p_memsz = 0x1001);
	REJECT("same address", "overlap", t.ph[2].p_vaddr = TEXT);
	REJECT("W+X", "writable and executable",
	       t.ph[1].p_flags = PF_R | PF_W | PF_X);
	REJECT("entry in data", "entry point", t.eh.e_entry = DATA);
	REJECT("entry nowhere", "entry point", t.eh.e_entry = 0x50);
	REJECT("interp", "dynamically linked", t.ph[4].p_type = PT_INTERP);
}

static void test_manifest_errors(void)
{
	struct timg t;

	/* The section renamed ".nXte.ember". */
	REJECT("no manifest", "no Ember manifest", t.ph[3].p_type = PT_NULL,
	       t.shstr[2] = 'X');
	REJECT("no manifest, stripped", "no Ember manifest",
	       t.ph[3].p_type = PT_NULL, t.sections = 0, t.eh.e_shoff = 0,
	       t.eh.e_shnum = 0);
	REJECT("note name", "no Ember manifest", t.name[4] = 'X',
	       t.sh[1].sh_type = SHT_PROGBITS);
	REJECT("note type", "no Ember manifest", t.nh.n_type = 2,
	       t.sh[1].sh_type = SHT_PROGBITS);
	REJECT("descsz", "manifest of 100 bytes", t.nh.n_descsz = 100);
	REJECT("namesz", "malformed ELF note", t.nh.n_namesz = 0x7fffffff);
	valid(&t);
	t.mf.abi_version = 2;
	expect_reject("abi", &t,
		      "built for Ember ABI 2, this ember-vmm speaks 1: "
		      "rebuild the image with this ember-cc");
	REJECT("trap_entry in data", "trap_entry", t.mf.trap_entry = DATA);
	valid(&t);
	t.mf.trap_entry = TEXT + 0x1000 - 0x100; /* stubs cross the end */
	expect_reject("trap_entry crosses", &t, "trap_entry");
	REJECT("trap_entry wraps", "trap_entry",
	       t.mf.trap_entry = UINT64_MAX - 0x10);
	REJECT("trap stack in text", "trap_stack_top",
	       t.mf.trap_stack_top = TEXT + 0x800);
	REJECT("trap stack unaligned", "trap_stack_top",
	       t.mf.trap_stack_top = DATA + 0x808);
	REJECT("trap stack 0", "trap_stack_top", t.mf.trap_stack_top = 0);
	REJECT("guest_stats in text", "guest_stats", t.mf.guest_stats = TEXT);
	REJECT("guest_stats crosses", "guest_stats",
	       t.mf.guest_stats = DATA + DATA_MEMSZ - 8);
	REJECT("args_len", "args_len",
	       t.mf.args_len = EMBER_MANIFEST_ARGS_MAX + 1);
	REJECT("args unterminated", "NUL-terminated", t.mf.args_len = 7);
	REJECT("mem_default", "default memory", t.mf.mem_default = 3ull << 20);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What a successful load promises, whatever the input was. */
static int sane(const struct image *img)
{
	if (img->nseg == 0 || img->nseg > IMAGE_MAX_SEGMENTS)
		return 0;
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];

		if (s->vaddr < BASE || s->vaddr % 4096 ||
		    s->filesz > s->memsz || s->offset + s->filesz > img->size ||
		    ((s->flags & PF_W) && (s->flags & PF_X)) ||
		    (i && s->vaddr < img->seg[i - 1].vaddr))
			return 0;
	}
	return image_segment_at(img, img->entry, 1) != NULL;
}

/* One load of possibly hostile bytes: no crash, and either a sane image
 * or a one-line message. */
static int survives(const uint8_t *bytes, size_t len)
{
	struct image img;
	char err[512];
	int ok;

	if (load_bytes(bytes, len, &img, err, sizeof(err)) == 0) {
		ok = sane(&img);
		image_free(&img);
		return ok;
	}
	return err[0] && !strchr(err, '\n');
}

static void test_fuzz(void)
{
	static uint8_t orig[FILE_SIZE], buf[FILE_SIZE];
	struct timg t;
	size_t len, bad = 0, iters = 3000;

	valid(&t);
	len = build(&t);
	memcpy(orig, file, len);
	for (size_t n = 0; n < len; n++) {
		struct image img;
		char err[512];

		if (load_bytes(orig, n, &img, err, sizeof(err)) == 0) {
			image_free(&img);
			bad++;
		} else if (!strchr(err, ':')) {
			bad++;
		}
	}
	check(bad == 0, "%zu truncated prefixes loaded or gave no message",
	      bad);
	bad = 0;
	for (size_t i = 0; i < iters; i++) {
		unsigned flips = 1 + (unsigned)(next_rand() % 8);

		memcpy(buf, orig, len);
		for (unsigned f = 0; f < flips; f++) {
			/* Mostly the headers and tables, where it matters. */
			uint64_t r = next_rand();
			size_t at =
			    (r & 1) ? (r >> 8) % 0x1000 : (r >> 8) % len;

			buf[at] ^= (uint8_t)(1u << ((r >> 4) % 8));
		}
		bad += !survives(buf, len);
	}
	check(bad == 0, "%zu of %zu bit-flipped images broke a promise", bad,
	      iters);
}

int main(void)
{
	tmp_fd = mkstemp(path);
	if (tmp_fd < 0) {
		perror("mkstemp");
		return 2;
	}
	test_valid();
	test_variants_that_load();
	test_file_errors();
	test_header_errors();
	test_truncation();
	test_segment_errors();
	test_manifest_errors();
	test_fuzz();
	close(tmp_fd);
	unlink(path);
	return check_summary("test_image");
}
