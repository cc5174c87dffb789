/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

/* One struct timeval layout on x86_64: no time64 fallbacks needed. */
int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	return __syscall_ret(ember_net_syscall(
	    SYS_setsockopt, fd, level, optname, (long)optval, optlen, 0));
}
