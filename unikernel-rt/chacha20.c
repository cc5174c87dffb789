/*
 * The ChaCha20 block function (D. J. Bernstein; RFC 8439 section 2.3),
 * for the runtime's fallback random generator.
 */
#include <string.h>

#include "rt.h"

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b;                                                        \
		d = ROTL(d ^ a, 16);                                           \
		c += d;                                                        \
		b = ROTL(b ^ c, 12);                                           \
		a += b;                                                        \
		d = ROTL(d ^ a, 8);                                            \
		c += d;                                                        \
		b = ROTL(b ^ c, 7);                                            \
	} while (0)

void ember_chacha20_block(const uint32_t key[8], const uint32_t ctr_nonce[4],
			  uint8_t out[64])
{
	/* "expand 32-byte k" */
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	uint32_t x[16];

	memcpy(in + 4, key, 32);
	memcpy(in + 12, ctr_nonce, 16);
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]); /* columns */
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]); /* diagonals */
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		/* little-endian serialisation (x86 is little-endian) */
		memcpy(out + 4 * i, &v, 4);
	}
}
