/*
 * ember-inspect: shared helpers of the text (ember-inspect.c) and JSON
 * (inspect_json.c) reports.
 */
#ifndef EMBER_INSPECT_H
#define EMBER_INSPECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

/* "R-X" style flags of a segment into out[4]. */
void inspect_flags(uint32_t flags, char out[4]);

/* Sum of the segments' memory sizes. */
uint64_t inspect_loaded_size(const struct image *img);

/* The next default argument of the manifest starting at *pos, or NULL
 * at the end; *len is its length, *pos moves past it. Bounded by
 * args_len and the array even if the loader let something odd through. */
const char *inspect_next_arg(const struct ember_manifest *mf, size_t *pos,
			     size_t *len);

/* The whole report as one JSON object. */
void inspect_print_json(const struct image *img, FILE *out);

#endif
