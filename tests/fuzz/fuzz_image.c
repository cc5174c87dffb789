/*
 * libFuzzer harness for the image loader: the input is an image file.
 * It goes through exactly what ember-vmm does before it creates a VM
 * (image_load: ELF header, program and section headers, segments,
 * manifest note; the network flag; layout_compute; image_copy
 * into guest memory; the boot info with the manifest's default
 * arguments) and what ember-inspect does (its main(), text and JSON,
 * compiled in as ember_inspect_main), then symbolises a few addresses
 * like a crash report would (the first one reads the symbol table).
 *
 * The bytes are written to a memfd and loaded by path
 * (/proc/self/fd/N), so the loader's own open/fstat/read path runs too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core.h"
#include "fuzz_input.h"

int ember_inspect_main(int argc, char **argv);
extern int optind;

static int memfd = -1;
static char path[64];

/* ember-vmm's backend as far as bootinfo_write asks: its name. */
static const struct backend_ops fake_backend = {.name = "process"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_by_default(argc, argv);
	memfd = memfd_create("ember-fuzz-image", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void put_file(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(memfd, 0) < 0)
		abort();
	while (done < size) {
		ssize_t n =
		    pwrite(memfd, data + done, size - done, (off_t)done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
}

static void inspect(int json)
{
	char *argv[] = {"ember-inspect", json ? "--json" : path,
			json ? path : NULL, NULL};

	optind = 0; /* glibc: reinitialise getopt for each run */
	ember_inspect_main(json ? 3 : 2, argv);
}

/* What ember-vmm's load() does once the layout fits: segments and boot
 * info into fresh guest memory. Only for small memory sizes, so that a
 * run stays fast; larger layouts are checked by layout_compute alone. */
static void load(struct vm *vm)
{
	char *margs[EMBER_MANIFEST_ARGS_MAX];
	size_t nargs;
	void *m = mmap(NULL, vm->layout.mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		abort();
	vm->mem.base = m;
	vm->mem.size = vm->layout.mem_size;
	nargs =
	    manifest_args(&vm->img.manifest, margs, EMBER_MANIFEST_ARGS_MAX);
	image_copy(&vm->img, vm->mem.base);
	bootinfo_write(vm, margs, nargs, 1, 1000000);
	munmap(m, vm->layout.mem_size);
	vm->mem.base = NULL;
}

static void symbolize(const struct image *img)
{
	const uint64_t probes[] = {
	    img->entry,	  img->entry + 1,	    img->start,
	    img->end - 1, img->manifest.trap_entry, 0};
	uint64_t off;

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		image_symbolize(img, probes[i], &off);
	/* The probes read the symbols (img->symbols) if there are any. */
	for (size_t i = 0; img->symbols && i < img->symbols->n; i++)
		image_symbolize(img,
				img->symbols->syms[i].addr +
				    img->symbols->syms[i].size,
				&off);
	image_symbol_addr(img, "main");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct options opt;
	static struct vm vm;
	char err[512];
	const uint64_t sizes[] = {EMBER_MEM_MIN, 16ull << 20, EMBER_MEM_DEFAULT,
				  EMBER_MEM_MAX};

	put_file(data, size);
	memset(&vm, 0, sizeof(vm));
	vm.opt = &opt;
	vm.be = &fake_backend;
	if (image_load(path, &vm.img, err, sizeof(err)) < 0) {
		/* A rejection is one line without a newline. */
		if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (vm.img.manifest.mem_default &&
	    layout_compute(&vm.img, vm.img.manifest.mem_default, &vm.layout) ==
		0 &&
	    vm.layout.mem_size <= (16ull << 20))
		load(&vm);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (layout_compute(&vm.img, sizes[i], &vm.layout) == 0 &&
		    sizes[i] <= (16ull << 20))
			load(&vm);
	symbolize(&vm.img);
	image_free(&vm.img);
	inspect(0);
	inspect(1);
	return 0;
}
