/*
 * lwIP's periodic timers, run only while they have work.
 *
 * lwIP arms its cyclic timers for good at start: ARP and IP reassembly
 * every second, DHCP every 500 ms and every 60 s, DNS every second. For
 * an idle server every one of those wake-ups is an exit that does
 * nothing, and 100 idle VMs would keep a host CPU busy. So we take them
 * out of lwIP's list (ember_lwip_timers_init) and run them on demand:
 *
 * - ARP and reassembly share one 1 s tick. It stops ("parks") at the
 *   first tick that finds no frame went in or out since the one before
 *   and no fragment arrived in the last REASS_MS. No ARP entry is pending
 *   then (a pending entry sends a request on every tick, which is
 *   traffic, until it resolves or is dropped) and every reassembly has
 *   timed out (IP_REASS_MAXAGE ticks), so all the ARP timer would still
 *   do is age stable entries. Those ticks are replayed when the core
 *   lock is next taken, before any lwIP code reads the table: it is then
 *   exactly what it would be had the timer kept running.
 * - DHCP: the fine timer while a request is outstanding (request_timeout
 *   set), the coarse one (lease times) while DHCP is on. With --ip,
 *   neither runs.
 * - DNS: lwIP's resolver is never called (musl resolves over our UDP
 *   sockets; LWIP_DNS is on only to learn servers from DHCP), so its
 *   table stays empty and its timer has nothing to do: it never runs.
 * - TCP: lwIP itself runs its 250 ms timer only while connections exist.
 *   While every connection is idle (established, nothing to send, ack,
 *   retransmit or probe, no keepalive, no blocked writer) and none is in
 *   TIME_WAIT, the timer has nothing to do but count: the tcpip thread
 *   then sleeps past it, to the next other deadline or for good
 *   (ember_lwip_tcpip_sleep), and runs it once when it wakes. Its missed
 *   ticks only advanced counters (tcp_ticks, poll and retransmission
 *   timers) that matter again only once there is something to time.
 *
 * With core locking, lwIP code also runs in application threads, which
 * may arm a timer, or give an idle connection work, while the tcpip
 * thread sleeps towards a later deadline it computed before. On unlock
 * we post it a no-op message so it looks again (lwIP's own
 * tcp_timer_needed() from a send() needs this too).
 */
#include "on_demand_timers.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ip4_frag.h"
#include "lwip/netif.h"
#include "lwip/priv/api_msg.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/dhcp.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "rt.h"
#include "sched.h"

#if LWIP_IGMP || LWIP_AUTOIP || LWIP_IPV6 || !LWIP_ARP || !IP_REASSEMBLY ||    \
    !LWIP_DHCP || LWIP_DEBUG_TIMERNAMES
/* cppcheck-suppress preprocessorErrorDirective ; lint has no lwIP headers */
#error "on_demand_timers.c knows only ARP, reassembly, DHCP, DNS and TCP timers"
#endif

/* timeouts.c's, exported because lwip.mk builds that file with
 * LWIP_TESTMODE (which changes nothing else in it). */
void lwip_cyclic_timer(void *arg);
struct sys_timeo **sys_timeouts_get_next_timeout(void);

#define TICK_MS 1000u
/* A reassembly lives IP_REASS_MAXAGE ticks from its first fragment. */
#define REASS_MS ((IP_REASS_MAXAGE + 2u) * TICK_MS)

_Static_assert(ARP_TMR_INTERVAL == TICK_MS && IP_TMR_INTERVAL == TICK_MS,
	       "ARP and reassembly share the 1 s tick");

static int ticking;		/* net_tick is in lwIP's timeout list */
static uint64_t last_tick_ms;	/* when ARP last aged (run or replayed) */
static uint64_t reass_until_ms; /* a fragment may still be waiting */
static unsigned traffic, traffic_seen;
static int fine_armed, coarse_armed;

static int started;
static struct ember_thread *tcpip_thread;
static struct sys_timeo *head_at_lock;
static u32_t head_time_at_lock;
static struct tcpip_callback_msg *poke_msg;
static int poke_posted;
static int tcp_overslept; /* the tcpip thread sleeps past the TCP timer */

static uint64_t now_ms(void)
{
	return ember_monotonic_ns() / 1000000u;
}

static void net_tick(void *unused)
{
	uint64_t now = now_ms();

	(void)unused;
	ip_reass_tmr();
	etharp_tmr();
	last_tick_ms = now;
	if (traffic != traffic_seen || now < reass_until_ms) {
		traffic_seen = traffic;
		sys_timeout(TICK_MS, net_tick, NULL);
	} else {
		ticking = 0;
	}
}

void ember_lwip_traffic(int ip_fragment)
{
	traffic++;
	if (!ip_fragment && ticking)
		return; /* the per-frame case: no clock read */
	uint64_t now = now_ms(), due = last_tick_ms + TICK_MS;

	if (ip_fragment)
		reass_until_ms = now + REASS_MS;
	if (ticking)
		return;
	/* Parked: the missed ticks were replayed when the lock was taken,
	 * so the next one is due within TICK_MS. */

	ticking = 1;
	sys_timeout(due > now ? (u32_t)(due - now) : 0, net_tick, NULL);
}

