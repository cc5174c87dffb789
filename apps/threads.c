/*
 * threads: exercises POSIX threads (create/join/detach, mutexes,
 * condition variables, keys, TLS, sleeping, cancellation) and the descriptors
 * threads talk through (a pipe, eventfd), checking every result itself;
 * apps/fds.c covers descriptors, poll, select and epoll. Plain POSIX C: nothing
 * here knows it runs on Ember.
 *
 * Output: one "threads: FAIL ..." line per failed check, then
 * "threads: ok" and exit 0, or "threads: N checks failed" and exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("threads: FAIL %s:%d: %s\n", __func__,          \
			       __LINE__, #cond);                               \
			failed++;                                              \
		}                                                              \
	} while (0)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- create, join, return values, tids, TLS ---- */

static __thread int tls_value = 42;

static void *square(void *arg)
{
	long v = (long)arg;

	tls_value = (int)v;
	sched_yield(); /* let the others overwrite theirs, if shared */
	if (tls_value != (int)v)
		return (void *)-1L;
	return (void *)(v * v + ((long)gettid() << 32));
}

static void test_create_join(void)
{
	pthread_t t[8];
	long tids[8];

	for (long i = 0; i < 8; i++)
		CHECK(pthread_create(&t[i], NULL, square, (void *)i) == 0);
	for (long i = 0; i < 8; i++) {
		void *r;

		CHECK(pthread_join(t[i], &r) == 0);
		CHECK(((long)r & 0xffffffff) == i * i);
		tids[i] = (long)r >> 32;
		CHECK(tids[i] != gettid() && tids[i] > 0);
		for (long j = 0; j < i; j++)
			CHECK(tids[j] != tids[i]);
	}
	CHECK(tls_value == 42);
	CHECK(gettid() == getpid());
}

/* ---- mutexes and condition variables ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long shared_count;
static int finished;

static void *add_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&lock);
		long v = shared_count;
		if (i % 7 == 0)
			sched_yield(); /* switch while holding the lock */
		shared_count = v + 1;
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	finished++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void test_mutex_cond(void)
{
	pthread_t t[4];
	struct timespec dl;
	double t0;

	shared_count = 0;
	finished = 0;
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_create(&t[i], NULL, add_many, NULL) == 0);
		CHECK(pthread_detach(t[i]) == 0);
	}
	pthread_mutex_lock(&lock);
	while (finished < 4)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	CHECK(shared_count == 4 * 2000);

	/* A timed wait that nobody signals ends on time. */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_nsec += 50 * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	t0 = now_ms();
	pthread_mutex_lock(&lock);
	CHECK(pthread_cond_timedwait(&cond, &lock, &dl) == ETIMEDOUT);
	pthread_mutex_unlock(&lock);
	CHECK(now_ms() - t0 >= 45 && now_ms() - t0 < 5000);
	CHECK(pthread_mutex_trylock(&lock) == 0);
	CHECK(pthread_mutex_trylock(&lock) == EBUSY);
	pthread_mutex_unlock(&lock);
}

/* ---- more synchronisation: broadcast to many, rwlock, barrier,
 * semaphore, once ---- */

static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static sem_t sem;
static int go, woke, once_runs, serial;

static void count_once(void)
{
	once_runs++;
}

static void *sync_worker(void *arg)
{
	(void)arg;
	pthread_once(&once, count_once);
	pthread_mutex_lock(&lock);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	woke++;
	pthread_mutex_unlock(&lock);
	pthread_rwlock_rdlock(&rw);
	sched_yield(); /* other readers get in meanwhile */
	pthread_rwlock_unlock(&rw);
	if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
		serial++;
	sem_post(&sem);
	return NULL;
}

