/*
 * lwIP's sockets layer on Linux's (musl's) socket ABI: selected by
 * LWIP_SOCKET_EXTERNAL_HEADERS in lwipopts.h, so struct sockaddr_in,
 * SOL_SOCKET, SO_*, MSG_*, FIONREAD, O_NONBLOCK and errno values are the
 * Linux ones on both sides and the socket syscalls pass arguments
 * through unchanged. (Debian's lwIP has the hooks for this:
 * IPADDR_SOCKADDR_GET_LEN and friends in sockets.c.)
 */
#ifndef EMBER_LWIP_POSIX_INET_H
#define EMBER_LWIP_POSIX_INET_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

#define inet_addr_from_ip4addr(target_inaddr, source_ipaddr)                   \
	((target_inaddr)->s_addr = ip4_addr_get_u32(source_ipaddr))
#define inet_addr_to_ip4addr(target_ipaddr, source_inaddr)                     \
	(ip4_addr_set_u32(target_ipaddr, (source_inaddr)->s_addr))

#endif
