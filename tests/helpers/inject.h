/*
 * inject: hostile frames from the host side of a tap into a guest (see
 * inject.c). Shared by inject.c (the command, random numbers, sending),
 * inject_pkt.c (frame builders, checksums), inject_kinds.c and
 * inject_l4.c (the batches) and inject_tcp.c (a raw TCP client that
 * holds zero-window connections).
 */
#ifndef EMBER_TESTS_INJECT_H
#define EMBER_TESTS_INJECT_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 9216 /* the largest jumbo frame a batch sends */
#define ETH_HLEN_ 14
#define IP_HLEN	  20
#define TCP_HLEN  20
#define UDP_HLEN  8

/* Where frames go and what they pretend to be. Addresses and ports in
 * network byte order. */
struct target {
	int fd;		     /* AF_PACKET socket bound to the tap */
	int ifindex;	     /* the tap's */
	uint8_t host_mac[6]; /* the tap's own (the real peer) */
	uint8_t guest_mac[6];
	uint32_t host_ip, guest_ip;
	uint16_t port;	       /* the guest's TCP server port */
	unsigned rate;	       /* frames per second, 0: no pacing */
	unsigned long sent;    /* frames the kernel accepted */
	unsigned long refused; /* frames the kernel refused (EINVAL...) */
};

/* A frame being built. */
struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

/* inject.c */
void send_frame(struct target *t, const void *buf, size_t len);
uint32_t rnd(void);
void rnd_fill(void *buf, size_t len);
__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);

/* inject_pkt.c: builders write at f->b and set f->len. */
uint16_t csum_fold(uint32_t sum);
uint32_t csum_add(uint32_t sum, const void *buf, size_t len);
void eth_hdr(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
	     uint16_t type);
/* An IPv4 header at offset 14 (options: optlen bytes, a multiple of 4)
 * for a payload of plen bytes; checksum valid. Returns the payload's
 * offset. */
size_t ip_hdr(struct frame *f, uint32_t src, uint32_t dst, uint8_t proto,
	      const uint8_t *opts, size_t optlen, size_t plen);
/* A TCP segment (header + data) at off, checksum valid for src/dst. */
void tcp_seg(struct frame *f, size_t off, uint32_t src, uint32_t dst,
	     uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	     uint8_t flags, uint16_t win, const void *data, size_t dlen);
/* A UDP datagram at off with a valid checksum. */
void udp_dgram(struct frame *f, size_t off, uint32_t src, uint32_t dst,
	       uint16_t sport, uint16_t dport, const void *data, size_t dlen);
/* An ARP packet after an Ethernet header; op 1 request, 2 reply. */
void arp_pkt(struct frame *f, const uint8_t eth_dst[6], const uint8_t sha[6],
	     uint32_t spa, const uint8_t tha[6], uint32_t tpa, uint16_t op);
/* The TCP/UDP checksum of the segment at off (len bytes) for src/dst;
 * the checksum field must be zero. */
uint16_t l4_csum(const struct frame *f, size_t off, size_t len, uint8_t proto,
		 uint32_t src, uint32_t dst);

/* More builders (inject_pkt.c). */
uint32_t rnd_ip(const struct target *t); /* on the guest's /24 or anywhere */
uint16_t rnd_port(void);
void to_guest(struct frame *f, const struct target *t, uint16_t type);
/* A SYN with valid checksums from src:sport to the guest's port, with
 * IP options; returns the TCP header's offset. */
size_t syn_frame(struct frame *f, const struct target *t, uint32_t src,
		 uint16_t sport, const uint8_t *ipopts, size_t ipoptlen);
/* An ICMP echo request with plen bytes of payload; returns its offset. */
size_t ping_frame(struct frame *f, const struct target *t, size_t plen);
/* Recomputes the IPv4 header checksum if the header length is sane. */
void fix_ip_csum(struct frame *f);

/* inject_kinds.c: the batches. */
struct kind {
	const char *name;
	void (*fn)(struct target *t, int n);
};
const struct kind *find_kind(const char *name);

/* inject_l4.c: the batches above the network layer. */
void kind_tcp(struct target *t, int n);
void kind_syn_flood(struct target *t, int n);
void kind_rst_fin(struct target *t, int n);
void kind_udp(struct target *t, int n);
void kind_icmp(struct target *t, int n);
void kind_jumbo(struct target *t, int n);
void kind_random_frames(struct target *t, int n);
void kind_mutate(struct target *t, int n);

/* inject_tcp.c: n zero-window connections to the guest from fake
 * addresses; returns how many were established. */
int zero_window(struct target *t, int n);

#endif
