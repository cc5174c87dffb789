/*
 * inject: the transport-level and fuzzing batches (TCP, SYN floods,
 * RST/FIN storms, UDP, ICMP, jumbo, random and mutated frames); the
 * link- and network-level ones are in inject_kinds.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "inject.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static struct frame fr;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void kind_tcp(struct target *t, int n)
{
	static const uint8_t tcpopts[6][8] = {
	    {2, 0, 0, 0, 1, 1, 1, 1},	  /* MSS of length 0 */
	    {2, 4, 0, 0, 3, 3, 255, 0},	  /* MSS 0, window scale 255 */
	    {5, 255, 0, 0, 0, 0, 0, 0},	  /* SACK past the header */
	    {8, 10, 0, 0, 0, 1, 0, 0},	  /* timestamp cut short */
	    {4, 2, 5, 1, 0, 0, 0, 0},	  /* SACK-permitted, bad SACK */
	    {250, 1, 250, 3, 0, 0, 0, 0}, /* unknown */
	};
	int i;

	for (i = 0; i < n; i++) {
		uint16_t dport = i & 1 ? t->port : rnd_port();
		uint32_t src = i % 4 == 3 ? rnd_ip(t) : t->host_ip;
		size_t off, len;
		uint8_t *h;

		to_guest(&fr, t, 0x0800);
		off = ip_hdr(&fr, src, t->guest_ip, 6, NULL, 0, TCP_HLEN + 8);
		tcp_seg(&fr, off, src, t->guest_ip, rnd_port(), dport, rnd(),
			rnd(), (uint8_t)rnd(), (uint16_t)rnd(), tcpopts[i % 6],
			8);
		h = fr.b + off;
		len = fr.len;
		switch (i % 5) {
		case 0: /* data offset under 5 or past the segment */
			h[12] =
			    (uint8_t)((rnd() % 2 ? rnd() % 5 : 8 + rnd() % 8)
				      << 4);
			break;
		case 1: /* checksum */
			h[16] ^= (uint8_t)(1 + rnd() % 255);
			break;
		case 2: /* options (offset 7), urgent pointer */
			h[12] = 7 << 4;
			h[13] |= 0x20;
			put16(h + 18, (uint16_t)rnd());
			h[16] = h[17] = 0;
			{
				uint16_t s = l4_csum(&fr, off, len - off, 6,
						     src, t->guest_ip);
				memcpy(h + 16, &s, 2);
			}
			break;
		case 3: /* truncated under the header */
			len = off + rnd() % TCP_HLEN;
			break;
		default: /* every flag combination, valid checksum */
			break;
		}
		if (i % 5 == 0) {
			h[16] = h[17] = 0;
			uint16_t s =
			    l4_csum(&fr, off, len - off, 6, src, t->guest_ip);
			memcpy(h + 16, &s, 2);
		}
		send_frame(t, fr.b, len);
	}
}

void kind_syn_flood(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		syn_frame(&fr, t, rnd_ip(t), rnd_port(), NULL, 0);
		send_frame(t, fr.b, fr.len);
	}
}

void kind_rst_fin(struct target *t, int n)
{
	static const uint8_t flags[4] = {0x04, 0x14, 0x01, 0x11};
	int i;

	for (i = 0; i < n; i++) {
		uint32_t src = i & 2 ? rnd_ip(t) : t->host_ip;
		size_t off;

		to_guest(&fr, t, 0x0800);
		off = ip_hdr(&fr, src, t->guest_ip, 6, NULL, 0, TCP_HLEN);
		tcp_seg(&fr, off, src, t->guest_ip, rnd_port(), t->port, rnd(),
			rnd(), flags[i % 4], (uint16_t)rnd(), NULL, 0);
		send_frame(t, fr.b, fr.len);
	}
}

void kind_udp(struct target *t, int n)
{
	static uint8_t data[512];
	int i;

	for (i = 0; i < n; i++) {
		size_t dlen = rnd() % sizeof(data), off;
		uint16_t dport =
		    i & 1 ? htons((uint16_t)(rnd() % 1024)) : rnd_port();
		uint8_t *h;

		rnd_fill(data, dlen);
		to_guest(&fr, t, 0x0800);
		off = ip_hdr(&fr, t->host_ip, t->guest_ip, 17, NULL, 0,
			     UDP_HLEN + dlen);
		udp_dgram(&fr, off, t->host_ip, t->guest_ip, rnd_port(), dport,
			  data, dlen);
		h = fr.b + off;
		switch (i % 5) {
		case 0: /* length over the datagram */
			put16(h + 4,
			      (uint16_t)(UDP_HLEN + dlen + 1 + rnd() % 1000));
			break;
		case 1: /* length under the header or the data */
			put16(h + 4, (uint16_t)(rnd() % (UDP_HLEN + dlen + 1)));
			break;
		case 2: /* checksum */
			h[6] ^= (uint8_t)(1 + rnd() % 255);
			break;
		case 3: /* no checksum (0): valid for UDP over IPv4 */
			h[6] = h[7] = 0;
			break;
		default: /* truncated under the header */
			fr.len = off + rnd() % UDP_HLEN;
			put16(fr.b + ETH_HLEN_ + 2,
			      (uint16_t)(fr.len - ETH_HLEN_));
			fix_ip_csum(&fr);
		}
		send_frame(t, fr.b, fr.len);
	}
}

