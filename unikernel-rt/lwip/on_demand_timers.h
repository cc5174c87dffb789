/*
 * lwIP's periodic timers, run only while they have work
 * (on_demand_timers.c says how), so that an idle guest blocks with no
 * deadline and its VM costs no host CPU.
 */
#ifndef EMBER_LWIP_ON_DEMAND_TIMERS_H
#define EMBER_LWIP_ON_DEMAND_TIMERS_H

#include "lwip/arch.h"

/* Take over lwIP's cyclic timers. In the tcpip thread, core lock held,
 * right after tcpip_init. */
void ember_lwip_timers_init(void);

/* A frame went in or out (core lock held), an IPv4 fragment or not:
 * ARP and reassembly tick again until the network is quiet. */
void ember_lwip_traffic(int ip_fragment);

/* The core lock was just taken: replay the ARP ticks missed while
 * parked, before any lwIP code looks at the table. */
void ember_lwip_timers_on_lock(void);

/* The core lock is about to be released: arm the timers lwIP now needs
 * and make the tcpip thread see any deadline set meanwhile. */
void ember_lwip_timers_on_unlock(void);

/* sys_arch_mbox_fetch: how long the tcpip thread may really sleep when
 * lwIP asks for timeout_ms (0: for good), and that it woke up. Other
 * threads get timeout_ms back. */
u32_t ember_lwip_tcpip_sleep(u32_t timeout_ms);
void ember_lwip_tcpip_woke(void);

/* LWIP_MARK_TCPIP_THREAD: the tcpip thread starts. */
void ember_lwip_mark_tcpip_thread(void);

#endif