/* The earliest timeout: which one, and when. */
static struct sys_timeo *list_head(u32_t *time)
{
	struct sys_timeo *t = *sys_timeouts_get_next_timeout();

	*time = t ? t->time : 0;
	return t;
}

void ember_lwip_timers_on_lock(void)
{
	head_at_lock = list_head(&head_time_at_lock);
	if (!started || ticking)
		return;
	uint64_t missed = (now_ms() - last_tick_ms) / TICK_MS;

	last_tick_ms += missed * TICK_MS;
	/* After ARP_MAXAGE ticks every entry has expired: more do nothing. */
	if (missed > ARP_MAXAGE)
		missed = ARP_MAXAGE;
	while (missed--)
		etharp_tmr();
}

static void dhcp_fine(void *unused)
{
	(void)unused;
	fine_armed = 0;
	dhcp_fine_tmr();
}

static void dhcp_coarse(void *unused)
{
	(void)unused;
	coarse_armed = 0;
	dhcp_coarse_tmr();
}

/* Arm the DHCP timers some interface needs now. */
static void settle_dhcp(void)
{
	struct netif *nif;
	int fine = 0, coarse = 0;

	NETIF_FOREACH(nif)
	{
		struct dhcp *d = netif_dhcp_data(nif);

		if (d && d->state != DHCP_STATE_OFF) {
			coarse = 1;
			fine |= d->request_timeout != 0;
		}
	}
	if (fine && !fine_armed) {
		fine_armed = 1;
		sys_timeout(DHCP_FINE_TIMER_MSECS, dhcp_fine, NULL);
	}
	if (coarse && !coarse_armed) {
		coarse_armed = 1;
		sys_timeout(DHCP_COARSE_TIMER_MSECS, dhcp_coarse, NULL);
	}
}

/* Nothing for lwIP's TCP timer to do but count ticks (see the top). */
static int tcp_quiescent(void)
{
	const struct tcp_pcb *p;

	if (tcp_tw_pcbs)
		return 0;
	for (p = tcp_active_pcbs; p; p = p->next) {
		const struct netconn *c = p->callback_arg;

		if (p->state != ESTABLISHED || p->unsent || p->unacked ||
		    p->ooseq || p->refused_data || p->persist_backoff ||
		    (p->flags & (TF_ACK_DELAY | TF_ACK_NOW | TF_CLOSEPEND)) ||
		    ip_get_option(p, SOF_KEEPALIVE))
			return 0;
		if (c && (c->state != NETCONN_NONE ||
			  (c->flags & NETCONN_FLAG_CHECK_WRITESPACE)))
			return 0;
	}
	return 1;
}

/* lwIP's TCP timer: the one timeout with no argument that is not ours
 * (the #error above rules out every other lwIP timer, and nothing here
 * calls tcpip_timeout()). */
static int is_tcp_timer(const struct sys_timeo *t)
{
	return t->arg == NULL && t->h != net_tick && t->h != dhcp_fine &&
	       t->h != dhcp_coarse;
}

u32_t ember_lwip_tcpip_sleep(u32_t timeout_ms)
{
	const struct sys_timeo *t = *sys_timeouts_get_next_timeout();

	if (!started || ember_thread_self() != tcpip_thread || !timeout_ms ||
	    !t || !is_tcp_timer(t) || !tcp_quiescent())
		return timeout_ms;
	tcp_overslept = 1;
	t = t->next; /* the list is sorted; the TCP timer is there once */
	if (!t)
		return 0; /* for good */
	s32_t left = (s32_t)(t->time - sys_now());

	return left > 0 ? (u32_t)left : 1;
}

void ember_lwip_tcpip_woke(void)
{
	if (ember_thread_self() == tcpip_thread)
		tcp_overslept = 0;
}

static void poked(void *unused)
{
	(void)unused;
	poke_posted = 0;
}

void ember_lwip_timers_on_unlock(void)
{
	u32_t before_time, head_time;
	struct sys_timeo *before;

	if (!started)
		return;
	before = list_head(&before_time);
	settle_dhcp();
	struct sys_timeo *head = list_head(&head_time);
	/* The tcpip thread computes its sleep before unlocking: only what
	 * settle_dhcp just armed is new to it. Anyone else may have armed
	 * anything since taking the lock. */
	int news = ember_thread_self() == tcpip_thread
		       ? head != before || head_time != before_time
		       : head != head_at_lock ||
			     head_time != head_time_at_lock ||
			     (tcp_overslept && !tcp_quiescent());

	if (news && head && !poke_posted &&
	    tcpip_callbackmsg_trycallback(poke_msg) == ERR_OK)
		poke_posted = 1;
}

void ember_lwip_mark_tcpip_thread(void)
{
	tcpip_thread = ember_thread_self();
}

void ember_lwip_timers_init(void)
{
	for (int i = 0; i < lwip_num_cyclic_timers; i++)
		sys_untimeout(lwip_cyclic_timer,
			      (void *)&lwip_cyclic_timers[i]);
	last_tick_ms = now_ms();
	poke_msg = tcpip_callbackmsg_new(poked, NULL);
	LWIP_ASSERT("ember_lwip_timers_init: out of memory", poke_msg);
	started = 1;
}
