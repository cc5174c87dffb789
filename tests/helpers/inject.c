/*
 * inject: hostile frames into a guest through the host side of its tap,
 * for tests/net-hostile.bats.
 *
 *   inject -i IFACE -m GUEST_MAC -a GUEST_IP -g HOST_IP [-p PORT]
 *          [-n COUNT] [-r RATE] [-s SEED] KIND...
 *
 * An AF_PACKET socket bound to IFACE (the tap, in its namespace) sends
 * Ethernet frames exactly as built: the kernel hands them to the tap's
 * reader, ember-vmm, which passes them to the guest. Run as root
 * (CAP_NET_RAW; with CAP_SYS_RAWIO the kernel pads runts to 14 bytes
 * instead of refusing them).
 *
 * KINDs (COUNT frames each unless said; random fields from SEED):
 *   eth        runts, random EtherTypes, VLAN tags, broadcast/multicast
 *              garbage, frames from the guest's own MAC
 *   arp        bad hardware/protocol types and lengths, truncated ARP,
 *              odd opcodes and senders, replies from many addresses
 *   arp-spoof  gratuitous ARP claiming HOST_IP at a bogus MAC
 *   arp-restore gratuitous ARP giving HOST_IP its real MAC back
 *   ip         bad version, IHL < 5 and past the frame, total length
 *              past the frame and under the header, bad checksums,
 *              unknown protocols, land/broadcast sources, malformed
 *              options
 *   ip-options valid frames with IP options (NOP, RR, TS, LSRR, bad
 *              lengths) carrying SYNs and pings
 *   frag       fragments: overlapping, duplicated, tiny, past 64 KiB,
 *              out of order, and first fragments that never complete
 *   tcp        bad data offsets, bad checksums, every flag combination,
 *              malformed options, to PORT and to closed ports
 *   syn-flood  SYNs from random addresses and ports to PORT
 *   rst-fin    RST/FIN storms at random sequence numbers to PORT
 *   udp        UDP length over and under the datagram, bad checksums
 *   icmp       unknown types, truncated, bad checksums, redirects
 *   jumbo      frames of 1515..9014 bytes (give IFACE a large MTU)
 *   random     random bytes to the guest's MAC
 *   mutate     valid frames of every kind with random bytes changed
 *              (checksums fixed up half of the time)
 *   zero-window COUNT TCP connections from fake addresses that send a
 *              request and advertise a zero window (inject_tcp.c)
 *
 * Prints one line per kind ("inject: KIND: N frames sent, M refused by
 * the host kernel") and exits 0; 1 on a usage or socket error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"

static uint64_t rng_state;
static struct timespec next_slot;

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "inject: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* xorshift64*: reproducible from -s SEED. */
uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

void rnd_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = (uint8_t)rnd();
}

static void pace(struct target *t)
{
	if (!t->rate)
		return;
	next_slot.tv_nsec += 1000000000L / (long)t->rate;
	while (next_slot.tv_nsec >= 1000000000L) {
		next_slot.tv_nsec -= 1000000000L;
		next_slot.tv_sec++;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next_slot,
			       NULL) == EINTR)
		;
}

void send_frame(struct target *t, const void *buf, size_t len)
{
	struct sockaddr_ll sa;
	int tries;

	memset(&sa, 0, sizeof(sa));
	sa.sll_family = AF_PACKET;
	sa.sll_ifindex = t->ifindex;
	sa.sll_halen = 6;
	memcpy(sa.sll_addr, t->guest_mac, 6);
	pace(t);
	for (tries = 0; tries < 1000; tries++) {
		if (sendto(t->fd, buf, len, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) >= 0) {
			t->sent++;
			return;
		}
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			break;
		usleep(100); /* the tap's queue is full: let the guest read */
	}
	t->refused++;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		die("bad MAC '%s'", s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

static uint32_t parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad IPv4 address '%s'", s);
	return a.s_addr;
}

static void open_iface(struct target *t, const char *name)
{
	struct sockaddr_ll sa;
	struct ifreq ifr;

	t->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (t->fd < 0)
		die("AF_PACKET socket: %s (run as root)", strerror(errno));
	t->ifindex = (int)if_nametoindex(name);
	if (!t->ifindex)
		die("no interface %s here", name);
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(t->fd, SIOCGIFHWADDR, &ifr) < 0)
		die("%s: SIOCGIFHWADDR: %s", name, strerror(errno));
	memcpy(t->host_mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sa, 0, sizeof(sa));
	sa.sll_family = AF_PACKET;
	sa.sll_protocol = htons(ETH_P_ALL);
	sa.sll_ifindex = t->ifindex;
	if (bind(t->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind to %s: %s", name, strerror(errno));
}

static void usage(void)
{
	die("usage: inject -i IFACE -m GUEST_MAC -a GUEST_IP -g HOST_IP "
	    "[-p PORT] [-n COUNT] [-r RATE] [-s SEED] KIND... (see "
	    "tests/helpers/inject.c)");
}

int main(int argc, char **argv)
{
	struct target t;
	const char *iface = NULL;
	int n = 1000, opt, i, have_mac = 0;
	unsigned long seed = (unsigned long)time(NULL);

	memset(&t, 0, sizeof(t));
	t.port = htons(8080);
	t.rate = 20000;
	while ((opt = getopt(argc, argv, "i:m:a:g:p:n:r:s:")) != -1) {
		switch (opt) {
		case 'i':
			iface = optarg;
			break;
		case 'm':
			parse_mac(optarg, t.guest_mac);
			have_mac = 1;
			break;
		case 'a':
			t.guest_ip = parse_ip(optarg);
			break;
		case 'g':
			t.host_ip = parse_ip(optarg);
			break;
		case 'p':
			t.port = htons((uint16_t)atoi(optarg));
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			t.rate = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (!iface || !have_mac || !t.guest_ip || !t.host_ip || optind >= argc)
		usage();
	if (n < 1 || n > 1000000)
		die("bad COUNT %d: 1 to 1000000", n);
	for (i = optind; i < argc; i++)
		if (!find_kind(argv[i]))
			die("unknown KIND '%s'", argv[i]);
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	open_iface(&t, iface);
	clock_gettime(CLOCK_MONOTONIC, &next_slot);
	printf("inject: seed %lu\n", seed);
	for (i = optind; i < argc; i++) {
		const struct kind *k = find_kind(argv[i]);
		unsigned long sent = t.sent, refused = t.refused;

		k->fn(&t, n);
		printf("inject: %s: %lu frames sent, %lu refused by the host "
		       "kernel\n",
		       k->name, t.sent - sent, t.refused - refused);
		fflush(stdout);
	}
	close(t.fd);
	return 0;
}
