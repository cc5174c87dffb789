/*
 * mkseeds DIR: write hand-made seed inputs for the fuzz harnesses into
 * DIR/image, DIR/hypercall, DIR/virtio and DIR/mmio_decode: small valid
 * images (so the fuzzer starts past the ELF and manifest checks), one
 * call of each hypercall with a valid argument struct, a driver that
 * sets the device up and moves frames both ways, and the register
 * accesses the runtime makes. make fuzz-seeds merges them into
 * tests/fuzz/corpus; they are how that corpus was started.
 *
 * The input formats are the harnesses' (see the comment at the top of
 * each fuzz_NAME.c).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ember/abi.h"

static const char *outdir;

static void save(const char *sub, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- images ------------------------------------------------------- */
/* A compact image: p_align 1 lets file offsets differ from addresses,
 * so the file is about 2 KiB while the segments stay page aligned. */
#define BASE	 EMBER_IMAGE_BASE
#define TEXT	 (BASE + 0x1000)
#define DATA	 (BASE + 0x2000)
#define NPH	 4
#define NOTE_OFF (sizeof(Elf64_Ehdr) + NPH * sizeof(Elf64_Phdr))
#define NOTE_SZ	 (sizeof(Elf64_Nhdr) + 8 + sizeof(struct ember_manifest))
/* Symbols and section headers must be 8-byte aligned in the file. */
#define TEXT_OFF ((NOTE_OFF + NOTE_SZ + 7) & ~(size_t)7)
#define SYM_OFF	 (TEXT_OFF + 32)
#define NSYM	 4
#define STR_OFF	 (SYM_OFF + NSYM * sizeof(Elf64_Sym))
#define SHS_OFF	 (STR_OFF + 32)
#define SH_OFF	 (SHS_OFF + 48)
#define NSEC	 5
#define IMG_SIZE (SH_OFF + NSEC * sizeof(Elf64_Shdr))

static uint8_t img[IMG_SIZE];

static void put(size_t off, const void *p, size_t n)
{
	memcpy(img + off, p, n);
}

static void image_headers(int pt_note)
{
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = EM_X86_64,
			 .e_version = EV_CURRENT,
			 .e_entry = TEXT,
			 .e_phoff = sizeof(Elf64_Ehdr),
			 .e_shoff = SH_OFF,
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = NPH,
			 .e_shentsize = sizeof(Elf64_Shdr),
			 .e_shnum = NSEC,
			 .e_shstrndx = 4};
	Elf64_Phdr ph[NPH] = {
	    {PT_LOAD, PF_R, 0, BASE, BASE, TEXT_OFF, TEXT_OFF, 1},
	    {PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT, TEXT, 32, 0x1000, 1},
	    {PT_LOAD, PF_R | PF_W, SYM_OFF, DATA, DATA, 16, 0x3000, 1},
	    {pt_note ? PT_NOTE : PT_NULL, PF_R, NOTE_OFF, BASE + NOTE_OFF,
	     BASE + NOTE_OFF, NOTE_SZ, NOTE_SZ, 4},
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	put(0, &eh, sizeof(eh));
	put(sizeof(eh), ph, sizeof(ph));
}

static void image_note(void)
{
	Elf64_Nhdr nh = {sizeof(EMBER_NOTE_NAME), sizeof(struct ember_manifest),
			 EMBER_NOTE_MANIFEST};
	struct ember_manifest mf = {.abi_version = EMBER_ABI_VERSION,
				    .flags = EMBER_MF_NET_REQUIRED,
				    .mem_default = 8ull << 20,
				    .trap_entry = TEXT + 0x400,
				    .trap_stack_top = DATA + 0x3000,
				    .guest_stats = DATA + 0x100,
				    .args_len = 8};

	memcpy(mf.args, "one\0two\0", 8);
	put(NOTE_OFF, &nh, sizeof(nh));
	put(NOTE_OFF + sizeof(nh), EMBER_NOTE_NAME, sizeof(EMBER_NOTE_NAME));
	put(NOTE_OFF + sizeof(nh) + 8, &mf, sizeof(mf));
}

