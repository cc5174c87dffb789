/*
 * httpd's request parser: the request line and the headers httpd acts on
 * (Content-Length, Transfer-Encoding, Connection, Expect). Strict about
 * framing: CRLF line ends, one consistent Content-Length.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpd.h"

bool token_eq(const char *p, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(p, lit, n) == 0;
}

/* Does the comma-separated header value v[0..n) contain token lit? */
static bool list_has(const char *v, size_t n, const char *lit)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s && token_eq(v + s, e - s, lit))
			return true;
	}
	return false;
}

/* One header line "name: value" (without CRLF). Returns false on a
 * malformed or conflicting header. */
static bool parse_header(struct request *r, const char *l, size_t n)
{
	const char *colon = memchr(l, ':', n);
	if (!colon || colon == l)
		return false;
	size_t nl = (size_t)(colon - l);
	const char *v = colon + 1, *end = l + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vl = (size_t)(end - v);

	if (token_eq(l, nl, "content-length")) {
		uint64_t x = 0;
		if (vl == 0 || vl > 18)
			return false;
		for (size_t i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return false;
			x = x * 10 + (uint64_t)(v[i] - '0');
		}
		if (r->has_length && r->length != x)
			return false;
		r->has_length = true;
		r->length = x;
	} else if (token_eq(l, nl, "transfer-encoding")) {
		if (list_has(v, vl, "chunked"))
			r->chunked = true;
		else
			r->other_coding = true;
	} else if (token_eq(l, nl, "connection")) {
		r->conn_close |= list_has(v, vl, "close");
		r->conn_keep |= list_has(v, vl, "keep-alive");
	} else if (token_eq(l, nl, "expect")) {
		if (token_eq(v, vl, "100-continue"))
			r->expect_continue = true;
		else
			r->bad_expect = true;
	}
	return true;
}

bool parse_head(struct request *r, const char *h, size_t n)
{
	const char *end = h + n, *eol = memchr(h, '\n', n);
	const char *sp1, *sp2;

	memset(r, 0, sizeof(*r));
	if (!eol || eol == h || eol[-1] != '\r')
		return false;
	sp1 = memchr(h, ' ', (size_t)(eol - h));
	if (!sp1)
		return false;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || eol - 1 - sp2 != 9 || strncmp(sp2 + 1, "HTTP/1.", 7) ||
	    sp2[8] < '0' || sp2[8] > '9')
		return false;
	r->method = h;
	r->method_len = (size_t)(sp1 - h);
	r->path = sp1 + 1;
	r->path_len = (size_t)(sp2 - sp1 - 1);
	r->minor = sp2[8] - '0';
	/* absolute-form "http://host/path": keep the path. */
	if (r->path_len > 7 && strncasecmp(r->path, "http://", 7) == 0) {
		const char *p = memchr(r->path + 7, '/', r->path_len - 7);
		size_t skip = p ? (size_t)(p - r->path) : r->path_len;
		r->path += skip;
		r->path_len -= skip;
		if (!p)
			r->path = "/", r->path_len = 1;
	}
	const char *q = memchr(r->path, '?', r->path_len);
	if (q)
		r->path_len = (size_t)(q - r->path);

	for (const char *l = eol + 1; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));
		if (!e || e == l || e[-1] != '\r')
			return false;
		if (e - l == 1) /* the blank line */
			break;
		if (!parse_header(r, l, (size_t)(e - l - 1)))
			return false;
		l = e + 1;
	}
	return true;
}
