/*
 * Loading an Ember image: read the file, check the ELF header, the
 * program and section header tables and the loadable segments with
 * libelf, then the manifest (image_manifest.c) and the symbols
 * (image_symbols.c). The file is hostile input: every offset and size is
 * checked against the file size, overflow-safe, before it is used, and
 * each problem is reported as one line saying what is wrong and what to
 * do about it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_int.h"

#define PAGE EMBER_PAGE_SIZE

int image_fail(struct loader *ld, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ld->err, ld->errlen, "%s: ", ld->img->path);

	if (n < 0 || (size_t)n >= ld->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int truncated(struct loader *ld, const char *what)
{
	return image_fail(ld,
			  "is truncated (%s ends past the end of the file, "
			  "%zu bytes); rebuild it or copy it again",
			  what, ld->img->size);
}

static int read_file(struct loader *ld)
{
	struct image *img = ld->img;
	struct stat st;
	size_t got = 0;
	int fd = open(img->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return image_fail(ld, "cannot open: %s; check the path",
				  strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return image_fail(ld, "is not a regular file; give the path "
				      "of an image built with ember-cc");
	}
	/* An image larger than the largest guest memory cannot run. */
	if ((uint64_t)st.st_size > EMBER_MEM_MAX) {
		close(fd);
		return image_fail(ld,
				  "is too large (%lld bytes) to be an "
				  "Ember image",
				  (long long)st.st_size);
	}
	/* Mapped populated, not malloc'ed: faulting each page in one by one
	 * cost ~10 us a page on our hosts, a millisecond per boot. */
	img->map_size = (size_t)st.st_size + 1;
	img->data = mmap(NULL, img->map_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (img->data == MAP_FAILED) {
		img->data = NULL;
		close(fd);
		return image_fail(ld, "out of memory reading the image");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, img->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return image_fail(ld, "cannot read: %s", strerror(e));
		}
		if (n == 0)
			break; /* shrank meanwhile: validate what we have */
		got += (size_t)n;
	}
	close(fd);
	img->size = got;
	return 0;
}

static int check_ident(struct loader *ld)
{
	const uint8_t *d = ld->img->data;

	if (ld->img->size < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0)
		return image_fail(ld, "not an ELF file; build it with "
				      "ember-cc");
	if (d[EI_CLASS] != ELFCLASS64)
		return image_fail(ld, "is not a 64-bit ELF file; Ember images "
				      "are ELF64 x86-64: build it with "
				      "ember-cc");
	if (d[EI_DATA] != ELFDATA2LSB)
		return image_fail(ld, "is not a little-endian ELF file; build "
				      "it with ember-cc for x86-64");
	if (d[EI_VERSION] != EV_CURRENT)
		return image_fail(ld,
				  "has an unknown ELF version %u; build it "
				  "with ember-cc",
				  d[EI_VERSION]);
	if (ld->img->size < sizeof(Elf64_Ehdr))
		return truncated(ld, "the ELF header");
	return 0;
}

static int check_type(struct loader *ld, const Elf64_Ehdr *eh)
{
	if (eh->e_version != EV_CURRENT)
		return image_fail(ld,
				  "has an unknown ELF version %u; build it "
				  "with ember-cc",
				  eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return image_fail(ld,
				  "is built for another CPU (ELF machine "
				  "%u), not x86-64; build it with ember-cc",
				  eh->e_machine);
	switch (eh->e_type) {
	case ET_EXEC:
		return 0;
	case ET_DYN:
		return image_fail(ld, "is a position-independent executable "
				      "or shared library, not a static "
				      "executable; link it with ember-cc");
	case ET_REL:
		return image_fail(ld, "is a relocatable object file, not an "
				      "executable; link it with ember-cc");
	default:
		return image_fail(ld,
				  "is not an executable (ELF type %u); "
				  "link it with ember-cc",
				  eh->e_type);
	}
}

/* The program and section header tables lie inside the file. */
static int check_tables(struct loader *ld, const Elf64_Ehdr *eh)
{
	const struct image *img = ld->img;
	uint64_t shnum = eh->e_shnum;

	if (eh->e_phnum == 0)
		return image_fail(ld, "has no loadable segments; link it with "
				      "ember-cc");
	/* Aligned tables: libelf hands out pointers into the file. */
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == PN_XNUM ||
	    eh->e_phoff % 8)
		return image_fail(ld, "has malformed program headers; link it "
				      "with ember-cc");
	if (!image_in_file(img, eh->e_phoff,
			   (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return truncated(ld, "the program header table");
	if (eh->e_shoff == 0)
		return 0; /* no section headers: allowed */
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % 8)
		return image_fail(ld, "has malformed section headers; link it "
				      "with ember-cc");
	if (shnum == 0) {
		/* Extended numbering: the count is in section 0. */
		Elf64_Shdr sh0;

		if (!image_in_file(img, eh->e_shoff, sizeof(sh0)))
			return truncated(ld, "the section header table");
		memcpy(&sh0, img->data + eh->e_shoff, sizeof(sh0));
		shnum = sh0.sh_size;
	}
	if (shnum > img->size / sizeof(Elf64_Shdr) ||
	    !image_in_file(img, eh->e_shoff, shnum * sizeof(Elf64_Shdr)))
		return truncated(ld, "the section header table");
	return 0;
}

/* Every section's contents lie inside the file. */
static int check_sections(struct loader *ld)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ld->elf, scn)) != NULL) {
		const Elf64_Shdr *sh = elf64_getshdr(scn);

		if (!sh)
			return image_fail(ld, "has a malformed section header; "
					      "link it with ember-cc");
		if (sh->sh_type != SHT_NOBITS &&
		    !image_in_file(ld->img, sh->sh_offset, sh->sh_size)) {
			char what[48];

			snprintf(what, sizeof(what), "section %zu",
				 elf_ndxscn(scn));
			return truncated(ld, what);
		}
	}
	return 0;
}