static void test_sync(void)
{
	pthread_t t[6];

	CHECK(pthread_barrier_init(&barrier, NULL, 6) == 0);
	CHECK(sem_init(&sem, 0, 0) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(pthread_create(&t[i], NULL, sync_worker, NULL) == 0);
	sleep_ms(5); /* all six wait on the condition variable */
	CHECK(pthread_rwlock_wrlock(&rw) == 0);
	pthread_mutex_lock(&lock);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	sleep_ms(5); /* they are stuck on the write lock now */
	CHECK(woke == 6);
	CHECK(pthread_rwlock_unlock(&rw) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(sem_wait(&sem) == 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	CHECK(once_runs == 1);
	CHECK(serial == 1);
	CHECK(sem_trywait(&sem) == -1 && errno == EAGAIN);
	pthread_barrier_destroy(&barrier);
	sem_destroy(&sem);
}

/* ---- thread-specific data ---- */

static pthread_key_t key;
static int destructed;

static void destructor(void *p)
{
	destructed += (int)(intptr_t)p;
}

static void *use_key(void *arg)
{
	pthread_setspecific(key, arg);
	sched_yield();
	return pthread_getspecific(key);
}

static void test_keys(void)
{
	pthread_t t[5];

	CHECK(pthread_key_create(&key, destructor) == 0);
	for (long i = 0; i < 5; i++)
		CHECK(pthread_create(&t[i], NULL, use_key, (void *)(i + 1)) ==
		      0);
	for (long i = 0; i < 5; i++) {
		void *r;

		pthread_join(t[i], &r);
		CHECK((long)r == i + 1);
	}
	CHECK(destructed == 1 + 2 + 3 + 4 + 5);
	CHECK(pthread_getspecific(key) == NULL);
	pthread_key_delete(key);
}

/* ---- many threads: stacks must be given back ---- */

static void *nothing(void *arg)
{
	return arg;
}

static void *count_up(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	finished++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void test_many(void)
{
	pthread_attr_t attr;
	int errors = 0;

	/* 1000 x 256 KiB is more than the guest has: a leak fails here. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < 1000; i++) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, &attr, nothing, (void *)(long)i) ||
		    pthread_join(t, &r) || (long)r != i)
			errors++;
	}
	CHECK(errors == 0);
	finished = 0;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 500; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, count_up, NULL))
			errors++;
		if (i % 50 == 49) { /* let them end and unmap themselves */
			pthread_mutex_lock(&lock);
			while (finished < i + 1)
				pthread_cond_wait(&cond, &lock);
			pthread_mutex_unlock(&lock);
		}
	}
	CHECK(errors == 0);
	pthread_attr_destroy(&attr);
	sleep_ms(1);
}

/* ---- sleeping threads run concurrently ---- */

static volatile long spins;

static void *sleeper(void *arg)
{
	sleep_ms((long)arg);
	return NULL;
}

static void *spinner(void *arg)
{
	double end = now_ms() + (long)arg;

	while (now_ms() < end) {
		spins++;
		sched_yield();
	}
	return NULL;
}

static void test_sleep(void)
{
	pthread_t t[6];
	double t0 = now_ms(), took;

	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, sleeper, (void *)100L);
	pthread_create(&t[5], NULL, spinner, (void *)50L);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	took = now_ms() - t0;
	CHECK(took >= 95);
	CHECK(took < 2000); /* five 100 ms sleeps, side by side */
	CHECK(spins > 10);  /* it ran while the others slept */
}

/* ---- a pipe between two threads ---- */

#define PIPE_BYTES (1 << 20)

static void *producer(void *arg)
{
	int fd = (int)(long)arg;
	static unsigned char buf[9000];
	long sum = 0;

	for (size_t sent = 0, k = 0; sent < PIPE_BYTES; k++) {
		size_t n = 1 + (k * 977) % sizeof(buf);

		if (n > PIPE_BYTES - sent)
			n = PIPE_BYTES - sent;
		for (size_t i = 0; i < n; i++) {
			buf[i] = (unsigned char)(sent + i);
			sum += buf[i];
		}
		if (write(fd, buf, n) != (ssize_t)n)
			return (void *)-1L;
		sent += n;
	}
	close(fd);
	return (void *)sum;
}

static void test_pipe(void)
{
	int p[2];
	pthread_t t;
	unsigned char buf[5000];
	long sum = 0, got = 0, ok = 1;
	void *r;
	ssize_t n;

	CHECK(pipe(p) == 0);
	CHECK(pthread_create(&t, NULL, producer, (void *)(long)p[1]) == 0);
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			ok &= buf[i] == (unsigned char)(got + i);
			sum += buf[i];
		}
		got += n;
	}
	CHECK(n == 0);
	pthread_join(t, &r);
	CHECK(got == PIPE_BYTES);
	CHECK(ok);
	CHECK((long)r == sum);
	/* Writing with the read end closed: EPIPE (SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	CHECK(pipe(p) == 0);
	close(p[0]);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	close(p[1]);
}

/* ---- eventfd ---- */

