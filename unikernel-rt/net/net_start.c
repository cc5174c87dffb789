/*
 * Bringing the network up before main (start.c calls ember_net_start
 * when the boot info describes a device): the virtio-net device, the
 * tcpip thread, the interface with its static address or a DHCP lease,
 * DNS servers, and /etc/resolv.conf and /etc/hosts for musl's resolver.
 *
 * Without a device (or when it fails) the stack still starts on the
 * first socket(): the guest can talk to itself on 127.0.0.1.
 */
#include <errno.h>
#include <string.h>

#include "../fd.h"
#include "../rt.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "net.h"
#include "on_demand_timers.h"
#include "vnet.h"

/* dnsmasq, for one, pings a new address for ~3 s before offering it. */
#define DHCP_WAIT_NS (5ull * 1000000000u)

static int stack_up;
static char hostname[sizeof(((struct ember_bootinfo *)0)->hostname)];

static void tcpip_ready(void *sem)
{
	ember_lwip_timers_init();
	sys_sem_signal(sem);
}

int ember_net_stack_up(void)
{
	sys_sem_t ready;

	if (stack_up)
		return 0;
	if (sys_sem_new(&ready, 0) != ERR_OK)
		return -ENOMEM;
	tcpip_init(tcpip_ready, &ready);
	sys_arch_sem_wait(&ready, 0);
	sys_sem_free(&ready);
	stack_up = 1;
	return 0;
}

/* DHCP bound or renewed, address changed (tcpip thread, core lock
 * held): someone may be waiting, and the resolver's files follow. */
static void netif_changed(struct netif *nif)
{
	if (!ip4_addr_isany_val(*netif_ip4_addr(nif)))
		ember_net_files(nif);
	ember_poll_notify();
}

static void configure_static(struct netif *nif,
			     const struct ember_net_config *c)
{
	ip4_addr_t ip, mask, gw;
	uint32_t bits = c->prefix_len > 32 ? 32 : c->prefix_len;

	ip4_addr_set_u32(&ip, c->ip);
	ip4_addr_set_u32(&mask, bits ? lwip_htonl(~0u << (32 - bits)) : 0);
	ip4_addr_set_u32(&gw, c->gw);
	netif_set_addr(nif, &ip, &mask, &gw);
	for (unsigned i = 0; i < c->ndns && i < EMBER_NET_MAX_DNS; i++) {
		ip_addr_t dns = IPADDR4_INIT(c->dns[i]);
		dns_setserver((u8_t)i, &dns);
	}
}

/* Up to DHCP_WAIT_NS for a lease, so that main starts with an address;
 * DHCP goes on in the background if it takes longer. */
static void wait_for_lease(struct netif *nif)
{
	uint64_t deadline = ember_monotonic_ns() + DHCP_WAIT_NS;

	while (!dhcp_supplied_address(nif)) {
		if (ember_poll_wait(deadline) == -ETIMEDOUT) {
			ember_console_puts("ember: no DHCP lease after 5 s; "
					   "starting without an address (pass "
					   "--ip to ember-vmm, or check the "
					   "DHCP server)\n");
			return;
		}
	}
}

void ember_net_start(void)
{
	const struct ember_net_config *cfg = &ember_bi->net;
	struct netif *nif;

	if (vnet_init(cfg) < 0 || ember_net_stack_up() < 0)
		return;
	memcpy(hostname, ember_bi->hostname, sizeof(hostname) - 1);
	LOCK_TCPIP_CORE();
	nif = ember_netif_add();
	if (!nif) {
		UNLOCK_TCPIP_CORE();
		ember_console_puts("ember: out of memory starting the "
				   "network\n");
		return;
	}
	if (hostname[0])
		netif_set_hostname(nif, hostname);
	netif_set_status_callback(nif, netif_changed);
	if (cfg->ip)
		configure_static(nif, cfg);
	netif_set_default(nif);
	netif_set_up(nif);
	if (!cfg->ip)
		dhcp_start(nif);
	UNLOCK_TCPIP_CORE();
	if (!cfg->ip)
		wait_for_lease(nif);
	LOCK_TCPIP_CORE();
	ember_net_files(nif);
	UNLOCK_TCPIP_CORE();
	ember_net_drain_at_exit();
}