static int check_segment(struct loader *ld, const Elf64_Phdr *ph)
{
	uint64_t va = ph->p_vaddr, end;

	if (ph->p_filesz > ph->p_memsz)
		return image_fail(ld,
				  "segment at 0x%llx has more file bytes "
				  "than memory bytes; link it with "
				  "ember-cc",
				  (unsigned long long)va);
	if (ph->p_memsz > UINT64_MAX - PAGE ||
	    va > UINT64_MAX - PAGE - ph->p_memsz)
		return image_fail(ld,
				  "segment at 0x%llx wraps around the "
				  "address space; link it with ember-cc",
				  (unsigned long long)va);
	end = va + ph->p_memsz;
	if (va < EMBER_IMAGE_BASE)
		return image_fail(ld,
				  "segment at 0x%llx is below 1 MiB, where "
				  "the monitor's tables live; link it with "
				  "ember-cc (images start at 1 MiB)",
				  (unsigned long long)va);
	if (end > EMBER_MEM_MAX)
		return image_fail(ld,
				  "segment at 0x%llx ends above 8 GiB, the "
				  "largest guest memory; link it with "
				  "ember-cc",
				  (unsigned long long)va);
	if (va % PAGE)
		return image_fail(ld,
				  "segment at 0x%llx is not page aligned; "
				  "link it with ember-cc",
				  (unsigned long long)va);
	if (ph->p_align > 1 && va % ph->p_align != ph->p_offset % ph->p_align)
		return image_fail(ld,
				  "segment at 0x%llx: address and file "
				  "offset disagree modulo its alignment; "
				  "link it with ember-cc",
				  (unsigned long long)va);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return image_fail(ld,
				  "segment at 0x%llx is both writable and "
				  "executable (W^X); link it with ember-cc",
				  (unsigned long long)va);
	return 0;
}

