/*
 * The image's manifest: the ELF note "EMBER" of type EMBER_NOTE_MANIFEST,
 * found through a PT_NOTE program header or, failing that, the section
 * .note.ember. Its addresses are checked against the segments so that
 * the monitor can rely on them later.
 */
#include <stdio.h>
#include <string.h>

#include "image_int.h"

/* Minimal space below trap_stack_top: the CPU's exception frame with an
 * error code (48 bytes), rounded up. */
#define TRAP_FRAME_MIN 64u

#define MF_BAD -2 /* a note that runs past its region */

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Search the notes in file bytes [off, off + size) for the manifest.
 * Returns the offset of its descriptor in the file (with *descsz), -1 if
 * there is none, MF_BAD if the notes are malformed. */
static int64_t find_in_notes(const struct image *img, uint64_t off,
			     uint64_t size, uint64_t align, uint32_t *descsz)
{
	const uint8_t *base;
	uint64_t pos = 0;

	/* An empty note segment may name any offset: not even data + off
	 * may be computed then. */
	if (!image_in_file(img, off, size))
		return -1;
	base = img->data + off;

	while (size - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name, desc;

		memcpy(&nh, base + pos, sizeof(nh));
		name = pos + sizeof(nh);
		desc = name + align_up(nh.n_namesz, align);
		if (desc > size || nh.n_descsz > size - desc)
			return MF_BAD;
		if (nh.n_type == EMBER_NOTE_MANIFEST &&
		    nh.n_namesz == sizeof(EMBER_NOTE_NAME) &&
		    memcmp(base + name, EMBER_NOTE_NAME,
			   sizeof(EMBER_NOTE_NAME)) == 0) {
			*descsz = nh.n_descsz;
			return (int64_t)(off + desc);
		}
		pos = desc + align_up(nh.n_descsz, align);
		if (pos > size)
			break; /* the last note's padding may be cut off */
	}
	return -1;
}

static int64_t find_in_segments(struct loader *ld, uint32_t *descsz)
{
	for (size_t i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *ph = &ld->phdr[i];
		int64_t r;

		if (ph->p_type != PT_NOTE)
			continue;
		/* load_segments() checked the range against the file. */
		r = find_in_notes(ld->img, ph->p_offset, ph->p_filesz,
				  ph->p_align == 8 ? 8 : 4, descsz);
		if (r != -1)
			return r;
	}
	return -1;
}

static int64_t find_in_sections(struct loader *ld, uint32_t *descsz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(ld->elf, &shstrndx) != 0)
		return -1; /* no section names */
	while ((scn = elf_nextscn(ld->elf, scn)) != NULL) {
		const Elf64_Shdr *sh = elf64_getshdr(scn);
		const char *name;

		if (!sh || sh->sh_type != SHT_NOTE)
			continue;
		name = elf_strptr(ld->elf, shstrndx, sh->sh_name);
		if (!name || strcmp(name, ".note.ember") != 0)
			continue;
		/* check_sections() checked the range against the file. */
		return find_in_notes(ld->img, sh->sh_offset, sh->sh_size,
				     sh->sh_addralign == 8 ? 8 : 4, descsz);
	}
	return -1;
}

/* [addr, addr + len) lies in one segment with permission flag. */
static int in_segment(const struct image *img, uint64_t addr, uint64_t len,
		      uint32_t flag)
{
	const struct image_segment *s = image_segment_at(img, addr, len);

	return s && (s->flags & flag);
}

static int check_mem_default(struct loader *ld, uint64_t m)
{
	if (m == 0)
		return 0;
	if (m < EMBER_MEM_MIN || m > EMBER_MEM_MAX || m % EMBER_PAGE_SIZE)
		return image_fail(ld,
				  "manifest default memory %llu bytes is "
				  "not a page multiple within 4M..8G; "
				  "rebuild the image with ember-cc",
				  (unsigned long long)m);
	return 0;
}

static int check_addresses(struct loader *ld, const struct ember_manifest *m)
{
	const struct image *img = ld->img;
	uint64_t top = m->trap_stack_top;

	if (!in_segment(img, m->trap_entry,
			EMBER_TRAP_VECTORS * EMBER_TRAP_STUB_SIZE, PF_X))
		return image_fail(ld,
				  "manifest trap_entry 0x%llx: the %u "
				  "trap stubs are not inside an executable "
				  "segment; link it with ember-cc",
				  (unsigned long long)m->trap_entry,
				  EMBER_TRAP_VECTORS);
	if (top % 16 || top < TRAP_FRAME_MIN ||
	    !in_segment(img, top - TRAP_FRAME_MIN, TRAP_FRAME_MIN, PF_W))
		return image_fail(ld,
				  "manifest trap_stack_top 0x%llx is not "
				  "the 16-byte aligned top of a stack in a "
				  "writable segment; link it with ember-cc",
				  (unsigned long long)top);
	if (!in_segment(img, m->guest_stats, sizeof(struct ember_guest_stats),
			PF_W))
		return image_fail(ld,
				  "manifest guest_stats 0x%llx is not "
				  "inside a writable segment; link it with "
				  "ember-cc",
				  (unsigned long long)m->guest_stats);
	return 0;
}

static int check_args(struct loader *ld, const struct ember_manifest *m)
{
	if (m->args_len > EMBER_MANIFEST_ARGS_MAX)
		return image_fail(ld,
				  "manifest args_len %u is larger than %u; "
				  "rebuild the image with ember-cc",
				  m->args_len, EMBER_MANIFEST_ARGS_MAX);
	if (m->args_len && m->args[m->args_len - 1] != '\0')
		return image_fail(ld, "manifest default arguments are not "
				      "NUL-terminated; rebuild the image with "
				      "ember-cc");
	return 0;
}

static int check_manifest(struct loader *ld, int64_t off, uint32_t descsz)
{
	struct ember_manifest *m = &ld->img->manifest;
	uint32_t abi;

	/* The ABI version first: another version may have another size. */
	if (descsz >= sizeof(abi)) {
		memcpy(&abi, ld->img->data + off, sizeof(abi));
		if (abi != EMBER_ABI_VERSION)
			return image_fail(ld,
					  "was built for Ember ABI %u, this "
					  "ember-vmm speaks %u: rebuild the "
					  "image with this ember-cc",
					  abi, EMBER_ABI_VERSION);
	}
	if (descsz != sizeof(*m))
		return image_fail(ld,
				  "has a manifest of %u bytes, expected "
				  "%zu; rebuild the image with this "
				  "ember-cc",
				  descsz, sizeof(*m));
	memcpy(m, ld->img->data + off, sizeof(*m));
	if (check_mem_default(ld, m->mem_default) < 0 ||
	    check_addresses(ld, m) < 0)
		return -1;
	return check_args(ld, m);
}

int image_load_manifest(struct loader *ld)
{
	uint32_t descsz = 0;
	int64_t off = find_in_segments(ld, &descsz);

	if (off == -1)
		off = find_in_sections(ld, &descsz);
	if (off == MF_BAD)
		return image_fail(ld, "has a malformed ELF note; link it with "
				      "ember-cc");
	if (off < 0)
		return image_fail(ld, "has no Ember manifest (ELF note "
				      "\"EMBER\"); link it with ember-cc");
	return check_manifest(ld, off, descsz);
}
