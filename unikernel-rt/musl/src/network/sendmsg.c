/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

/* The runtime takes musl's struct msghdr as it is (int msg_iovlen,
 * padding ignored): no copy as the kernel's ABI needs. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return __syscall_ret(
	    ember_net_syscall(SYS_sendmsg, fd, (long)msg, flags, 0, 0, 0));
}
