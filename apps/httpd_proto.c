/*
 * httpd's protocol engine: turns a connection's buffered requests into
 * buffered responses (routes, status lines, headers, the echo body), as
 * far as its output buffer has room. No I/O here: httpd.c reads and
 * sends.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "httpd.h"

static const char page[] =
    "<!DOCTYPE html>\n<html><head><title>Ember httpd</title></head>\n"
    "<body><h1>Hello from Ember!</h1>\n"
    "<p>This page was served by httpd, a plain POSIX C program.</p>\n"
    "<p>Try <a href=\"/json\">/json</a> or POST to /echo.</p>\n"
    "</body></html>\n";

static uint64_t uptime_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t ns = (int64_t)(t.tv_sec - started.tv_sec) * 1000000000 +
		     (t.tv_nsec - started.tv_nsec);
	return ns > 0 ? (uint64_t)ns / 1000000 : 0;
}

/* The Date header's value (RFC 9110 IMF-fixdate), formatted once per
 * second rather than once per response. */
static const char *http_date(void)
{
	static char buf[40];
	static time_t last = -1;
	time_t now = time(NULL);

	if (now != last) {
		struct tm tm;
		last = now;
		if (!gmtime_r(&now, &tm) ||
		    !strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT",
			      &tm))
			buf[0] = '\0';
	}
	return buf;
}

/* Appends a status line and headers; the caller appends len body bytes
 * (or none for HEAD). Needs HEAD_ROOM. */
static void put_head(struct conn *c, const char *status, const char *type,
		     uint64_t len, const char *extra)
{
	int n = snprintf(c->out + c->out_len, out_room(c),
			 "HTTP/1.1 %s\r\nServer: ember-httpd\r\n"
			 "Date: %s\r\n"
			 "Content-Type: %s\r\nContent-Length: %llu\r\n%s%s\r\n",
			 status, http_date(), type, (unsigned long long)len,
			 c->close_after ? "Connection: close\r\n" : "",
			 extra ? extra : "");
	c->out_len += (size_t)n;
	requests++;
}

static void respond(struct conn *c, const char *status, const char *type,
		    const char *body, size_t len, bool head_only)
{
	put_head(c, status, type, len, NULL);
	if (!head_only)
		out_put(c, body, len);
}

/* An error that ends the connection: the request cannot be framed. */
static void fail(struct conn *c, const char *status)
{
	char body[96];
	int n = snprintf(body, sizeof(body), "%s\n", status);

	c->close_after = true;
	respond(c, status, "text/plain", body, (size_t)n, false);
}

static void route(struct conn *c, const struct request *r)
{
	bool get = token_eq(r->method, r->method_len, "GET");
	bool head = token_eq(r->method, r->method_len, "HEAD");
	bool post = token_eq(r->method, r->method_len, "POST");

	if (token_eq(r->path, r->path_len, "/")) {
		if (get || head)
			respond(c, "200 OK", "text/html; charset=utf-8", page,
				sizeof(page) - 1, head);
		else
			put_head(c, "405 Method Not Allowed", "text/plain", 0,
				 "Allow: GET, HEAD\r\n");
	} else if (token_eq(r->path, r->path_len, "/json")) {
		char body[160];
		int n =
		    snprintf(body, sizeof(body),
			     "{\"server\":\"ember-httpd\",\"requests\":%llu,"
			     "\"uptime_ms\":%llu}\n",
			     (unsigned long long)requests + 1,
			     (unsigned long long)uptime_ms());
		if (get || head)
			respond(c, "200 OK", "application/json", body,
				(size_t)n, head);
		else
			put_head(c, "405 Method Not Allowed", "text/plain", 0,
				 "Allow: GET, HEAD\r\n");
	} else if (token_eq(r->path, r->path_len, "/echo")) {
		if (post) {
			put_head(c, "200 OK", "application/octet-stream",
				 r->length, NULL);
			c->state = ECHO_BODY;
		} else {
			put_head(c, "405 Method Not Allowed", "text/plain", 0,
				 "Allow: POST\r\n");
		}
	} else {
		respond(c, "404 Not Found", "text/plain", "not found\n", 10,
			head);
	}
}

/* Handles the complete head in[in_off..in_off+n). */
static void handle_request(struct conn *c, size_t n)
{
	struct request r;

	if (!parse_head(&r, c->in + c->in_off, n)) {
		c->in_off += n;
		fail(c, "400 Bad Request");
		return;
	}
	c->in_off += n;
	if (r.chunked) {
		fail(c, "411 Length Required");
		return;
	}
	if (r.other_coding) {
		fail(c, "501 Not Implemented");
		return;
	}
	if (r.bad_expect) {
		fail(c, "417 Expectation Failed");
		return;
	}
	c->close_after = r.conn_close || (r.minor == 0 && !r.conn_keep) ||
			 (max_requests && requests + 1 >= max_requests);
	c->state = DISCARD_BODY; /* unless route() echoes it */
	c->body_left = r.has_length ? r.length : 0;
	if (r.expect_continue && c->body_left > 0) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		out_put(c, cont, sizeof(cont) - 1);
	}
	route(c, &r);
	if (c->body_left == 0)
		c->state = READ_HEAD;
}

bool process(struct conn *c)
{
	bool full = false;

	while (!c->close_after || c->state != READ_HEAD) {
		size_t avail = c->in_len - c->in_off;

		if (c->state != READ_HEAD) {
			size_t n = avail;
			if (n > c->body_left)
				n = (size_t)c->body_left;
			if (c->state == ECHO_BODY) {
				out_compact(c);
				if (n > out_room(c)) {
					n = out_room(c);
					full = true;
				}
				out_put(c, c->in + c->in_off, n);
			}
			c->in_off += n;
			c->body_left -= n;
			if (c->body_left == 0)
				c->state = READ_HEAD;
			else
				break; /* needs input or output room */
			continue;
		}
		const char *h = c->in + c->in_off;
		const char *e =
		    avail >= 4 ? memmem(h, avail, "\r\n\r\n", 4) : NULL;
		if (!e) {
			if (c->in_off == 0 && c->in_len == buf_size) {
				out_compact(c);
				if (out_room(c) < HEAD_ROOM) {
					full = true;
					break;
				}
				fail(c, "431 Request Header Fields Too Large");
			}
			break;
		}
		out_compact(c);
		if (out_room(c) < HEAD_ROOM + sizeof(page)) {
			full = true; /* send what is there first */
			break;
		}
		handle_request(c, (size_t)(e + 4 - h));
		if (max_requests && requests >= max_requests)
			finished = true;
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	return full;
}
