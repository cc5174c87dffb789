/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

int socketpair(int domain, int type, int protocol, int fd[2])
{
	return __syscall_ret(ember_net_syscall(SYS_socketpair, domain, type,
					       protocol, (long)fd, 0, 0));
}
