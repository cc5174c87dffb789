/*
 * httpd's parts (apps/httpd.c): the connection state shared by the event
 * loop (httpd.c), the HTTP protocol engine (httpd_proto.c) and the request
 * parser (httpd_parse.c).
 */
#ifndef EMBER_APPS_HTTPD_H
#define EMBER_APPS_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* Room a response header (or a whole small response) needs. */
#define HEAD_ROOM 1024

enum conn_state { READ_HEAD, ECHO_BODY, DISCARD_BODY };

struct conn {
	int fd;
	uint32_t events; /* registered with epoll */
	enum conn_state state;
	bool rd_eof;	      /* the peer shut down its side */
	bool close_after;     /* close once the output is sent */
	bool lingering;	      /* shut down for writing, waiting for EOF */
	int64_t linger_until; /* ms, monotonic */
	uint64_t body_left;
	char *in, *out;
	size_t in_off, in_len, out_off, out_len;
	struct conn *next_free;
	struct conn *linger_prev, *linger_next; /* while lingering */
};

/* Settings and counters (httpd.c). */
extern size_t buf_size;		/* -b: each of a connection's buffers */
extern uint64_t max_requests;	/* -n, 0 = no limit */
extern uint64_t requests;	/* responses started */
extern bool finished;		/* -n N: the Nth request was answered */
extern struct timespec started; /* CLOCK_MONOTONIC at start-up */

int64_t now_ms(void);

/* ---- output buffer ----------------------------------------------------- */

static inline size_t out_room(const struct conn *c)
{
	return buf_size - c->out_len;
}

/* Moves pending output to the front so that out_room() is all there is. */
static inline void out_compact(struct conn *c)
{
	if (c->out_off == 0)
		return;
	memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
	c->out_len -= c->out_off;
	c->out_off = 0;
}

static inline void out_put(struct conn *c, const void *p, size_t n)
{
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/* ---- request parsing (httpd_parse.c) ------------------------------------ */

struct request {
	const char *method, *path;
	size_t method_len, path_len;
	int minor; /* HTTP/1.minor */
	bool has_length, chunked, other_coding, conn_close, conn_keep;
	bool expect_continue, bad_expect;
	uint64_t length;
};

/* Is p[0..n) the token lit (case-insensitive)? */
bool token_eq(const char *p, size_t n, const char *lit);
/* Parses the head h[0..n) (ending with the blank line); false if it is
 * malformed or its headers conflict. */
bool parse_head(struct request *r, const char *h, size_t n);

/* ---- protocol (httpd_proto.c) ------------------------------------------ */

/* Turns c's buffered input into buffered output as far as the output
 * buffer allows. Returns true when it stopped for lack of output room. */
bool process(struct conn *c);

#endif
