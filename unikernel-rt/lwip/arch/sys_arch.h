/*
 * lwIP's OS types on Ember's cooperative threads (unikernel-rt/sched.h).
 * One vCPU and no preemption: a semaphore or mailbox is plain data plus
 * a wait queue, and only an explicit wait switches threads.
 */
#ifndef EMBER_LWIP_ARCH_SYS_ARCH_H
#define EMBER_LWIP_ARCH_SYS_ARCH_H

#include "sched.h"

struct ember_lwip_sem {
	unsigned count;
	int valid;
	struct ember_waitq waiters;
};

struct ember_lwip_mutex {
	int locked;
	int valid;
	struct ember_waitq waiters;
};

/* A ring of messages that grows on demand up to max entries, so that a
 * thousand idle connections do not each hold a full-size mailbox. */
struct ember_lwip_mbox {
	void **ring;
	unsigned cap, max, head, count;
	int valid;
	struct ember_waitq readers, writers;
};

typedef struct ember_lwip_sem sys_sem_t;
typedef struct ember_lwip_mutex sys_mutex_t;
typedef struct ember_lwip_mbox sys_mbox_t;
typedef struct ember_thread *sys_thread_t;

#define sys_sem_valid(s)	 ((s)->valid)
#define sys_sem_set_invalid(s)	 ((s)->valid = 0)
#define sys_mutex_valid(m)	 ((m)->valid)
#define sys_mutex_set_invalid(m) ((m)->valid = 0)
#define sys_mbox_valid(m)	 ((m)->valid)
#define sys_mbox_set_invalid(m)	 ((m)->valid = 0)

#endif
