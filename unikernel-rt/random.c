/*
 * Randomness: RDRAND when the CPU has it (a few retries, as Intel
 * recommends), else a ChaCha20 keystream keyed with the 32-byte seed the
 * monitor took from the host's getrandom(). The seeded stream also gives
 * AT_RANDOM at boot, with a fixed cost and no dependence on RDRAND.
 */
#include <errno.h>
#include <string.h>

#include "rt.h"
#include "syscalls.h"

#define RDRAND_BIT     (1u << 30) /* CPUID.1:ECX */
#define RDRAND_RETRIES 10

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

static uint32_t key[8];
static uint32_t ctr_nonce[4]; /* 64-bit block counter, zero nonce */
static uint8_t stream[64];
static size_t stream_pos = sizeof(stream);

void ember_random_init(void)
{
	memcpy(key, ember_bi->random_seed, sizeof(key));
}

void ember_seed_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		size_t n;

		if (stream_pos == sizeof(stream)) {
			ember_chacha20_block(key, ctr_nonce, stream);
			if (++ctr_nonce[0] == 0)
				ctr_nonce[1]++;
			stream_pos = 0;
		}
		n = sizeof(stream) - stream_pos;
		if (n > len)
			n = len;
		memcpy(p, stream + stream_pos, n);
		/* Used keystream is erased: it is not handed out twice. */
		memset(stream + stream_pos, 0, n);
		stream_pos += n;
		p += n;
		len -= n;
	}
}

static int rdrand64(uint64_t *out)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		unsigned char ok;

		__asm__ volatile("rdrand %0; setc %1"
				 : "=r"(*out), "=qm"(ok)
				 :
				 : "cc");
		if (ok)
			return 1;
	}
	return 0;
}

void ember_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t w;

	if (!(ember_cpuid1_ecx & RDRAND_BIT)) {
		ember_seed_bytes(buf, len);
		return;
	}
	while (len) {
		size_t n = len < sizeof(w) ? len : sizeof(w);

		if (!rdrand64(&w))
			ember_seed_bytes(&w, sizeof(w));
		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
}

long ember_sys_getrandom(void *buf, size_t len, long flags)
{
	if (flags & ~(long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	/* Linux returns at most 32 MiB - 1 per call. */
	if (len > 0x1ffffff)
		len = 0x1ffffff;
	ember_random_bytes(buf, len);
	return (long)len;
}
