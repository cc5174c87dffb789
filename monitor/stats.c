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

static int write_file(const struct vm *vm, const char *path)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(".XXXXXX"));
	FILE *f;
	int fd, bad;

	if (!tmp)
		return -1;
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	/* mkostemp creates it 0600; a stats file is not secret. */
	if (fd >= 0 && fchmod(fd, 0644) < 0) {
		close(fd);
		unlink(tmp);
		fd = -1;
	}
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		errno = e;
		return -1;
	}
	json(f, vm);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	if (!bad && rename(tmp, path) < 0)
		bad = 1;
	if (bad) {
		int e = errno;

		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return bad ? -1 : 0;
}

int stats_write(const struct vm *vm, const char *path)
{
	if (strcmp(path, "-") == 0) {
		json(stderr, vm);
		return 0;
	}
	if (write_file(vm, path) < 0) {
		vmm_error("--stats: cannot write '%s': %s", path,
			  strerror(errno));
		return -1;
	}
	return 0;
}
