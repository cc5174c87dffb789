/*
 * oom: allocates 1 MiB blocks until malloc returns NULL, and handles it:
 * frees everything, checks that allocation works again, and exits 0.
 * Memory exhaustion must be an ordinary ENOMEM inside the app, never a
 * crash or silent corruption, so every block is filled and re-checked.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (1u << 20)
/* Stop if malloc never fails: fixed guest memory is far below this. */
#define MAX_BLOCKS (64u * 1024u)

struct block {
	struct block *next;
	unsigned long index;
};

static int block_ok(const struct block *b)
{
	const unsigned char *p = (const unsigned char *)b;
	unsigned char want = (unsigned char)b->index;

	for (size_t i = sizeof(*b); i < BLOCK; i += 4096)
		if (p[i] != want)
			return 0;
	return 1;
}

int main(void)
{
	struct block *head = NULL;
	unsigned long n = 0;

	for (; n < MAX_BLOCKS; n++) {
		struct block *b = malloc(BLOCK);
		if (!b)
			break;
		/* Touch every page: memory handed out must really exist. */
		memset(b, (unsigned char)n, BLOCK);
		b->index = n;
		b->next = head;
		head = b;
	}
	if (n == MAX_BLOCKS) {
		printf("oom: malloc never failed (%lu MiB)\n", n);
		return 1;
	}
	int err = errno;
	unsigned long bad = 0;
	while (head) {
		struct block *next = head->next;
		bad += !block_ok(head);
		free(head);
		head = next;
	}
	if (bad) {
		printf("oom: %lu blocks corrupted\n", bad);
		return 1;
	}
	if (err != ENOMEM) {
		printf("oom: errno %d after malloc failed, expected ENOMEM\n",
		       err);
		return 1;
	}
	void *again = malloc(BLOCK);
	if (!again) {
		printf("oom: malloc still fails after freeing everything\n");
		return 1;
	}
	free(again);
	printf("oom: malloc failed after %lu MiB, handled\n", n);
	return 0;
}