static void *bump_later(void *arg)
{
	uint64_t one = 1;

	sleep_ms(20);
	return (void *)(long)write((int)(long)arg, &one, sizeof(one));
}

static void test_eventfd(void)
{
	int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v = 0;
	pthread_t t;
	void *r;

	CHECK(fd >= 0);
	for (int i = 0; i < 3; i++)
		CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1);
	CHECK(read(fd, &v, sizeof(v)) == -1 && errno == EAGAIN);
	close(fd);

	fd = eventfd(0, 0);
	CHECK(pthread_create(&t, NULL, bump_later, (void *)(long)fd) == 0);
	CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1); /* blocks until then */
	pthread_join(t, &r);
	CHECK((long)r == 8);
	v = 5;
	CHECK(write(fd, &v, sizeof(v)) == 8 && write(fd, &v, sizeof(v)) == 8);
	CHECK(read(fd, &v, sizeof(v)) == 8 && v == 10);
	v = UINT64_MAX;
	CHECK(write(fd, &v, sizeof(v)) == -1 && errno == EINVAL);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL);
	close(fd);
}

/* ---- cancellation of blocked threads ---- */

static int cleaned;

static void unlock_and_count(void *m)
{
	cleaned++;
	pthread_mutex_unlock(m);
}

static void *wait_forever(void *arg)
{
	pthread_mutex_lock(&lock);
	pthread_cleanup_push(unlock_and_count, &lock);
	for (;;)
		pthread_cond_wait(&cond, &lock); /* nobody signals */
	pthread_cleanup_pop(1);
	return arg;
}

static void *sleep_forever(void *arg)
{
	for (;;)
		sleep_ms(1000000);
	return arg;
}

static void *read_forever(void *arg)
{
	char c;

	while (read((int)(long)arg, &c, 1) != 0)
		;
	return NULL;
}

static void test_cancel(void)
{
	void *(*fns[3])(void *) = {wait_forever, sleep_forever, read_forever};
	int p[2];

	CHECK(pipe(p) == 0);
	for (int i = 0; i < 3; i++) {
		pthread_t t;
		void *r = NULL;

		CHECK(pthread_create(&t, NULL, fns[i], (void *)(long)p[0]) ==
		      0);
		sleep_ms(5); /* let it block */
		CHECK(pthread_cancel(t) == 0);
		CHECK(pthread_join(t, &r) == 0);
		CHECK(r == PTHREAD_CANCELED);
	}
	CHECK(cleaned == 1);
	CHECK(pthread_mutex_trylock(&lock) == 0); /* the handler unlocked */
	pthread_mutex_unlock(&lock);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_create_join();
	test_mutex_cond();
	test_sync();
	test_keys();
	test_many();
	test_sleep();
	test_pipe();
	test_eventfd();
	test_cancel();
	if (failed) {
		printf("threads: %d checks failed\n", failed);
		return 1;
	}
	printf("threads: ok\n");
	return 0;
}