static int add_segment(struct loader *ld, const Elf64_Phdr *ph)
{
	struct image *img = ld->img;
	struct image_segment *s;

	/* An empty PT_LOAD (an unused PHDRS entry) loads nothing. */
	if (ph->p_memsz == 0 && ph->p_filesz == 0)
		return 0;
	if (img->nseg == IMAGE_MAX_SEGMENTS)
		return image_fail(ld,
				  "has more than %d loadable segments; "
				  "link it with ember-cc",
				  IMAGE_MAX_SEGMENTS);
	if (check_segment(ld, ph) < 0)
		return -1;
	s = &img->seg[img->nseg++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	/* Without file bytes the offset means nothing and may be anything:
	 * 0 keeps data + offset inside the file for image_copy. */
	s->offset = ph->p_filesz ? ph->p_offset : 0;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & (PF_R | PF_W | PF_X);
	return 0;
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* Sort by address, then no two segments may share a page. */
static int check_overlap(struct loader *ld)
{
	struct image *img = ld->img;

	for (unsigned i = 1; i < img->nseg; i++)
		for (unsigned j = i;
		     j > 0 && img->seg[j].vaddr < img->seg[j - 1].vaddr; j--) {
			struct image_segment t = img->seg[j];

			img->seg[j] = img->seg[j - 1];
			img->seg[j - 1] = t;
		}
	for (unsigned i = 1; i < img->nseg; i++) {
		const struct image_segment *a = &img->seg[i - 1];

		if (page_up(a->vaddr + a->memsz) > img->seg[i].vaddr)
			return image_fail(
			    ld,
			    "segments at 0x%llx and 0x%llx "
			    "overlap; link it with ember-cc",
			    (unsigned long long)a->vaddr,
			    (unsigned long long)img->seg[i].vaddr);
	}
	return 0;
}

static int load_segments(struct loader *ld)
{
	struct image *img = ld->img;

	for (size_t i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *ph = &ld->phdr[i];

		if (ph->p_type != PT_NULL && ph->p_filesz &&
		    !image_in_file(img, ph->p_offset, ph->p_filesz))
			return truncated(ld, "a segment");
		if (ph->p_type == PT_INTERP || ph->p_type == PT_DYNAMIC)
			return image_fail(ld, "is dynamically linked; link it "
					      "with ember-cc (static)");
		if (ph->p_type == PT_LOAD && add_segment(ld, ph) < 0)
			return -1;
	}
	if (img->nseg == 0)
		return image_fail(ld, "has no loadable segments; link it with "
				      "ember-cc");
	if (check_overlap(ld) < 0)
		return -1;
	img->start = img->seg[0].vaddr;
	img->end = page_up(img->seg[img->nseg - 1].vaddr +
			   img->seg[img->nseg - 1].memsz);
	return 0;
}

static int check_entry(struct loader *ld)
{
	const struct image_segment *s;

	s = image_segment_at(ld->img, ld->img->entry, 1);
	if (!s || !(s->flags & PF_X))
		return image_fail(ld,
				  "entry point 0x%llx is not in an "
				  "executable segment; link it with "
				  "ember-cc",
				  (unsigned long long)ld->img->entry);
	return 0;
}

/* Everything after the raw header checks, with libelf. */
static int load_elf(struct loader *ld)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return image_fail(ld, "libelf is out of date: %s",
				  elf_errmsg(-1));
	ld->elf = elf_memory((char *)ld->img->data, ld->img->size);
	if (!ld->elf || elf_kind(ld->elf) != ELF_K_ELF)
		return image_fail(ld,
				  "cannot be read as ELF (%s); build it "
				  "with ember-cc",
				  elf_errmsg(-1));
	ld->phdr = elf64_getphdr(ld->elf);
	if (!ld->phdr || elf_getphdrnum(ld->elf, &ld->phnum) != 0)
		return image_fail(ld,
				  "has unreadable program headers (%s); "
				  "link it with ember-cc",
				  elf_errmsg(-1));
	if (check_sections(ld) < 0 || load_segments(ld) < 0 ||
	    check_entry(ld) < 0 || image_load_manifest(ld) < 0)
		return -1;
	ld->img->symbols = calloc(1, sizeof(*ld->img->symbols));
	if (!ld->img->symbols)
		return image_fail(ld, "out of memory reading the image");
	return 0;
}

/* The raw ELF header, before libelf sees the file. */
static int check_header(struct loader *ld)
{
	Elf64_Ehdr eh;

	if (check_ident(ld) < 0)
		return -1;
	memcpy(&eh, ld->img->data, sizeof(eh));
	ld->img->entry = eh.e_entry;
	if (check_type(ld, &eh) < 0)
		return -1;
	return check_tables(ld, &eh);
}

int image_load(const char *path, struct image *img, char *err, size_t errlen)
{
	struct loader ld = {.img = img, .err = err, .errlen = errlen};
	int r;

	memset(img, 0, sizeof(*img));
	img->path = path;
	if (errlen)
		err[0] = '\0';
	r = read_file(&ld);
	if (r == 0)
		r = check_header(&ld);
	if (r == 0)
		r = load_elf(&ld);
	if (ld.elf)
		elf_end(ld.elf);
	if (r < 0)
		image_free(img);
	return r < 0 ? -1 : 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Allocate the pages of [p, p + len) in one system call instead of one
 * fault each (~10 us a page on our hosts). Only a hint: where the kernel
 * cannot, the copy faults them in as before. */
static void populate(uint8_t *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(EMBER_PAGE_SIZE - 1);
	uintptr_t hi = ((uintptr_t)p + len + EMBER_PAGE_SIZE - 1) &
		       ~(uintptr_t)(EMBER_PAGE_SIZE - 1);

	if (len)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

void image_copy(const struct image *img, uint8_t *guest_base)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];

		populate(guest_base + s->vaddr, s->filesz);
		memcpy(guest_base + s->vaddr, img->data + s->offset, s->filesz);
	}
}

const struct image_segment *image_segment_at(const struct image *img,
					     uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct image_segment *s = &img->seg[i];

		if (addr >= s->vaddr && addr - s->vaddr < s->memsz &&
		    len <= s->memsz - (addr - s->vaddr))
			return s;
	}
	return NULL;
}

void image_free(struct image *img)
{
	if (img->data)
		munmap(img->data, img->map_size);
	image_free_symbols(img);
	img->data = NULL;
	img->size = 0;
	img->nseg = 0;
}
