/*
 * The life of a thread: creation (clone()d pthreads and the runtime's
 * own spawned threads), first frame and stack, the list of live threads
 * for tid lookups, and the end of a thread. Running them is sched.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rt.h"
#include "sched_impl.h"
#include "syscalls.h"

#define GUARD	    4096u
#define INIT_MXCSR  0x1f80u
#define INIT_X87_CW 0x37fu
#define FRAME_WORDS 8 /* control word slot, 6 registers, return address */

static struct ember_thread *all;
static int nthreads, next_tid = 2;

void ember_thread_link(struct ember_thread *t)
{
	t->all_prev = NULL;
	t->all_next = all;
	if (all)
		all->all_prev = t;
	all = t;
	nthreads++;
}

static void unlink_thread(struct ember_thread *t)
{
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		all = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	nthreads--;
}

/* Build the first frame of a thread that starts in the trampoline with
 * fn in r12 and its argument at *arg_slot (8 mod 16), in the layout
 * sched_switch.S restores. */
static void init_frame(struct ember_thread *t, uint64_t *arg_slot,
		       int (*fn)(void *))
{
	uint64_t *sp = arg_slot - FRAME_WORDS;

	memset(sp, 0, FRAME_WORDS * sizeof(*sp));
	sp[0] = INIT_MXCSR | (uint64_t)INIT_X87_CW << 32;
	sp[4] = (uint64_t)(uintptr_t)fn;		      /* r12 */
	sp[7] = (uint64_t)(uintptr_t)ember_thread_trampoline; /* ret */
	t->sp = (uint64_t)(uintptr_t)sp;
}

int ember_thread_stack(struct ember_thread *t, size_t size, int (*fn)(void *),
		       void *arg)
{
	long map;
	uint64_t *slot;

	size = (size + GUARD - 1) & ~(size_t)(GUARD - 1);
	if (size < 2 * GUARD)
		size = 2 * GUARD;
	map = ember_sys_mmap(0, size + GUARD, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map < 0)
		return (int)map;
	if (ember_sys_mprotect((unsigned long)map, GUARD, PROT_NONE) < 0) {
		ember_sys_munmap((unsigned long)map, size + GUARD);
		return -ENOMEM;
	}
	t->stack_map = (uintptr_t)map;
	t->stack_map_len = size + GUARD;
	/* The argument where musl's __clone would have put it. */
	slot = (uint64_t *)(t->stack_map + t->stack_map_len - 8);
	*slot = (uint64_t)(uintptr_t)arg;
	init_frame(t, slot, fn);
	return 0;
}

static struct ember_thread *new_thread(uint64_t fs_base)
{
	struct ember_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = next_tid++;
	t->fs_base = fs_base;
	t->deadline = EMBER_NO_DEADLINE;
	return t;
}

struct ember_thread *ember_thread_clone(int (*fn)(void *), void *stack,
					uint64_t tls)
{
	struct ember_thread *t = new_thread(tls);

	if (!t)
		return NULL;
	init_frame(t, stack, fn);
	ember_thread_link(t);
	ember_sched_add(t);
	return t;
}

static int spawn_main(void *p)
{
	struct ember_thread *t = p;

	t->spawn_fn(t->spawn_arg);
	return 0;
}

int ember_thread_spawn(void (*fn)(void *), void *arg, size_t stack_size,
		       const char *name)
{
	struct ember_thread *t = new_thread(ember_thread_get_fs());
	int r;

	if (!t)
		return -ENOMEM;
	t->spawn_fn = fn;
	t->spawn_arg = arg;
	t->name = name;
	r = ember_thread_stack(t, stack_size, spawn_main, t);
	if (r < 0) {
		free(t);
		return r;
	}
	ember_thread_link(t);
	ember_sched_add(t);
	return 0;
}

int ember_thread_tid(const struct ember_thread *t)
{
	return t->tid;
}

struct ember_thread *ember_thread_by_tid(int tid)
{
	for (struct ember_thread *t = all; t; t = t->all_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

int ember_thread_count(void)
{
	return nthreads;
}

/* The last thread's exit is the program's; any other thread clears and
 * wakes its CLONE_CHILD_CLEARTID word (musl's thread-list lock, or the
 * word pthread_join waits on) and leaves for good. */
_Noreturn void ember_thread_exit(int status)
{
	struct ember_thread *t = ember_thread_self();

	if (nthreads == 1)
		ember_exit(status);
	if (t->clear_tid && ember_range_readable(t->clear_tid, sizeof(int))) {
		*t->clear_tid = 0;
		ember_futex_wake(t->clear_tid, 1);
	}
	unlink_thread(t);
	ember_sched_exit();
}
