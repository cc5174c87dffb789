/*
 * lwIP configuration for Ember images (lwIP 2.1.x, Debian's source).
 *
 * One cooperative vCPU (DESIGN decision 8): lwIP runs with an OS layer
 * (NO_SYS=0) so its sockets API and tcpip thread exist, but every lock
 * is uncontended unless a thread blocks while holding it, and
 * SYS_ARCH_PROTECT is a no-op. Sockets are always used non-blocking
 * underneath: the runtime's socket layer (unikernel-rt/net/) implements
 * blocking, timeouts and poll/epoll itself, so lwIP's own
 * SO_RCVTIMEO/SO_SNDTIMEO are not compiled in.
 *
 * Memory comes from musl's malloc (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC):
 * no fixed pools to size, so connection counts are limited by --mem.
 * Tuned for throughput: full-size segments, large windows with window
 * scaling, a send buffer that keeps a fast link busy.
 */
#ifndef EMBER_LWIPOPTS_H
#define EMBER_LWIPOPTS_H

/* ---- OS layer --------------------------------------------------------- */
#define NO_SYS			      0
#define SYS_LIGHTWEIGHT_PROT	      0 /* cooperative: nothing preempts */
#define LWIP_TCPIP_CORE_LOCKING	      1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0 /* input runs in the tcpip thread */
#define LWIP_NETCONN_SEM_PER_THREAD   0
#define LWIP_NETCONN_FULLDUPLEX	      0
#define TCPIP_THREAD_NAME	      "tcpip"
#define TCPIP_THREAD_STACKSIZE	      (64 * 1024)
#define TCPIP_THREAD_PRIO	      1
#define DEFAULT_THREAD_STACKSIZE      (64 * 1024)
/* Mailbox capacities: our mailboxes grow on demand up to these. */
#define TCPIP_MBOX_SIZE		  4096
#define DEFAULT_TCP_RECVMBOX_SIZE 512
#define DEFAULT_UDP_RECVMBOX_SIZE 256
#define DEFAULT_RAW_RECVMBOX_SIZE 64
#define DEFAULT_ACCEPTMBOX_SIZE	  1024

/* The core lock: a cooperative mutex (sys_arch.c). */
void ember_lwip_core_lock(void);
void ember_lwip_core_unlock(void);
#define LOCK_TCPIP_CORE()   ember_lwip_core_lock()
#define UNLOCK_TCPIP_CORE() ember_lwip_core_unlock()
/* Known to on_demand_timers.c, which must tell it from other threads. */
void ember_lwip_mark_tcpip_thread(void);
#define LWIP_MARK_TCPIP_THREAD() ember_lwip_mark_tcpip_thread()

/* ---- Memory ------------------------------------------------------------ */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_USE_POOLS	0
#define MEM_ALIGNMENT	8
/* Per-type limits only matter for sanity checks with MEMP_MEM_MALLOC;
 * sockets are an array of MEMP_NUM_NETCONN entries (one per socket). */
#define MEMP_NUM_NETCONN	4096
#define MEMP_NUM_TCP_PCB	4096
#define MEMP_NUM_UDP_PCB	1024
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_TCP_SEG	8192
#define MEMP_NUM_NETBUF		1024
#define MEMP_NUM_PBUF		1024
#define PBUF_POOL_SIZE		1024

/* ---- Protocols ---------------------------------------------------------- */
#define LWIP_IPV4			   1
#define LWIP_IPV6			   0
#define LWIP_ARP			   1
#define LWIP_ETHERNET			   1
#define ARP_QUEUEING			   1
#define ARP_QUEUE_LEN			   16
#define ETHARP_SUPPORT_STATIC_ENTRIES	   0
#define LWIP_ICMP			   1
#define LWIP_RAW			   0
#define LWIP_IGMP			   0
#define LWIP_UDP			   1
#define LWIP_UDPLITE			   0
#define LWIP_TCP			   1
#define IP_REASSEMBLY			   1
#define IP_FRAG				   1
#define IP_REASS_MAX_PBUFS		   64
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

