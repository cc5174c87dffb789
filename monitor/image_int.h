/*
 * Internals of the image loader shared by image.c, image_manifest.c and
 * image_symbols.c.
 */
#ifndef EMBER_IMAGE_INT_H
#define EMBER_IMAGE_INT_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct loader {
	struct image *img;
	Elf *elf;
	const Elf64_Phdr *phdr;
	size_t phnum;
	char *err;
	size_t errlen;
};

/* Fill ld->err with "PATH: " and the message; returns -1. */
int image_fail(struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* [off, off + len) lies inside the file (overflow-safe). */
static inline int image_in_file(const struct image *img, uint64_t off,
				uint64_t len)
{
	return off <= img->size && len <= img->size - off;
}

/* Find and validate the manifest note into img->manifest. */
int image_load_manifest(struct loader *ld);

/* Free what image_symbolize() read. */
void image_free_symbols(struct image *img);

#endif
