/*
 * Shared by the libFuzzer harnesses in tests/fuzz/: reading the fuzzer's
 * bytes as a stream of little-endian fields, and keeping the monitor's
 * one-line messages (it prints one for nearly every hostile input) out
 * of the fuzzer's own output.
 *
 * A read past the end of the input yields zeros, so every byte string is
 * a valid input and the fuzzer never wastes runs on a parse error.
 */
#ifndef EMBER_FUZZ_INPUT_H
#define EMBER_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fin {
	const uint8_t *p;
	size_t left;
};

static inline void fin_bytes(struct fin *in, void *out, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static inline uint8_t fin_u8(struct fin *in)
{
	uint8_t v;

	fin_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fin_u16(struct fin *in)
{
	uint16_t v;

	fin_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fin_u32(struct fin *in)
{
	uint32_t v;

	fin_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fin_u64(struct fin *in)
{
	uint64_t v;

	fin_bytes(in, &v, sizeof(v));
	return v;
}

/*
 * The monitor writes its messages straight to fd 2 (and the console
 * hypercall to fds 1 and 2). Unless the command line says otherwise, ask
 * libFuzzer for -close_fd_mask=3: it then keeps its own output and the
 * sanitizers' reports on a duplicate of stderr and points fds 1 and 2 at
 * /dev/null, so the monitor's output costs nothing and hides nothing.
 * libFuzzer parses the arguments after LLVMFuzzerInitialize, which may
 * change them.
 */
static inline void fuzz_quiet_by_default(int *argc, char ***argv)
{
	static char *args[256];
	static char quiet[] = "-close_fd_mask=3";
	int n = *argc;

	for (int i = 1; i < n; i++)
		if (strncmp((*argv)[i], "-close_fd_mask=", 15) == 0)
			return;
	if (n + 2 > (int)(sizeof(args) / sizeof(args[0])))
		return;
	args[0] = (*argv)[0];
	args[1] = quiet;
	for (int i = 1; i < n; i++)
		args[i + 1] = (*argv)[i];
	args[n + 1] = NULL;
	*argc = n + 1;
	*argv = args;
}

#endif
