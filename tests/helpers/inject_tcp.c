/*
 * inject: a raw TCP client that holds zero-window connections. Each
 * connection comes from its own fake address on the guest's /24 (the
 * host's kernel knows nothing of them, so it sends no RSTs); this client
 * answers the guest's ARP requests for those addresses, completes the
 * handshake, sends an HTTP request and advertises a zero window, so the
 * guest holds a response it cannot send and probes the window.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "inject.h"

#define MAX_FAKE  100
#define FAKE_BASE 150 /* fake addresses: .150 .. .249 */

static const char request[] = "GET / HTTP/1.1\r\nHost: zero-window\r\n\r\n";

struct fake {
	uint32_t ip;
	uint8_t mac[6];
	uint16_t sport;
	uint32_t isn;
	int established;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void send_tcp(struct target *t, const struct fake *c, uint32_t seq,
		     uint32_t ack, uint8_t flags, const void *data, size_t len)
{
	struct frame f;
	size_t off;

	eth_hdr(&f, t->guest_mac, c->mac, 0x0800);
	off = ip_hdr(&f, c->ip, t->guest_ip, 6, NULL, 0, TCP_HLEN + len);
	tcp_seg(&f, off, c->ip, t->guest_ip, c->sport, t->port, seq, ack, flags,
		0, data, len);
	send_frame(t, f.b, f.len);
}

static struct fake *find_ip(struct fake *c, int n, uint32_t ip)
{
	int i;

	for (i = 0; i < n; i++)
		if (c[i].ip == ip)
			return &c[i];
	return NULL;
}

/* One frame from the guest: an ARP request for a fake address gets a
 * reply; a SYN-ACK to one completes its handshake. */
static void handle(struct target *t, struct fake *c, int n, const uint8_t *b,
		   size_t len)
{
	struct fake *k;
	uint32_t ip;

	if (len >= ETH_HLEN_ + 28 && b[12] == 0x08 && b[13] == 0x06 &&
	    b[20] == 0 && b[21] == 1) {
		struct frame f;

		memcpy(&ip, b + ETH_HLEN_ + 24, 4);
		k = find_ip(c, n, ip);
		if (!k)
			return;
		memcpy(&ip, b + ETH_HLEN_ + 14, 4);
		arp_pkt(&f, b + 6, k->mac, k->ip, b + ETH_HLEN_ + 8, ip, 2);
		send_frame(t, f.b, f.len);
		return;
	}
	if (len < ETH_HLEN_ + IP_HLEN + TCP_HLEN || b[12] != 0x08 ||
	    b[13] != 0x00 || b[ETH_HLEN_ + 9] != 6)
		return;
	memcpy(&ip, b + ETH_HLEN_ + 16, 4);
	k = find_ip(c, n, ip);
	if (!k || k->established) {
		return;
	} else {
		const uint8_t *h = b + ETH_HLEN_ + (b[ETH_HLEN_] & 15) * 4;
		uint16_t dport;

		if (h + TCP_HLEN > b + len)
			return;
		memcpy(&dport, h + 2, 2);
		if (dport != k->sport || (h[13] & 0x12) != 0x12)
			return;
		/* ACK the SYN-ACK with the request, window 0. */
		send_tcp(t, k, k->isn + 1, get32(h + 4) + 1, 0x18, request,
			 sizeof(request) - 1);
		k->established = 1;
	}
}

int zero_window(struct target *t, int n)
{
	static struct fake c[MAX_FAKE];
	static uint8_t buf[FRAME_MAX];
	double deadline = now() + 5, next_syn = 0;
	int i, done = 0;

	if (n > MAX_FAKE)
		n = MAX_FAKE;
	for (i = 0; i < n; i++) {
		c[i].ip = (t->guest_ip & htonl(0xffffff00)) |
			  htonl((uint32_t)(FAKE_BASE + i));
		c[i].mac[0] = 0x02;
		c[i].mac[1] = 0x5a;
		c[i].mac[5] = (uint8_t)i;
		c[i].sport = rnd_port();
		c[i].isn = rnd();
		c[i].established = 0;
	}
	while (done < n && now() < deadline) {
		struct pollfd p = {.fd = t->fd, .events = POLLIN};
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r;

		/* (Re)send the SYNs of those not established, every 0.5 s. */
		if (now() >= next_syn) {
			for (i = 0; i < n; i++)
				if (!c[i].established)
					send_tcp(t, &c[i], c[i].isn, 0, 0x02,
						 NULL, 0);
			next_syn = now() + 0.5;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		r = recvfrom(t->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (r <= 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		handle(t, c, n, buf, (size_t)r);
		for (done = 0, i = 0; i < n; i++)
			done += c[i].established;
	}
	return done;
}