static Elf64_Sym sym(uint32_t name, uint64_t va, uint64_t size)
{
	Elf64_Sym s = {.st_name = name,
		       .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
		       .st_shndx = 2,
		       .st_value = va,
		       .st_size = size};
	return s;
}

static void image_sections(void)
{
	static const char str[] = "\0main\0abort\0_start";
	static const char shs[] = "\0.note.ember\0.symtab\0.strtab\0.shstrtab";
	Elf64_Sym syms[NSYM] = {
	    {0}, sym(1, TEXT, 16), sym(6, TEXT + 16, 0), sym(12, TEXT + 8, 8)};
	Elf64_Shdr sh[NSEC] = {
	    {0},
	    {1, SHT_NOTE, SHF_ALLOC, BASE + NOTE_OFF, NOTE_OFF, NOTE_SZ, 0, 0,
	     4, 0},
	    {13, SHT_SYMTAB, 0, 0, SYM_OFF, sizeof(syms), 3, 1, 8,
	     sizeof(Elf64_Sym)},
	    {21, SHT_STRTAB, 0, 0, STR_OFF, sizeof(str), 0, 0, 1, 0},
	    {29, SHT_STRTAB, 0, 0, SHS_OFF, sizeof(shs), 0, 0, 1, 0},
	};

	memset(img + TEXT_OFF, 0xc3, 32); /* ret */
	put(SYM_OFF, syms, sizeof(syms));
	put(STR_OFF, str, sizeof(str));
	put(SHS_OFF, shs, sizeof(shs));
	put(SH_OFF, sh, sizeof(sh));
}

static void images(void)
{
	image_headers(1);
	image_note();
	image_sections();
	save("image", "seed-valid", img, IMG_SIZE);
	/* Without section headers: no symbols, the note by PT_NOTE. */
	memset(img + 40, 0, 8); /* e_shoff */
	memset(img + 60, 0, 4); /* e_shnum, e_shstrndx */
	save("image", "seed-no-sections", img, SH_OFF);
	/* The note found through the .note.ember section only. */
	image_headers(0);
	save("image", "seed-note-section", img, IMG_SIZE);
}

/* ---- hypercall and virtio command streams -------------------------- */
static uint8_t buf[4096];
static size_t len;

static void emit(const void *p, size_t n)
{
	memcpy(buf + len, p, n);
	len += n;
}

static void u8(uint8_t v)
{
	emit(&v, 1);
}

static void u16(uint16_t v)
{
	emit(&v, 2);
}

/* fuzz_hypercall: write struct s at base sel + off, then call port. */
static void hc(uint8_t port, uint8_t sel, uint16_t off, const void *s,
	       uint16_t n)
{
	u8(0); /* OP_WRITE */
	u8(sel);
	u16(off);
	u16(n);
	emit(s, n);
	u8(1); /* OP_HYPERCALL */
	u8(port);
	u8(sel);
	u16(off);
}

static void hc_seed(const char *name, uint8_t port, const void *s, uint16_t n)
{
	len = 0;
	u8(0);
	hc(port, 2, 0x40, s, n); /* in the data segment */
	save("hypercall", name, buf, len);
}

static void hypercalls(void)
{
	const uint64_t data = EMBER_IMAGE_BASE + 0x10000;
	struct ember_hc_console con = {data, 4, 1, 0, 0};
	struct ember_hc_exit ex = {3, 0};
	struct ember_hc_block bl = {0, 0};
	struct ember_hc_protect pr = {data + 0x11000, 0x2000, 0, 0, 0};
	struct ember_hc_fs_base fs = {data, 0};
	struct ember_hc_crash cr = {.vector = 14, .nframes = 2};

	hc_seed("seed-console", 0, &con, sizeof(con));
	hc_seed("seed-exit", 1, &ex, sizeof(ex));
	hc_seed("seed-block", 2, &bl, sizeof(bl));
	hc_seed("seed-protect", 3, &pr, sizeof(pr));
	hc_seed("seed-fs-base", 5, &fs, sizeof(fs));
	cr.regs.rip = EMBER_IMAGE_BASE + 0x110;
	cr.regs.rsp = data + 0x800;
	cr.frames[0] = EMBER_IMAGE_BASE + 0x120;
	cr.frames[1] = EMBER_IMAGE_BASE + 0x810;
	hc_seed("seed-crash-pf", 4, &cr, sizeof(cr));
	cr.vector = EMBER_CRASH_ABORT;
	cr.error_code = 6; /* SIGABRT */
	hc_seed("seed-crash-abort", 4, &cr, sizeof(cr));
}

