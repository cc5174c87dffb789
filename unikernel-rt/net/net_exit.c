/*
 * exit() with connections open. On Linux, data that send() or close()
 * accepted is still delivered after the process ends: the kernel keeps
 * sending. Here the stack ends with the VM, so at exit (an atexit
 * handler, registered when the device starts) we give queued TCP data
 * up to DRAIN_NS to be sent and acknowledged, then push out whatever
 * sits in the transmit ring. An idle connection costs nothing.
 */
#include <stdlib.h>

#include "../fd.h"
#include "../rt.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "net.h"
#include "vnet.h"

#define DRAIN_NS   1000000000ull /* 1 s */
#define RECHECK_NS 5000000ull	 /* freed pcbs send no events: poll */

static int tcp_has_queued_data(void)
{
	int busy = 0;

	LOCK_TCPIP_CORE();
	for (const struct tcp_pcb *p = tcp_active_pcbs; p && !busy; p = p->next)
		busy = p->unsent || p->unacked;
	UNLOCK_TCPIP_CORE();
	return busy;
}

static void drain(void)
{
	uint64_t deadline = ember_monotonic_ns() + DRAIN_NS;

	while (tcp_has_queued_data()) {
		uint64_t now = ember_monotonic_ns();
		if (now >= deadline)
			break;
		uint64_t next = now + RECHECK_NS;
		ember_poll_wait(next < deadline ? next : deadline);
	}
	if (vnet_tx_unflushed())
		vnet_tx_kick();
}

void ember_net_drain_at_exit(void)
{
	atexit(drain);
}
