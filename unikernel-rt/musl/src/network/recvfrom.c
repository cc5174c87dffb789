/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
		 struct sockaddr *restrict addr, socklen_t *restrict alen)
{
	return __syscall_ret(ember_net_syscall(SYS_recvfrom, fd, (long)buf, len,
					       flags, (long)addr, (long)alen));
}