static void virtio(void)
{
	/* Handshake with every feature, queues of 8; a TX frame; kick. */
	uint8_t frame[12 + 60] = {0};

	len = 0;
	u8(9);	  /* OP_HANDSHAKE */
	u8(7);	  /* VERSION_1, MAC, EVENT_IDX */
	u8(0x33); /* both queues 1 << 3 */
	/* TX: descriptor 0 -> buffer at heap + 0x10000, offered. */
	u8(7); /* OP_DESC */
	u8(1);
	u8(0);
	u8(1); /* gpa base: heap + 0x10000 */
	u16(0);
	u16(sizeof(frame));
	u8(0);
	u8(0);
	u8(2); /* OP_MEM_WRITE the frame there */
	u8(1);
	u16(0);
	u16(sizeof(frame));
	memset(frame + 12, 0xff, 6); /* broadcast */
	emit(frame, sizeof(frame));
	u8(8); /* OP_OFFER */
	u8(1);
	u16(0);
	u8(5); /* OP_NOTIFY TX */
	u8(1);
	u8(6); /* OP_HOST_DRAIN */
	/* RX: a buffer of 1526 bytes, then a frame from the host, block. */
	u8(7);
	u8(0);
	u8(0);
	u8(1);
	u16(0x800);
	u16(1526);
	u8(2); /* VRING_DESC_F_WRITE */
	u8(0);
	u8(8);
	u8(0);
	u16(0);
	u8(3); /* OP_HOST_FRAME */
	u16(sizeof(frame));
	emit(frame, sizeof(frame));
	u8(4); /* OP_BLOCK, timeout 0 */
	u8(0);
	save("virtio", "seed-tx-rx", buf, len);
	/* The same, read back through the registers. */
	for (uint16_t off = 0; off < 0x110; off += 4) {
		u8(1); /* OP_MMIO_READ */
		u16(off);
		u8(0);
		emit("\0\0\0\0", 4);
	}
	save("virtio", "seed-tx-rx-regs", buf, len);
}

/* The runtime's accessors and a few other forms the decoder takes:
 * AVAIL, 15 code bytes, 16 registers (rdi = the window), a load value. */
static void mmio_decode(void)
{
	static const struct {
		const char *name;
		uint8_t code[8];
		uint8_t len;
	} insns[] = {
	    {"seed-load32", {0x8b, 0x07}, 2},	    /* mov (%rdi),%eax */
	    {"seed-store32", {0x89, 0x37}, 2},	    /* mov %esi,(%rdi) */
	    {"seed-movzbl", {0x0f, 0xb6, 0x07}, 3}, /* movzbl (%rdi) */
	    {"seed-sib", {0x48, 0x8b, 0x44, 0x8f, 0x10}, 5}, /* mov 16(,4) */
	    {"seed-imm32", {0xc7, 0x47, 0x70, 1, 0, 0, 0}, 7},
	    {"seed-store16", {0x66, 0x89, 0x07}, 3},
	};
	uint64_t regs[16] = {0};

	regs[7] = EMBER_NET_MMIO_GPA;
	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		uint8_t code[15] = {0};

		len = 0;
		u8(insns[i].len);
		memcpy(code, insns[i].code, insns[i].len);
		emit(code, sizeof(code));
		emit(regs, sizeof(regs));
		emit("\x01\0\0\0\0\0\0\0", 8);
		save("mmio_decode", insns[i].name, buf, len);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	images();
	hypercalls();
	virtio();
	mmio_decode();
	return 0;
}
