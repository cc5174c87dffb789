/*
 * The socket system calls. musl's socket wrappers are replaced
 * (unikernel-rt/musl/src/network/) by calls to ember_net_syscall: that
 * strong reference is what links this module and lwIP into an image;
 * syscall.c sends the same numbers here through a weak reference, so an
 * image without sockets stays small and gets -ENOSYS.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "sock.h"

/* Not from syscalls.h, which declares it weak for syscall.c. */
long ember_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
		       long a6);

#define P(x) ((void *)(x))

long ember_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
		       long a6)
{
	socklen_t len = (socklen_t)a3;

	switch (n) {
	case SYS_socket:
		return ember_sock_socket(a1, a2, a3);
	case SYS_socketpair:
		return ember_sock_socketpair(a1, a2, a3, P(a4));
	case SYS_bind:
		return ember_sock_bind(a1, P(a2), len);
	case SYS_listen:
		return ember_sock_listen(a1, a2);
	case SYS_accept:
		return ember_sock_accept4(a1, P(a2), P(a3), 0);
	case SYS_accept4:
		return ember_sock_accept4(a1, P(a2), P(a3), a4);
	case SYS_connect:
		return ember_sock_connect(a1, P(a2), len);
	case SYS_sendto:
		return ember_sock_sendto(a1, P(a2), (size_t)a3, a4, P(a5),
					 (socklen_t)a6);
	case SYS_recvfrom:
		return ember_sock_recvfrom(a1, P(a2), (size_t)a3, a4, P(a5),
					   P(a6));
	case SYS_sendmsg:
		return ember_sock_sendmsg_fd(a1, P(a2), a3);
	case SYS_recvmsg:
		return ember_sock_recvmsg_fd(a1, P(a2), a3);
	case SYS_sendmmsg:
		return ember_sock_sendmmsg(a1, P(a2), (unsigned)a3, a4);
	case SYS_recvmmsg:
		return ember_sock_recvmmsg(a1, P(a2), (unsigned)a3, a4, P(a5));
	case SYS_shutdown:
		return ember_sock_shutdown(a1, a2);
	case SYS_setsockopt:
		return ember_sock_setsockopt(a1, a2, a3, P(a4), (socklen_t)a5);
	case SYS_getsockopt:
		return ember_sock_getsockopt(a1, a2, a3, P(a4), P(a5));
	case SYS_getsockname:
		return ember_sock_name(a1, P(a2), P(a3), 0);
	case SYS_getpeername:
		return ember_sock_name(a1, P(a2), P(a3), 1);
	default:
		return -ENOSYS;
	}
}
