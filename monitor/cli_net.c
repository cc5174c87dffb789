/*
 * The network options of ember-vmm:
 *   --net TAP            the device's tap (attached, or created)
 *   --mac MAC            the guest's MAC (default: from TAP's name)
 *   --ip ADDR/PREFIX     static IPv4 configuration (default: DHCP)
 *   --gw ADDR            default gateway (with --ip)
 *   --dns ADDR           resolver (repeatable, up to EMBER_NET_MAX_DNS)
 * Every bad value gets one line naming the option, the value and an
 * example of a good one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* Linux interface names: 1..15 bytes; we accept the portable subset
 * (no '%', which would make the kernel pick the name, no '/', ':' or
 * spaces). */
static int tap_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

void net_default_mac(const char *tap, uint8_t mac[6])
{
	/* FNV-1a over the name: the same tap always gets the same MAC. */
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = tap; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	/* Locally administered (bit 1), unicast (bit 0 clear). */
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i == 5 ? '\0' : ':'))
			return -1;
		s += i < 5;
	}
	return 0;
}

static int opt_mac(const char *arg, struct net_options *n)
{
	static const uint8_t zero[6];

	if (parse_mac(arg, n->mac) < 0) {
		vmm_error("--mac: '%s' is not a MAC address; e.g. --mac "
			  "02:00:00:00:00:01",
			  arg);
		return -1;
	}
	if ((n->mac[0] & 1) || memcmp(n->mac, zero, 6) == 0) {
		vmm_error("--mac: '%s' is a %s address, not a unicast one; "
			  "e.g. --mac 02:00:00:00:00:01",
			  arg, (n->mac[0] & 1) ? "multicast" : "zero");
		return -1;
	}
	n->have_mac = 1;
	return 0;
}

/* A host's unicast IPv4 address: not 0.0.0.0/8, 127/8, multicast,
 * reserved or broadcast. Returns it in network order, or 0. */
static uint32_t parse_host_addr(const char *s)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1)
		return 0;
	h = ntohl(a.s_addr);
	if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14)
		return 0;
	return a.s_addr;
}

static int opt_ip(const char *arg, struct net_options *n)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	char *end;
	unsigned long prefix;
	size_t len = slash ? (size_t)(slash - arg) : 0;

	if (!slash || len >= sizeof(addr) || slash[1] < '0' || slash[1] > '9') {
		vmm_error("--ip: '%s' is not ADDRESS/PREFIX; e.g. --ip "
			  "10.0.0.2/24",
			  arg);
		return -1;
	}
	memcpy(addr, arg, len);
	addr[len] = '\0';
	prefix = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || prefix < 1 || prefix > 32) {
		vmm_error("--ip: '%s': the prefix length must be 1 to 32; "
			  "e.g. --ip 10.0.0.2/24",
			  arg);
		return -1;
	}
	n->ip = parse_host_addr(addr);
	if (!n->ip) {
		vmm_error("--ip: '%s' is not a unicast IPv4 address; e.g. "
			  "--ip 10.0.0.2/24",
			  arg);
		return -1;
	}
	n->prefix_len = (uint8_t)prefix;
	return 0;
}

static int opt_addr(const char *opt, const char *arg, uint32_t *out)
{
	*out = parse_host_addr(arg);
	if (!*out) {
		vmm_error("--%s: '%s' is not a unicast IPv4 address; e.g. "
			  "--%s 10.0.0.1",
			  opt, arg, opt);
		return -1;
	}
	return 0;
}

int cli_net_option(const char *name, const char *arg, struct net_options *n)
{
	if (strcmp(name, "net") == 0) {
		if (n->tap) {
			vmm_error("--net given twice: ember-vmm has one "
				  "network device");
			return -1;
		}
		if (!tap_name_ok(arg)) {
			vmm_error("--net: '%s' is not a tap interface name "
				  "(1 to 15 letters, digits, '-', '_' or "
				  "'.'); e.g. --net tap0",
				  arg);
			return -1;
		}
		n->tap = arg;
		return 0;
	}
	if (!n->first_net_only)
		n->first_net_only = name;
	if (strcmp(name, "mac") == 0)
		return opt_mac(arg, n);
	if (strcmp(name, "ip") == 0)
		return opt_ip(arg, n);
	if (strcmp(name, "gw") == 0)
		return opt_addr("gw", arg, &n->gw);
	if (n->ndns >= EMBER_NET_MAX_DNS) {
		vmm_error("--dns: at most %u DNS servers", EMBER_NET_MAX_DNS);
		return -1;
	}
	return opt_addr("dns", arg, &n->dns[n->ndns++]);
}

static uint32_t netmask(unsigned prefix)
{
	return htonl(prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix));
}

int cli_net_check(struct net_options *n)
{
	if (n->first_net_only && !n->tap) {
		vmm_error("--%s needs a network device: add --net TAP",
			  n->first_net_only);
		return -1;
	}
	if (!n->tap)
		return 0;
	if (n->gw && !n->ip) {
		vmm_error("--gw needs --ip ADDR/PREFIX (with DHCP the gateway "
			  "comes from the DHCP server)");
		return -1;
	}
	if (n->gw &&
	    (n->gw == n->ip || ((n->gw ^ n->ip) & netmask(n->prefix_len)))) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &n->gw, gw, sizeof(gw));
		if (n->gw == n->ip)
			vmm_error("--gw: %s is the guest's own --ip address; "
				  "use the router's",
				  gw);
		else
			vmm_error("--gw: %s is outside the --ip subnet (/%u); "
				  "use an address in it",
				  gw, n->prefix_len);
		return -1;
	}
	if (!n->have_mac)
		net_default_mac(n->tap, n->mac);
	return 0;
}
