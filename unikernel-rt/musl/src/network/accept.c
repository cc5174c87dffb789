/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	return __syscall_ret(
	    ember_net_syscall(SYS_accept4, fd, (long)addr, (long)len, 0, 0, 0));
}
