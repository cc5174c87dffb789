/*
 * The network module's internal interfaces (unikernel-rt/net/).
 *
 *   virtq.c, virtio_mmio.c, virtio_net.c   the device (vnet.h)
 *   netif.c        lwIP's view of the device; receive processing; the
 *                  scheduler's idle and poll hooks
 *   net_start.c    bringing the stack up before main (static or DHCP)
 *   net_files.c    /etc/resolv.conf and /etc/hosts
 *   net_exit.c     delivering queued data when the program exits
 *   sock_*.c       the socket system calls on lwIP's sockets API
 */
#ifndef EMBER_NET_NET_H
#define EMBER_NET_NET_H

#include "ember/abi.h"

struct netif;

/* netif.c: add the virtio netif (lwIP core lock held) and install the
 * scheduler hooks. */
struct netif *ember_netif_add(void);

/* net_start.c: make sure lwIP runs (tcpip thread started). Sockets work
 * on 127.0.0.1 even in a VM without a device. 0 or -errno. */
int ember_net_stack_up(void);

/* net_exit.c: at exit(), let queued TCP data leave first (1 s at most). */
void ember_net_drain_at_exit(void);

/* net_files.c: publish /etc/resolv.conf (the nameservers lwIP knows)
 * and /etc/hosts (localhost, our hostname and address). */
void ember_net_files(struct netif *nif);

#endif
