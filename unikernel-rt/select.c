/*
 * select/pselect6 on top of the same readiness checks as poll: a closed
 * descriptor in any set is EBADF (as Linux), readable means POLLIN,
 * POLLHUP or POLLERR, writable POLLOUT or POLLERR, exceptional POLLPRI.
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "fd_impl.h"
#include "rt.h"
#include "syscalls.h"

#define IN_SET	(POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define OUT_SET (POLLOUT | POLLWRNORM | POLLERR)
#define EX_SET	POLLPRI

static int check_sets(int n, fd_set *sets[3])
{
	for (int s = 0; s < 3; s++) {
		if (!sets[s])
			continue;
		if (!ember_range_readable(sets[s], sizeof(fd_set)))
			return -EFAULT;
		for (int fd = 0; fd < n; fd++)
			if (FD_ISSET(fd, sets[s]) && !ember_fd_file(fd))
				return -EBADF;
	}
	return 0;
}

static int scan(int n, fd_set *sets[3], fd_set out[3])
{
	static const unsigned want[3] = {IN_SET, OUT_SET, EX_SET};
	int ready = 0;

	for (int s = 0; s < 3; s++)
		FD_ZERO(&out[s]);
	for (int fd = 0; fd < n; fd++) {
		unsigned m = 0;
		int asked = 0;

		for (int s = 0; s < 3; s++)
			asked |= sets[s] && FD_ISSET(fd, sets[s]);
		if (!asked)
			continue;
		m = ember_file_readiness(ember_fd_file(fd));
		for (int s = 0; s < 3; s++) {
			if (sets[s] && FD_ISSET(fd, sets[s]) && (m & want[s])) {
				FD_SET(fd, &out[s]);
				ready++;
			}
		}
	}
	return ready;
}

static long do_select(long n, void *r, void *w, void *e, uint64_t deadline)
{
	fd_set *sets[3] = {r, w, e}, out[3];
	long ready;

	if (n < 0)
		return -EINVAL;
	if (n > FD_SETSIZE)
		n = FD_SETSIZE;
	ready = check_sets((int)n, sets);
	if (ready < 0)
		return ready;
	for (;;) {
		/* Another thread may close a descriptor while we wait. */
		ready = check_sets((int)n, sets);
		if (ready < 0)
			return ready;
		ready = scan((int)n, sets, out);
		if (ready)
			break;
		if (deadline <= ember_monotonic_ns()) {
			ember_yield(); /* as poll.c: no starving the others */
			ready = scan((int)n, sets, out);
			break;
		}
		ready = ember_poll_wait(deadline);
		if (ready == -EINTR) /* pthread_cancel */
			return -EINTR;
		if (ready == -ETIMEDOUT) {
			ready = scan((int)n, sets, out);
			break;
		}
	}
	for (int s = 0; s < 3; s++)
		if (sets[s])
			memcpy(sets[s], &out[s], sizeof(fd_set));
	return ready;
}

long ember_sys_select(long n, void *r, void *w, void *e, struct timeval *tv)
{
	uint64_t deadline = EMBER_NO_DEADLINE, now;
	long ready;

	if (tv) {
		if (!ember_range_readable(tv, sizeof(*tv)))
			return -EFAULT;
		if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
			return -EINVAL;
		deadline = ember_monotonic_ns() +
			   ((uint64_t)tv->tv_sec > UINT32_MAX
				? UINT64_C(1) << 62
				: (uint64_t)tv->tv_sec * 1000000000u +
				      (uint64_t)tv->tv_usec * 1000u);
	}
	ready = do_select(n, r, w, e, deadline);
	if (tv && ready >= 0) { /* Linux leaves the time not slept */
		now = ember_monotonic_ns();
		now = deadline > now ? (deadline - now) / 1000u : 0;
		tv->tv_sec = (time_t)(now / 1000000u);
		tv->tv_usec = (suseconds_t)(now % 1000000u);
	}
	return ready;
}

long ember_sys_pselect6(long n, void *r, void *w, void *e,
			const struct timespec *ts)
{
	uint64_t deadline;
	int rc = ember_deadline_ts(ts, &deadline);

	return rc ? rc : do_select(n, r, w, e, deadline);
}
