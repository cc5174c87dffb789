/*
 * Function symbols of an image, for symbolised crash reports. Taken from
 * .symtab when the image has one; a stripped image simply has none. The
 * names come from the file, so they are made printable before use.
 */
#include <stdlib.h>
#include <string.h>

#include "image_int.h"

static Elf_Scn *find_symtab(Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const Elf64_Shdr *sh = elf64_getshdr(scn);

		if (sh && sh->sh_type == SHT_SYMTAB)
			return scn;
	}
	return NULL;
}

/* A NUL-terminated, printable copy of the string table. */
static int copy_strtab(struct loader *ld, Elf_Scn *scn, size_t *len)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	char *s;

	if (!d || !d->d_buf) {
		*len = 0;
		return 0;
	}
	s = malloc(d->d_size + 1);
	if (!s)
		return image_fail(ld, "out of memory reading symbols");
	memcpy(s, d->d_buf, d->d_size);
	s[d->d_size] = '\0';
	/* Keep terminal escapes and other bytes of a hostile file out of
	 * crash reports. */
	for (size_t i = 0; i < d->d_size; i++)
		if (s[i] && (s[i] < 0x21 || s[i] > 0x7e))
			s[i] = '?';
	ld->img->strtab = s;
	*len = d->d_size;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct image_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Aliases: the sized one first, then by name, for stable output. */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void collect(struct image *img, const Elf64_Sym *syms, size_t n,
		    size_t strsz)
{
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *s = &syms[i];
		struct image_symbol *out;

		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
		    s->st_name == 0 || s->st_name >= strsz)
			continue;
		out = &img->syms[img->nsyms++];
		out->addr = s->st_value;
		out->size = s->st_size;
		out->name = img->strtab + s->st_name;
	}
	qsort(img->syms, img->nsyms, sizeof(img->syms[0]), by_addr);
}

int image_load_symbols(struct loader *ld)
{
	struct image *img = ld->img;
	Elf_Scn *symscn = find_symtab(ld->elf), *strscn;
	const Elf64_Shdr *sh;
	Elf_Data *d;
	size_t n, strsz = 0;

	if (!symscn)
		return 0; /* stripped */
	sh = elf64_getshdr(symscn);
	strscn = elf_getscn(ld->elf, sh->sh_link);
	d = elf_getdata(symscn, NULL);
	if (!strscn || !d || !d->d_buf || sh->sh_entsize != sizeof(Elf64_Sym) ||
	    (uintptr_t)d->d_buf % _Alignof(Elf64_Sym))
		return 0; /* unusable: treat as stripped */
	if (copy_strtab(ld, strscn, &strsz) < 0)
		return -1;
	n = d->d_size / sizeof(Elf64_Sym);
	if (!img->strtab || n == 0)
		return 0;
	img->syms = calloc(n, sizeof(*img->syms));
	if (!img->syms)
		return image_fail(ld, "out of memory reading symbols");
	collect(img, d->d_buf, n, strsz);
	return 0;
}

const char *image_symbolize(const struct image *img, uint64_t addr,
			    uint64_t *off)
{
	size_t lo = 0, hi = img->nsyms;
	const struct image_symbol *s;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &img->syms[lo - 1];
	/* Prefer a sized alias at the same address (sorted first). */
	while (s > img->syms && s[-1].addr == s->addr)
		s--;
	if (s->size ? addr - s->addr >= s->size
		    : image_segment_at(img, s->addr, 1) !=
			  image_segment_at(img, addr, 1))
		return NULL;
	*off = addr - s->addr;
	return s->name;
}
