/*
 * Function symbols of an image, for symbolised crash reports. Taken from
 * .symtab when the image has one; a stripped image simply has none. The
 * names come from the file, so they are made printable before use.
 *
 * Read on first use (a crash report), not at load: collecting and
 * sorting a few thousand of them cost ~0.3 ms of every boot, for
 * reports most runs never print. A symbol table that cannot be read
 * then (or memory that runs out) leaves the report unsymbolised.
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
static char *copy_strtab(Elf_Scn *scn, size_t *len)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	char *s;

	if (!d || !d->d_buf)
		return NULL;
	s = malloc(d->d_size + 1);
	if (!s)
		return NULL;
	memcpy(s, d->d_buf, d->d_size);
	s[d->d_size] = '\0';
	/* Keep terminal escapes and other bytes of a hostile file out of
	 * crash reports. */
	for (size_t i = 0; i < d->d_size; i++)
		if (s[i] && (s[i] < 0x21 || s[i] > 0x7e))
			s[i] = '?';
	*len = d->d_size;
	return s;
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

static void collect(struct image_symbols *t, const Elf64_Sym *syms, size_t n,
		    size_t strsz)
{
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *s = &syms[i];
		struct image_symbol *out;

		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
		    s->st_name == 0 || s->st_name >= strsz)
			continue;
		out = &t->syms[t->n++];
		out->addr = s->st_value;
		out->size = s->st_size;
		out->name = t->strtab + s->st_name;
	}
	qsort(t->syms, t->n, sizeof(t->syms[0]), by_addr);
}

static void read_symtab(struct image_symbols *t, Elf *elf)
{
	Elf_Scn *symscn = find_symtab(elf), *strscn;
	const Elf64_Shdr *sh;
	Elf_Data *d;
	size_t n, strsz = 0;

	if (!symscn || !(sh = elf64_getshdr(symscn)))
		return; /* stripped */
	strscn = elf_getscn(elf, sh->sh_link);
	d = elf_getdata(symscn, NULL);
	if (!strscn || !d || !d->d_buf || sh->sh_entsize != sizeof(Elf64_Sym) ||
	    (uintptr_t)d->d_buf % _Alignof(Elf64_Sym))
		return; /* unusable: treat as stripped */
	n = d->d_size / sizeof(Elf64_Sym);
	if (n == 0 || !(t->strtab = copy_strtab(strscn, &strsz)))
		return;
	t->syms = calloc(n, sizeof(*t->syms));
	if (t->syms)
		collect(t, d->d_buf, n, strsz);
}

/* The symbols, read now if this is the first time. */
static const struct image_symbols *symbols(const struct image *img)
{
	struct image_symbols *t = img->symbols;
	Elf *elf;

	if (!t || t->read)
		return t;
	t->read = 1;
	if (!img->data || elf_version(EV_CURRENT) == EV_NONE)
		return t;
	elf = elf_memory((char *)img->data, img->size);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		read_symtab(t, elf);
	elf_end(elf);
	return t;
}

uint64_t image_symbol_addr(const struct image *img, const char *name)
{
	const struct image_symbols *t = symbols(img);

	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->syms[i].name, name) == 0)
			return t->syms[i].addr;
	return 0;
}

void image_free_symbols(struct image *img)
{
	if (img->symbols) {
		free(img->symbols->syms);
		free(img->symbols->strtab);
		free(img->symbols);
		img->symbols = NULL;
	}
}

const char *image_symbolize(const struct image *img, uint64_t addr,
			    uint64_t *off)
{
	const struct image_symbols *t = symbols(img);
	size_t lo = 0, hi = t ? t->n : 0;
	const struct image_symbol *s;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &t->syms[lo - 1];
	/* Prefer a sized alias at the same address (sorted first). */
	while (s > t->syms && s[-1].addr == s->addr)
		s--;
	if (s->size ? addr - s->addr >= s->size
		    : image_segment_at(img, s->addr, 1) !=
			  image_segment_at(img, addr, 1))
		return NULL;
	*off = addr - s->addr;
	return s->name;
}
