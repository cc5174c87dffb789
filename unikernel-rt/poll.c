/*
 * poll/ppoll: check every descriptor's readiness; if nothing is ready,
 * wait for the next readiness change anywhere (ember_poll_wait) or the
 * deadline, and check again. Signal masks (ppoll) change nothing: our
 * signals are synchronous, none can arrive while we wait.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

uint64_t ember_deadline_ms(long ms)
{
	if (ms < 0)
		return EMBER_NO_DEADLINE;
	return ember_monotonic_ns() + (uint64_t)ms * 1000000u;
}

int ember_deadline_ts(const struct timespec *ts, uint64_t *deadline)
{
	uint64_t ns, now;
	int r;

	if (!ts) {
		*deadline = EMBER_NO_DEADLINE;
		return 0;
	}
	if (!ember_range_readable(ts, sizeof(*ts)))
		return -EFAULT;
	r = ember_timespec_ns(ts, &ns);
	if (r)
		return r;
	now = ember_monotonic_ns();
	*deadline = ns >= EMBER_NO_DEADLINE - 1 - now ? EMBER_NO_DEADLINE - 1
						      : now + ns;
	return 0;
}

static long scan(struct pollfd *fds, unsigned long n)
{
	long ready = 0;

	for (unsigned long i = 0; i < n; i++) {
		struct ember_file *f;
		unsigned m;

		if (fds[i].fd < 0) {
			fds[i].revents = 0;
			continue;
		}
		f = ember_fd_file(fds[i].fd);
		m = f ? ember_file_readiness(f) : POLLNVAL;
		m &= (unsigned)(unsigned short)fds[i].events | POLLERR |
		     POLLHUP | POLLNVAL;
		fds[i].revents = (short)m;
		ready += m != 0;
	}
	return ready;
}

static long do_poll(struct pollfd *fds, unsigned long n, uint64_t deadline)
{
	if (n > EMBER_MAX_FDS)
		return -EINVAL;
	if (!ember_range_readable(fds, n * sizeof(*fds)))
		return -EFAULT;
	for (;;) {
		long ready = scan(fds, n);

		if (ready)
			return ready;
		if (deadline <= ember_monotonic_ns()) {
			/* A loop of poll(..., 0) must not starve the others
			 * (the network stack among them): nobody preempts it.
			 */
			ember_yield();
			return scan(fds, n);
		}
		switch (ember_poll_wait(deadline)) {
		case -ETIMEDOUT:
			return scan(fds, n);
		case -EINTR: /* pthread_cancel */
			return -EINTR;
		}
	}
}

long ember_sys_poll(struct pollfd *fds, unsigned long n, long timeout_ms)
{
	return do_poll(fds, n, ember_deadline_ms((int)timeout_ms));
}

long ember_sys_ppoll_ts(struct pollfd *fds, unsigned long n,
			const struct timespec *ts)
{
	uint64_t deadline;
	int r = ember_deadline_ts(ts, &deadline);

	return r ? r : do_poll(fds, n, deadline);
}
