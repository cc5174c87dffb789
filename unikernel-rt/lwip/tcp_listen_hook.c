/*
 * Half-open connections under a SYN flood.
 *
 * lwIP counts a listener's half-open (SYN_RCVD) connections in its
 * backlog (255 here) and drops every SYN once the backlog is full, until
 * a half-open connection times out after TCP_SYN_RCVD_TIMEOUT (20 s).
 * So 255 SYNs from spoofed addresses that never complete the handshake
 * shut a server out of new connections for 10-20 s
 * (tests/net-hostile.bats measured it). lwIP has no SYN cookies; this
 * hook does what a small stack can: a SYN that finds the backlog full
 * evicts the oldest half-open connection of that listener if it is at
 * least EVICT_AGE_TICKS old (silently: no RST to an address that
 * probably never sent the SYN). A real client completes its handshake
 * within a round trip, so only a connection whose SYN-ACK went
 * unanswered for about a second is evicted: a burst of real clients
 * larger than the backlog is delayed as before (SYNs dropped, then
 * retransmitted by the clients), never reset, and after a flood new
 * clients get through within about a second instead of 20.
 * Connections established but not yet accepted are never evicted.
 */
#include "lwip/opt.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

/* tcp_ticks advance every TCP_SLOW_INTERVAL (500 ms): 2 ticks, 0.5-1 s. */
#define EVICT_AGE_TICKS 2

err_t ember_lwip_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
	const struct tcp_pcb_listen *lpcb = (const struct tcp_pcb_listen *)pcb;
	struct tcp_pcb *p, *oldest = NULL;

	if (pcb->state != LISTEN ||
	    (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN ||
	    lpcb->accepts_pending < lpcb->backlog)
		return ERR_OK;
	for (p = tcp_active_pcbs; p; p = p->next)
		if (p->state == SYN_RCVD && p->listener == lpcb &&
		    (!oldest || (u32_t)(tcp_ticks - p->tmr) >
				    (u32_t)(tcp_ticks - oldest->tmr)))
			oldest = p;
	if (oldest && (u32_t)(tcp_ticks - oldest->tmr) >= EVICT_AGE_TICKS)
		tcp_abandon(oldest, 0); /* frees its backlog slot */
	return ERR_OK;
}
