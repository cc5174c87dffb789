/*
 * inject: the link- and network-level batches of hostile frames (listed
 * in inject.c) and the table of kinds; inject_l4.c has the rest. Each
 * sends about n frames; the random choices come from inject.c's seeded
 * rnd().
 */
#include <arpa/inet.h>
#include <string.h>

#include "inject.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t bogus_mac[6] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};
static struct frame fr;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void eth(struct target *t, int n)
{
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	int i;

	for (i = 0; i < n; i++) {
		size_t len = 14 + rnd() % 1501;

		rnd_fill(fr.b, len);
		switch (i % 6) {
		case 0: /* runt: padded to 14 bytes or refused by the kernel */
			len = rnd() % 14;
			memcpy(fr.b, t->guest_mac, len < 6 ? len : 6);
			break;
		case 1: /* an unknown EtherType */
			to_guest(&fr, t, (uint16_t)rnd());
			break;
		case 2: /* an 802.1Q tag over IPv4 or ARP */
			to_guest(&fr, t, 0x8100);
			put16(fr.b + 16, rnd() & 1 ? 0x0800 : 0x0806);
			break;
		case 3: /* broadcast and multicast garbage */
			eth_hdr(&fr, rnd() & 1 ? bcast : mcast, t->host_mac,
				rnd() & 1 ? 0x0800 : 0x0806);
			break;
		case 4: /* from the guest's own MAC */
			eth_hdr(&fr, t->guest_mac, t->guest_mac, 0x0800);
			break;
		default: /* an IPv4 EtherType with a tiny payload */
			to_guest(&fr, t, 0x0800);
			len = 14 + rnd() % 20;
		}
		send_frame(t, fr.b, len);
	}
}

static void arp(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *a = fr.b + ETH_HLEN_;
		size_t len;

		arp_pkt(&fr, rnd() & 1 ? bcast : t->guest_mac, t->host_mac,
			t->host_ip, bcast, t->guest_ip, 1);
		len = fr.len;
		switch (i % 8) {
		case 0: /* hardware type */
			put16(a, (uint16_t)rnd());
			break;
		case 1: /* protocol type */
			put16(a + 2, (uint16_t)rnd());
			break;
		case 2: /* hardware and protocol lengths */
			a[4] = (uint8_t)rnd();
			a[5] = (uint8_t)rnd();
			break;
		case 3: /* truncated */
			len = ETH_HLEN_ + rnd() % 28;
			break;
		case 4: /* an unknown opcode */
			put16(a + 6, (uint16_t)(3 + rnd() % 65533));
			break;
		case 5: /* sender: broadcast MAC, zero or broadcast address */
			memcpy(a + 8, bcast, 6);
			memset(a + 14, rnd() & 1 ? 0 : 0xff, 4);
			break;
		case 6: { /* replies from many addresses: cache churn */
			uint32_t ip = rnd_ip(t);
			uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};

			rnd_fill(mac + 1, 5);
			arp_pkt(&fr, t->guest_mac, mac, ip, t->guest_mac,
				t->guest_ip, 2);
			len = fr.len;
			break;
		}
		default: /* someone else claims the guest's address */
			arp_pkt(&fr, bcast, bogus_mac, t->guest_ip, bcast,
				t->guest_ip, rnd() & 1 ? 1 : 2);
			len = fr.len;
		}
		send_frame(t, fr.b, len);
	}
}

static void gratuitous(struct target *t, int n, const uint8_t *mac)
{
	int i;

	for (i = 0; i < n; i++) {
		arp_pkt(&fr, bcast, mac, t->host_ip, i & 1 ? bcast : mac,
			t->host_ip, i & 1 ? 1 : 2);
		send_frame(t, fr.b, fr.len);
	}
}

static void arp_spoof(struct target *t, int n)
{
	gratuitous(t, n < 10 ? n : 10, bogus_mac);
}

static void arp_restore(struct target *t, int n)
{
	gratuitous(t, n < 4 ? n : 4, t->host_mac);
}

static void ip(struct target *t, int n)
{
	static const uint8_t badopt[8] = {7, 0, 4, 0, 68, 255, 1, 0};
	int i;

	for (i = 0; i < n; i++) {
		size_t off = syn_frame(&fr, t, t->host_ip, rnd_port(), NULL, 0);
		uint8_t *h = fr.b + ETH_HLEN_;
		size_t len = fr.len;

		switch (i % 11) {
		case 0: /* version */
			h[0] = (uint8_t)((rnd() % 16) << 4 | 5);
			break;
		case 1: /* IHL under 5 */
			h[0] = (uint8_t)(0x40 | rnd() % 5);
			break;
		case 2: /* IHL past the frame */
			h[0] = 0x4f;
			len = ETH_HLEN_ + IP_HLEN + rnd() % 20;
			break;
		case 3: /* total length past the frame */
			put16(h + 2,
			      (uint16_t)(len - ETH_HLEN_ + 1 + rnd() % 65000));
			break;
		case 4: /* total length under the header */
			put16(h + 2, (uint16_t)(rnd() % 20));
			break;
		case 5: /* header checksum */
			h[10] ^= (uint8_t)(1 + rnd() % 255);
			break;
		case 6: /* an unknown protocol */
			h[9] = (uint8_t)(7 + rnd() % 10);
			break;
		case 7: /* source: the guest itself, broadcast, multicast */
			memcpy(h + 12,
			       rnd() & 1 ? &t->guest_ip : (const void *)bcast,
			       4);
			if (!(rnd() % 3))
				h[12] = 224;
			break;
		case 8: /* destination: broadcast or another host */
			memcpy(h + 16, bcast, 4);
			if (rnd() & 1)
				h[19] = (uint8_t)(h[19] + 1 + rnd() % 200);
			break;
		case 9: /* ttl 0 */
			h[8] = 0;
			break;
		default: /* malformed options (IHL 7) in front of the SYN */
			memmove(h + 28, h + 20, TCP_HLEN);
			memcpy(h + 20, badopt, 8);
			h[0] = 0x47;
			put16(h + 2, IP_HLEN + 8 + TCP_HLEN);
			len += 8;
			fr.len = len;
			(void)off;
		}
		if (i % 11 != 5)
			fix_ip_csum(&fr);
		send_frame(t, fr.b, len);
	}
}

