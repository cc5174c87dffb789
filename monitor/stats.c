/*
 * --stats: the boot timeline, exits by kind and hypercalls by port as one
 * JSON object, written when the VM ends. A file is written to a temporary
 * name and renamed into place, so readers never see half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

static const char *const exit_kinds[STAT_EXIT_KINDS] = {
    "hypercall", "mmio",     "notify", "other_io",
    "intr",	 "shutdown", "fault",  "other",
};

static const char *const hc_kinds[] = {
    "console", "exit", "block", "protect", "crash", "set_fs_base", "invalid",
};

uint64_t stats_tsc_to_ns(const struct stats *st, uint64_t tsc)
{
	uint64_t d, q, r;

	if (tsc == 0 || st->tsc_khz == 0 || st->t_boot == 0 ||
	    tsc < st->boot_tsc)
		return 0;
	/* ns = d * 1e6 / khz, split so that nothing overflows. */
	d = tsc - st->boot_tsc;
	q = d / st->tsc_khz;
	r = d % st->tsc_khz;
	if (q > (UINT64_MAX - st->t_boot) / 1000000u - 1)
		return 0;
	return st->t_boot + q * 1000000u + r * 1000000u / st->tsc_khz;
}

static const char *exit_reason(enum vm_end end)
{
	switch (end) {
	case VM_EXITED:
		return "exit";
	case VM_CRASHED:
		return "crash";
	case VM_TIMEOUT:
		return "timeout";
	default:
		return "error";
	}
}

/* A timeline point in microseconds since t_start, or null. */
static void point(FILE *f, const char *name, uint64_t t, uint64_t start,
		  const char *sep)
{
	if (t == 0 || t < start)
		fprintf(f, "\"%s\": null%s", name, sep);
	else
		fprintf(f, "\"%s\": %.1f%s", name, (double)(t - start) / 1e3,
			sep);
}

/* The network device's counters; null without --net. */
static void json_net(FILE *f, const struct vm *vm)
{
	const struct net_stats *n = &vm->stats.net;

	if (!vm->opt || !vm->opt->net.tap) {
		fprintf(f, "  \"net\": null,\n");
		return;
	}
	fprintf(f,
		"  \"net\": {\"rx_packets\": %" PRIu64
		", \"rx_bytes\": %" PRIu64 ", \"rx_dropped\": %" PRIu64
		", \"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		", \"tx_dropped\": %" PRIu64 ", \"notifies\": %" PRIu64
		", \"mmio_reads\": %" PRIu64 ", \"mmio_writes\": %" PRIu64
		", \"blocks\": %" PRIu64 ", \"waits\": %" PRIu64 "},\n",
		n->rx_packets, n->rx_bytes, n->rx_dropped, n->tx_packets,
		n->tx_bytes, n->tx_dropped, n->notifies, n->mmio_reads,
		n->mmio_writes, n->blocks, n->waits);
}

static void json(FILE *f, const struct vm *vm)
{
	const struct stats *s = &vm->stats;

	fprintf(f, "{\n  \"backend\": \"%s\",\n", vm->be ? vm->be->name : "");
	fprintf(f, "  \"exit_reason\": \"%s\",\n  \"exit_status\": %d,\n",
		exit_reason(vm->end), vm->exit_status);
	fprintf(f, "  \"timeline_us\": {");
	point(f, "start", s->t_start, s->t_start, ", ");
	point(f, "vm_created", s->t_vm_created, s->t_start, ", ");
	point(f, "image_loaded", s->t_image_loaded, s->t_start, ", ");
	point(f, "first_instruction", s->t_first_insn, s->t_start, ", ");
	point(f, "main", s->t_main, s->t_start, ", ");
	point(f, "exit", s->t_exit, s->t_start, "},\n");
	fprintf(f, "  \"exits\": {");
	for (int i = 0; i < STAT_EXIT_KINDS; i++)
		fprintf(f, "\"%s\": %" PRIu64 "%s", exit_kinds[i], s->exits[i],
			i + 1 < STAT_EXIT_KINDS ? ", " : "},\n");
	fprintf(f, "  \"hypercalls\": {");
	for (size_t i = 0; i < sizeof(hc_kinds) / sizeof(hc_kinds[0]); i++)
		fprintf(
		    f, "\"%s\": %" PRIu64 "%s", hc_kinds[i], s->hypercalls[i],
		    i + 1 < sizeof(hc_kinds) / sizeof(hc_kinds[0]) ? ", "
								   : "},\n");
	fprintf(f, "  \"console_bytes\": %" PRIu64 ",\n", s->console_bytes);
	json_net(f, vm);
	fprintf(f, "  \"mem_bytes\": %" PRIu64 "\n}\n", vm->layout.mem_size);
}

/* The JSON as one malloc'd buffer: written with plain write() calls,
 * all the sandbox allows (no stdio on the file, which would fstat it). */
static char *json_text(const struct vm *vm, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int bad;

	if (!f)
		return NULL;
	json(f, vm);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int stats_prepare(const char *path, const struct user_options *u,
		  struct stats_file *sf)
{
	size_t len = strlen(path);

	sf->fd = -1;
	sf->tmp = malloc(len + sizeof(".XXXXXX"));
	if (!sf->tmp)
		return -1;
	memcpy(sf->tmp, path, len);
	memcpy(sf->tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	sf->fd = mkostemp(sf->tmp, O_CLOEXEC);
	/* mkostemp creates it 0600; a stats file is not secret. With
	 * --user it is that user's, who renames it into place at exit. */
	if (sf->fd >= 0 &&
	    (fchmod(sf->fd, 0644) < 0 ||
	     (u && u->set && fchown(sf->fd, u->uid, u->gid) < 0))) {
		int e = errno;

		close(sf->fd);
		unlink(sf->tmp);
		sf->fd = -1;
		errno = e;
	}
	if (sf->fd < 0) {
		int e = errno;

		free(sf->tmp);
		sf->tmp = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

/* Write the JSON into the prepared temporary file, rename it onto
 * path. */
static int write_file(const struct vm *vm, const char *path,
		      struct stats_file *sf)
{
	size_t len = 0;
	char *text = json_text(vm, &len);
	int bad = !text || write_all(sf->fd, text, len) < 0;

	free(text);
	bad |= close(sf->fd) != 0;
	sf->fd = -1;
	if (!bad && rename(sf->tmp, path) < 0)
		bad = 1;
	if (bad) {
		int e = errno;

		unlink(sf->tmp);
		errno = e;
	}
	free(sf->tmp);
	sf->tmp = NULL;
	return bad ? -1 : 0;
}

int stats_write(const struct vm *vm, const char *path, struct stats_file *sf)
{
	struct stats_file own = {-1, NULL};
	size_t len = 0;
	char *text;

	if (strcmp(path, "-") == 0) {
		/* As with any line to stderr: nothing to do if it is gone. */
		text = json_text(vm, &len);
		if (text && write_all(STDERR_FILENO, text, len) < 0)
			errno = 0;
		free(text);
		return 0;
	}
	/* Not prepared (the VM never got that far): do it all now. */
	if (!sf || sf->fd < 0) {
		sf = &own;
		if (stats_prepare(path, NULL, sf) < 0)
			goto fail;
	}
	if (write_file(vm, path, sf) == 0)
		return 0;
fail:
	vmm_error("--stats: cannot write '%s': %s", path, strerror(errno));
	return -1;
}
