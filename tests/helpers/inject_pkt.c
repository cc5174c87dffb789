/*
 * inject: frame builders and Internet checksums. Every builder produces
 * a well-formed header with valid checksums; the batches in inject.c
 * then break exactly the field they test.
 */
#include <arpa/inet.h>
#include <string.h>

#include "inject.h"

uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void put16(uint8_t *p, uint16_t host)
{
	p[0] = (uint8_t)(host >> 8);
	p[1] = (uint8_t)host;
}

static void put32n(uint8_t *p, uint32_t net)
{
	memcpy(p, &net, 4);
}

void eth_hdr(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
	     uint16_t type)
{
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, src, 6);
	put16(f->b + 12, type);
	f->len = ETH_HLEN_;
}

size_t ip_hdr(struct frame *f, uint32_t src, uint32_t dst, uint8_t proto,
	      const uint8_t *opts, size_t optlen, size_t plen)
{
	uint8_t *h = f->b + ETH_HLEN_;
	size_t hl = IP_HLEN + optlen;
	uint16_t sum;

	memset(h, 0, IP_HLEN);
	h[0] = (uint8_t)(0x40 | (hl / 4));
	put16(h + 2, (uint16_t)(hl + plen));
	put16(h + 4, (uint16_t)(rnd() & 0xffff)); /* id */
	h[8] = 64;				  /* ttl */
	h[9] = proto;
	put32n(h + 12, src);
	put32n(h + 16, dst);
	if (optlen)
		memcpy(h + IP_HLEN, opts, optlen);
	sum = csum_fold(csum_add(0, h, hl));
	memcpy(h + 10, &sum, 2);
	f->len = ETH_HLEN_ + hl + plen;
	return ETH_HLEN_ + hl;
}

uint16_t l4_csum(const struct frame *f, size_t off, size_t len, uint8_t proto,
		 uint32_t src, uint32_t dst)
{
	uint8_t ph[12];
	uint32_t sum;

	put32n(ph, src);
	put32n(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)len);
	sum = csum_add(0, ph, sizeof(ph));
	return csum_fold(csum_add(sum, f->b + off, len));
}

void tcp_seg(struct frame *f, size_t off, uint32_t src, uint32_t dst,
	     uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	     uint8_t flags, uint16_t win, const void *data, size_t dlen)
{
	uint8_t *h = f->b + off;
	uint16_t sum;

	memset(h, 0, TCP_HLEN);
	memcpy(h, &sport, 2);
	memcpy(h + 2, &dport, 2);
	put16(h + 4, (uint16_t)(seq >> 16));
	put16(h + 6, (uint16_t)seq);
	put16(h + 8, (uint16_t)(ack >> 16));
	put16(h + 10, (uint16_t)ack);
	h[12] = 5 << 4;
	h[13] = flags;
	put16(h + 14, win);
	if (dlen)
		memcpy(h + TCP_HLEN, data, dlen);
	sum = l4_csum(f, off, TCP_HLEN + dlen, 6, src, dst);
	memcpy(h + 16, &sum, 2);
	f->len = off + TCP_HLEN + dlen;
}

void udp_dgram(struct frame *f, size_t off, uint32_t src, uint32_t dst,
	       uint16_t sport, uint16_t dport, const void *data, size_t dlen)
{
	uint8_t *h = f->b + off;
	uint16_t sum;

	memcpy(h, &sport, 2);
	memcpy(h + 2, &dport, 2);
	put16(h + 4, (uint16_t)(UDP_HLEN + dlen));
	h[6] = h[7] = 0;
	if (dlen)
		memcpy(h + UDP_HLEN, data, dlen);
	sum = l4_csum(f, off, UDP_HLEN + dlen, 17, src, dst);
	memcpy(h + 6, &sum, 2);
	f->len = off + UDP_HLEN + dlen;
}

void arp_pkt(struct frame *f, const uint8_t eth_dst[6], const uint8_t sha[6],
	     uint32_t spa, const uint8_t tha[6], uint32_t tpa, uint16_t op)
{
	uint8_t *a;

	eth_hdr(f, eth_dst, sha, 0x0806);
	a = f->b + ETH_HLEN_;
	put16(a, 1);	      /* Ethernet */
	put16(a + 2, 0x0800); /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	put32n(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32n(a + 24, tpa);
	f->len = ETH_HLEN_ + 28;
}

/* A random address: half of them on the guest's /24, half anywhere. */
uint32_t rnd_ip(const struct target *t)
{
	if (rnd() & 1)
		return (t->guest_ip & htonl(0xffffff00)) |
		       htonl(2 + rnd() % 250);
	return htonl(rnd());
}

uint16_t rnd_port(void)
{
	return htons((uint16_t)(1024 + rnd() % 64000));
}

void to_guest(struct frame *f, const struct target *t, uint16_t type)
{
	eth_hdr(f, t->guest_mac, t->host_mac, type);
}

size_t syn_frame(struct frame *f, const struct target *t, uint32_t src,
		 uint16_t sport, const uint8_t *ipopts, size_t ipoptlen)
{
	size_t off;

	to_guest(f, t, 0x0800);
	off = ip_hdr(f, src, t->guest_ip, 6, ipopts, ipoptlen, TCP_HLEN);
	tcp_seg(f, off, src, t->guest_ip, sport, t->port, rnd(), 0, 0x02, 65535,
		NULL, 0);
	return off;
}

/* An ICMP echo request with plen bytes of payload. */
size_t ping_frame(struct frame *f, const struct target *t, size_t plen)
{
	size_t off;
	uint8_t *h;
	uint16_t sum;

	to_guest(f, t, 0x0800);
	off = ip_hdr(f, t->host_ip, t->guest_ip, 1, NULL, 0, 8 + plen);
	h = f->b + off;
	memset(h, 0, 8);
	h[0] = 8;
	rnd_fill(h + 4, 4);
	rnd_fill(h + 8, plen);
	sum = csum_fold(csum_add(0, h, 8 + plen));
	memcpy(h + 2, &sum, 2);
	return off;
}

void fix_ip_csum(struct frame *f)
{
	uint8_t *h = f->b + ETH_HLEN_;
	size_t hl = (size_t)(h[0] & 15) * 4;
	uint16_t sum;

	if (hl < IP_HLEN || ETH_HLEN_ + hl > f->len)
		return;
	h[10] = h[11] = 0;
	sum = csum_fold(csum_add(0, h, hl));
	memcpy(h + 10, &sum, 2);
}
