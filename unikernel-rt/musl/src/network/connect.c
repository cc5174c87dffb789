/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __syscall_ret(
	    ember_net_syscall(SYS_connect, fd, (long)addr, len, 0, 0, 0));
}
