/*
 * flood [SECONDS]: transmit as fast as the guest can for SECONDS
 * (default 1): a 256-entry TX queue kept full, a kick for every half
 * ring, used entries reclaimed as the device returns them. Prints how
 * many frames it queued; the monitor must send or drop (and count)
 * every one, and stay responsive to --timeout and SIGTERM throughout.
 */
#include <time.h>

#include "vdev.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9);
	struct vq *tx = vdev_up(QMAX);
	uint64_t queued = 0, kicks = 0;
	uint16_t done = 0; /* used entries reclaimed */

	for (unsigned i = 0; i < QMAX; i++)
		tx->desc[i] =
		    (struct vdesc){.addr = (uintptr_t)frame(i, FRAME_SZ),
				   .len = HDR_LEN + FRAME_SZ};
	while (now_ns() < end) {
		uint16_t used = vq_used_idx(tx);

		done = used;
		/* Fill every free slot, kicking each half ring. */
		while ((uint16_t)(tx->next_avail - done) < QMAX) {
			vq_publish(tx, tx->next_avail % QMAX);
			queued++;
			if (tx->next_avail % (QMAX / 2) == 0) {
				vq_kick(TXQ);
				kicks++;
				break;
			}
		}
		if (rd(R_STATUS) & S_NEEDS_RESET) {
			printf("hostile: flood: the device stopped\n");
			return 4;
		}
	}
	vq_kick(TXQ);
	if (vq_used_idx(tx) != tx->next_avail) {
		printf("hostile: flood: %u frames not returned\n",
		       (unsigned)(uint16_t)(tx->next_avail - vq_used_idx(tx)));
		return 5;
	}
	printf("hostile: flood: %llu frames, %llu kicks\n",
	       (unsigned long long)queued, (unsigned long long)kicks + 1);
	return 0;
}