void kind_icmp(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		size_t off = ping_frame(&fr, t, rnd() % 64);
		uint8_t *h = fr.b + off;
		uint16_t s;

		switch (i % 4) {
		case 0: /* any type and code */
			h[0] = (uint8_t)rnd();
			h[1] = (uint8_t)rnd();
			break;
		case 1: /* a redirect to a bogus gateway */
			h[0] = 5;
			h[1] = (uint8_t)(rnd() % 4);
			memcpy(h + 4, &t->host_ip, 4);
			h[7] ^= 0x55;
			break;
		case 2: /* truncated */
			fr.len = off + rnd() % 8;
			break;
		default: /* bad checksum */
			h[2] ^= 0xff;
			send_frame(t, fr.b, fr.len);
			continue;
		}
		h[2] = h[3] = 0;
		if (fr.len > off) {
			s = csum_fold(csum_add(0, h, fr.len - off));
			memcpy(h + 2, &s, 2);
		}
		put16(fr.b + ETH_HLEN_ + 2, (uint16_t)(fr.len - ETH_HLEN_));
		fix_ip_csum(&fr);
		send_frame(t, fr.b, fr.len);
	}
}

void kind_jumbo(struct target *t, int n)
{
	static uint8_t data[FRAME_MAX];
	int i;

	for (i = 0; i < n; i++) {
		size_t len = 1515 + rnd() % (9014 - 1515 + 1), off;

		to_guest(&fr, t, 0x0800);
		off = ip_hdr(&fr, t->host_ip, t->guest_ip, 6, NULL, 0,
			     len - ETH_HLEN_ - IP_HLEN);
		tcp_seg(&fr, off, t->host_ip, t->guest_ip, rnd_port(), t->port,
			rnd(), 0, 0x02, 65535, data,
			len - ETH_HLEN_ - IP_HLEN - TCP_HLEN);
		send_frame(t, fr.b, fr.len);
	}
}

void kind_random_frames(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		size_t len = 14 + rnd() % 1501;

		rnd_fill(fr.b, len);
		memcpy(fr.b, i & 7 ? t->guest_mac : bcast, 6);
		send_frame(t, fr.b, len);
	}
}

void kind_mutate(struct target *t, int n)
{
	static const uint8_t ts[12] = {68, 12, 5, 0};
	int i, k;

	for (i = 0; i < n; i++) {
		size_t off = 0;

		switch (i % 5) {
		case 0:
			off =
			    syn_frame(&fr, t, t->host_ip, rnd_port(), NULL, 0);
			break;
		case 1:
			off = syn_frame(&fr, t, t->host_ip, rnd_port(), ts, 12);
			break;
		case 2:
			off = ping_frame(&fr, t, rnd() % 200);
			break;
		case 3:
			arp_pkt(&fr, bcast, t->host_mac, t->host_ip, bcast,
				t->guest_ip, 1);
			break;
		default:
			to_guest(&fr, t, 0x0800);
			off = ip_hdr(&fr, t->host_ip, t->guest_ip, 17, NULL, 0,
				     UDP_HLEN + 16);
			udp_dgram(&fr, off, t->host_ip, t->guest_ip, rnd_port(),
				  rnd_port(), ts, 12);
		}
		/* 1 to 4 bytes of the header after Ethernet changed. */
		for (k = 1 + (int)(rnd() % 4); k > 0; k--)
			fr.b[ETH_HLEN_ + rnd() % (fr.len - ETH_HLEN_)] =
			    (uint8_t)rnd();
		if (rnd() & 1) {
			fix_ip_csum(&fr);
			if (off && (i % 5 < 2) && fr.len > off + 17) {
				fr.b[off + 16] = fr.b[off + 17] = 0;
				uint16_t s = l4_csum(&fr, off, fr.len - off, 6,
						     t->host_ip, t->guest_ip);
				memcpy(fr.b + off + 16, &s, 2);
			}
		}
		send_frame(t, fr.b, fr.len);
	}
}