#define LWIP_DHCP		   1
#define DHCP_DOES_ARP_CHECK	   0 /* saves ~1 s of boot per lease */
#define LWIP_DNS		   1 /* only to learn DNS servers from DHCP */
#define DNS_MAX_SERVERS		   4 /* EMBER_NET_MAX_DNS */
#define LWIP_NETIF_HOSTNAME	   1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LOOPBACK	   1 /* the guest talking to itself */
#define LWIP_HAVE_LOOPIF	   1 /* 127.0.0.1 */
#define LWIP_LOOPBACK_MAX_PBUFS	   0

/* ---- TCP tuning ------------------------------------------------------- */
#define TCP_MSS		 1460
#define LWIP_WND_SCALE	 1
#define TCP_RCV_SCALE	 2 /* windows up to 256 KiB */
#define TCP_WND		 (128 * 1024)
#define TCP_SND_BUF	 (128 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
/* Writable again (POLLOUT) once this much send buffer is free. */
#define TCP_SNDLOWAT		   (32 * 1024)
#define TCP_QUEUE_OOSEQ		   1
#define TCP_LISTEN_BACKLOG	   1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define LWIP_TCP_KEEPALIVE	   1
/* TIME_WAIT lasts 2 * TCP_MSL: 60 s, as on Linux (lwIP's default is
 * 2 min), during which lwIP's TCP timer wakes the guest 4 times a
 * second. */
#define TCP_MSL		      30000UL
#define LWIP_CHECKSUM_ON_COPY 1
/* Unpredictable initial sequence numbers (lwIP's own is a counter). */
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) ember_lwip_rand()
#define TCP_OVERSIZE				  TCP_MSS
/* A SYN that finds a listener's backlog full evicts its oldest half-open
 * connection (tcp_listen_hook.c): a SYN flood cannot lock clients out. */
struct tcp_pcb;
struct tcp_hdr;
signed char ember_lwip_tcp_inpacket(struct tcp_pcb *pcb,
				    const struct tcp_hdr *hdr);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p)         \
	ember_lwip_tcp_inpacket(pcb, hdr)
/* Software checksums both ways (no offloads are negotiated). */
#define CHECKSUM_GEN_IP	    1
#define CHECKSUM_GEN_UDP    1
#define CHECKSUM_GEN_TCP    1
#define CHECKSUM_GEN_ICMP   1
#define CHECKSUM_CHECK_IP   1
#define CHECKSUM_CHECK_UDP  1
#define CHECKSUM_CHECK_TCP  1
#define CHECKSUM_CHECK_ICMP 1

/* ---- APIs --------------------------------------------------------------- */
#define LWIP_NETCONN		    1
#define LWIP_SOCKET		    1
#define LWIP_COMPAT_SOCKETS	    0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET	    0 /* indices are private to unikernel-rt/net */
/* The counters rcvevent/sendevent/errevent that the runtime's poll
 * reads exist with either; lwip_poll is the smaller of the two. */
#define LWIP_SOCKET_SELECT 0
#define LWIP_SOCKET_POLL   1
#define LWIP_SO_RCVTIMEO   0 /* timeouts are the runtime's */
#define LWIP_SO_SNDTIMEO   0
#define LWIP_SO_RCVBUF	   1
#define LWIP_SO_LINGER	   0
#define SO_REUSE	   1
/* FIONREAD as Linux: TCP bytes queued (needs LWIP_SO_RCVBUF), UDP the
 * size of the next datagram. */
#define LWIP_FIONREAD_LINUXMODE 1
#define LWIP_TIMEVAL_PRIVATE	0
/* Linux's socket ABI on both sides (posix/sockets.h says why). */
#define LWIP_SOCKET_EXTERNAL_HEADERS	      1
#define LWIP_SOCKET_EXTERNAL_HEADER_SOCKETS_H "posix/sockets.h"
#define LWIP_SOCKET_EXTERNAL_HEADER_INET_H    "posix/inet.h"
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1
#define LWIP_NETIF_API			      0

/* ---- Diagnostics ---------------------------------------------------- */
#define LWIP_STATS	   0
#define LWIP_STATS_DISPLAY 0

#endif