static void ip_options(struct target *t, int n)
{
	/* {NOP x3, EOL}, record route, timestamp, LSRR, length 0, 1,
	 * longer than the header, an unknown option. */
	static const uint8_t opts[8][12] = {
	    {1, 1, 1, 0},
	    {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	    {68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	    {131, 7, 4, 10, 0, 0, 1, 0},
	    {7, 0, 0, 0},
	    {68, 1, 0, 0},
	    {131, 40, 4, 0, 0, 0, 0, 0},
	    {222, 4, 0xaa, 0xbb},
	};
	static const uint8_t optlen[8] = {4, 12, 12, 8, 4, 4, 8, 4};
	int i;

	for (i = 0; i < n; i++) {
		int k = i % 8;

		if (i & 1)
			syn_frame(&fr, t, t->host_ip, rnd_port(), opts[k],
				  optlen[k]);
		else {
			size_t off = ping_frame(&fr, t, 32);
			uint8_t *h = fr.b + ETH_HLEN_;
			size_t pl = fr.len - off;

			memmove(h + IP_HLEN + optlen[k], h + IP_HLEN, pl);
			memcpy(h + IP_HLEN, opts[k], optlen[k]);
			h[0] = (uint8_t)(0x40 | (IP_HLEN + optlen[k]) / 4);
			put16(h + 2, (uint16_t)(IP_HLEN + optlen[k] + pl));
			fr.len += optlen[k];
			fix_ip_csum(&fr);
		}
		send_frame(t, fr.b, fr.len);
	}
}

/* One fragment of datagram id: payload bytes [off, off+len) of data. */
static void frag_one(struct target *t, uint16_t id, const uint8_t *data,
		     size_t off, size_t len, int more)
{
	uint8_t *h = fr.b + ETH_HLEN_;

	to_guest(&fr, t, 0x0800);
	ip_hdr(&fr, t->host_ip, t->guest_ip, 1, NULL, 0, len);
	put16(h + 4, id);
	put16(h + 6, (uint16_t)((more ? 0x2000 : 0) | ((off / 8) & 0x1fff)));
	memcpy(h + IP_HLEN, data + off, len);
	fix_ip_csum(&fr);
	send_frame(t, fr.b, fr.len);
}

static void frag(struct target *t, int n)
{
	static uint8_t data[2048];
	int i;

	for (i = 0; i < n;) {
		uint16_t id = (uint16_t)rnd();
		size_t k;

		/* A valid 1 KiB ping to fragment in odd ways. */
		ping_frame(&fr, t, 1024 - 8);
		memcpy(data, fr.b + ETH_HLEN_ + IP_HLEN, 1024);
		switch (i % 5) {
		case 0: /* overlapping fragments, then the rest */
			frag_one(t, id, data, 0, 512, 1);
			frag_one(t, id, data, 256, 512, 1);
			frag_one(t, id, data, 504, 520, 0);
			i += 3;
			break;
		case 1: /* every fragment twice, last one first */
			frag_one(t, id, data, 512, 512, 0);
			for (k = 0; k < 1024; k += 256) {
				frag_one(t, id, data, k, 256, k + 256 < 1024);
				frag_one(t, id, data, k, 256, k + 256 < 1024);
			}
			i += 9;
			break;
		case 2: /* tiny: 8 bytes each */
			for (k = 0; k < 128; k += 8)
				frag_one(t, id, data, k, 8, 1);
			i += 16;
			break;
		case 3: /* past 64 KiB: offset 65528 with 1 KiB more */
			frag_one(t, id, data, 0, 1024, 1);
			fr.b[ETH_HLEN_ + 6] = 0x1f;
			fr.b[ETH_HLEN_ + 7] = 0xff;
			fix_ip_csum(&fr);
			send_frame(t, fr.b, fr.len);
			i += 2;
			break;
		default: /* a first fragment that never completes */
			frag_one(t, id, data, 0, 8 * (1 + rnd() % 128), 1);
			i++;
		}
	}
}

static void zero_win(struct target *t, int n)
{
	int got = zero_window(t, n);

	if (got < n)
		die("zero-window: only %d of %d connections were established",
		    got, n);
}

static const struct kind kinds[] = {
    {"eth", eth},
    {"arp", arp},
    {"arp-spoof", arp_spoof},
    {"arp-restore", arp_restore},
    {"ip", ip},
    {"ip-options", ip_options},
    {"frag", frag},
    {"tcp", kind_tcp},
    {"syn-flood", kind_syn_flood},
    {"rst-fin", kind_rst_fin},
    {"udp", kind_udp},
    {"icmp", kind_icmp},
    {"jumbo", kind_jumbo},
    {"random", kind_random_frames},
    {"mutate", kind_mutate},
    {"zero-window", zero_win},
};

const struct kind *find_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}
