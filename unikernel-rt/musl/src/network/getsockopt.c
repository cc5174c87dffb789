/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

int getsockopt(int fd, int level, int optname, void *restrict optval,
	       socklen_t *restrict optlen)
{
	return __syscall_ret(ember_net_syscall(
	    SYS_getsockopt, fd, level, optname, (long)optval, (long)optlen, 0));
}
