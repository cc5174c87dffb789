/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

int socket(int domain, int type, int protocol)
{
	return __syscall_ret(
	    ember_net_syscall(SYS_socket, domain, type, protocol, 0, 0, 0));
}
