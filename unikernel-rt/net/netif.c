/*
 * lwIP's view of the virtio-net device, and how received frames reach
 * the stack without interrupts.
 *
 * The used index of the receive ring only moves during an exit. Two
 * scheduler hooks look at it: the poll hook (every pass of the
 * scheduler, a comparison of two integers) and the idle hook (nothing
 * runnable: one block hypercall, which flushes transmit, waits for a
 * frame or the next deadline and fills the receive ring). When frames
 * are there, either hook posts one preallocated message to the tcpip
 * thread, which runs all of receive processing under the core lock:
 * hooks run on the scheduler's stack and must never block.
 */
#include <errno.h>
#include <string.h>

#include "../hypercall.h"
#include "../rt.h"
#include "../sched.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "net.h"
#include "netif/ethernet.h"
#include "on_demand_timers.h"
#include "vnet.h"

/* A frame left unflushed this long while the guest stays busy is
 * kicked out by the poll hook (otherwise it waits for the next idle). */
#define TX_MAX_DELAY_NS 500000u

static struct netif vnet_netif;
static struct tcpip_callback_msg *rx_msg;
static int rx_posted;
static struct ember_hc_block block_hc; /* hypercall args live below 4 GiB */

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	(void)nif;
	ember_lwip_traffic(0); /* even if dropped: an ARP retry is traffic */
	if (p->tot_len > VNET_FRAME_MAX)
		return ERR_BUF;
	void *frame = vnet_tx_buf();
	if (!frame)
		return ERR_MEM; /* dropped; TCP will retransmit */
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	vnet_tx_send(p->tot_len);
	return ERR_OK;
}

/* An IPv4 frame (untagged) with MF set or a fragment offset. */
static int ipv4_fragment(const uint8_t *f, size_t len)
{
	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00)
		return 0;
	return (f[20] & 0x3f) != 0 || f[21] != 0;
}

static void deliver(const void *frame, size_t len)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

	ember_lwip_traffic(ipv4_fragment(frame, len));
	if (!p)
		return; /* out of memory: dropped like on a wire */
	pbuf_take(p, frame, (u16_t)len);
	if (vnet_netif.input(p, &vnet_netif) != ERR_OK)
		pbuf_free(p);
}

/* In the tcpip thread, core lock held. Anything we send while
 * processing (ACKs) may make the device fill more buffers at the kick,
 * so go round until the ring is quiet. */
static void rx_process(void *unused)
{
	(void)unused;
	rx_posted = 0;
	while (vnet_rx(deliver))
		;
}

static void post_rx(void)
{
	if (rx_posted || !vnet_rx_ready())
		return;
	if (tcpip_callbackmsg_trycallback(rx_msg) == ERR_OK)
		rx_posted = 1;
}

/* Scheduler pass: frames arrived during some exit? Frames queued long
 * ago while the guest never went idle? */
static void net_poll_hook(void)
{
	post_rx();
	if (vnet_tx_unflushed() &&
	    ember_monotonic_ns() - vnet_tx_oldest_ns() > TX_MAX_DELAY_NS)
		vnet_tx_kick();
}

/* Nothing runnable until deadline_ns: wait in the monitor, which
 * flushes transmit first and fills the receive ring before returning. */
static void net_idle_hook(uint64_t deadline_ns)
{
	uint64_t now = ember_monotonic_ns();

	if (deadline_ns == EMBER_NO_DEADLINE)
		block_hc.timeout_ns = UINT64_MAX;
	else if (deadline_ns > now)
		block_hc.timeout_ns = deadline_ns - now;
	else if (vnet_tx_unflushed())
		block_hc.timeout_ns = 0; /* just flush */
	else
		return;
	block_hc.ret = 0;
	ember_hypercall(EMBER_HC_BLOCK, &block_hc);
	vnet_tx_flushed();
	post_rx();
}

static err_t vnet_netif_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->mtu = 1500;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, vnet_mac(), ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		     NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	return ERR_OK;
}

struct netif *ember_netif_add(void)
{
	rx_msg = tcpip_callbackmsg_new(rx_process, NULL);
	if (!rx_msg)
		return NULL;
	/* Receive processing already runs in the tcpip thread with the
	 * core lock: ethernet_input directly, no message per frame. */
	if (!netif_add(&vnet_netif, NULL, NULL, NULL, NULL, vnet_netif_init,
		       ethernet_input))
		return NULL;
	ember_set_poll_hook(net_poll_hook);
	ember_set_idle_hook(net_idle_hook);
	return &vnet_netif;
}
