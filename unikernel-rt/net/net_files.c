/*
 * /etc/resolv.conf and /etc/hosts, served read-only from memory (fd.h
 * memory files) so that musl's resolver finds the DNS servers from the
 * boot configuration or DHCP, and our own name.
 */
#include <stdio.h>
#include <string.h>

#include "../fd.h"
#include "../rt.h"
#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "net.h"

static char resolv_conf[64 * DNS_MAX_SERVERS];
static char hosts[256];

void ember_net_files(struct netif *nif)
{
	char a[IP4ADDR_STRLEN_MAX];
	size_t n = 0;

	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *s = dns_getserver(i);
		if (ip_addr_isany(s))
			continue;
		ip4addr_ntoa_r(ip_2_ip4(s), a, sizeof(a));
		n += (size_t)snprintf(resolv_conf + n, sizeof(resolv_conf) - n,
				      "nameserver %s\n", a);
	}
	if (n)
		ember_memfile_register("/etc/resolv.conf", resolv_conf, n);

	n = (size_t)snprintf(hosts, sizeof(hosts), "127.0.0.1\tlocalhost\n");
	const char *name = netif_get_hostname(nif);
	if (name && name[0] && !ip4_addr_isany_val(*netif_ip4_addr(nif))) {
		ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof(a));
		n += (size_t)snprintf(hosts + n, sizeof(hosts) - n, "%s\t%s\n",
				      a, name);
	}
	ember_memfile_register("/etc/hosts", hosts, n);
}
