/* Ember: a call into the runtime's network module (unikernel-rt/net),
 * not a system call; this reference is what links the module into an
 * image. */
#include "syscall.h"
#include <sys/socket.h>

long ember_net_syscall(long, long, long, long, long, long, long);

/* recvmmsg.c uses this; SCM_TIMESTAMP is the kernel's own on x86_64,
 * so there is nothing to convert. */
hidden void __convert_scm_timestamps(struct msghdr *, socklen_t);

void __convert_scm_timestamps(struct msghdr *msg, socklen_t csize)
{
	(void)msg;
	(void)csize;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	return __syscall_ret(
	    ember_net_syscall(SYS_recvmsg, fd, (long)msg, flags, 0, 0, 0));
}
