/*
 * Loading and validating an Ember image (static ELF64 x86-64 executable
 * with an "EMBER" manifest note) with libelf. Shared by ember-vmm and
 * ember-inspect, so both report the same problems the same way.
 */
#ifndef EMBER_IMAGE_H
#define EMBER_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"

#define IMAGE_MAX_SEGMENTS 16

struct image_segment {
	uint64_t vaddr, memsz;	 /* vaddr page aligned by validation */
	uint64_t offset, filesz; /* file bytes, filesz <= memsz */
	uint32_t flags;		 /* PF_R | PF_W | PF_X */
};

struct image_symbol {
	uint64_t addr, size;
	const char *name; /* points into the image's string table copy */
};

struct image {
	const char *path;
	uint8_t *data; /* whole file, read into memory */
	size_t size;
	size_t map_size; /* of the mapping data points to */
	uint64_t entry;
	struct image_segment seg[IMAGE_MAX_SEGMENTS];
	unsigned nseg;
	struct ember_manifest manifest;
	uint64_t start, end;	       /* page-aligned span of all segments */
	struct image_symbols *symbols; /* read on first use */
};

/* Function symbols sorted by address, with their names' table. */
struct image_symbols {
	int read; /* tried: syms and strtab are what could be read */
	struct image_symbol *syms;
	size_t n;
	char *strtab; /* printable copy of the symbol string table */
};

/* Read and validate the image. On failure fill err with one line (no
 * "ember-vmm:" prefix, no newline) saying what is wrong and what to do,
 * and return -1. */
int image_load(const char *path, struct image *img, char *err, size_t errlen);

/* Copy segment contents into guest memory at base (guest-physical 0);
 * the bytes between filesz and memsz are left as they are (zero in fresh
 * memory). */
void image_copy(const struct image *img, uint8_t *guest_base);

/* The function containing addr, or NULL; *off = addr - symbol start.
 * The first call reads the symbol table (image_symbols.c). */
const char *image_symbolize(const struct image *img, uint64_t addr,
			    uint64_t *off);

/* The address of the function called name, 0 if none. */
uint64_t image_symbol_addr(const struct image *img, const char *name);

/* The segment containing [addr, addr + len), or NULL. */
const struct image_segment *image_segment_at(const struct image *img,
					     uint64_t addr, uint64_t len);

void image_free(struct image *img);

#endif
