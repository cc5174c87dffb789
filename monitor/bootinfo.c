/*
 * The boot info region [EMBER_BOOTINFO_GPA, +EMBER_BOOTINFO_SIZE), read
 * only for the guest: struct ember_bootinfo, then the argv and envp
 * pointer arrays (guest addresses), then the strings they point to.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core.h"
#include "net.h"

struct strings {
	char *const *v;
	size_t n;
};

static uint64_t align8(uint64_t x)
{
	return (x + 7) & ~7ull;
}

size_t manifest_args(const struct ember_manifest *mf, char **argv, size_t max)
{
	size_t n = 0;
	uint32_t len = mf->args_len;

	/* image_load() checked len <= EMBER_MANIFEST_ARGS_MAX and that
	 * args[len - 1] is NUL. */
	for (uint32_t i = 0; i < len && n < max;) {
		argv[n++] = (char *)&mf->args[i];
		i += (uint32_t)strlen(&mf->args[i]) + 1;
	}
	return n;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int fill_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Bytes of the pointer array and strings for s (and the extra first
 * string, if any). */
static uint64_t strings_size(const struct strings *s, const char *first)
{
	uint64_t n = (s->n + 1 + (first != NULL)) * 8;

	if (first)
		n += strlen(first) + 1;
	for (size_t i = 0; i < s->n; i++)
		n += strlen(s->v[i]) + 1;
	return n;
}

/* Write the pointer array at *gpa followed by its strings; returns the
 * array's guest address and advances *gpa. */
static uint64_t put_strings(uint8_t *region, uint64_t *gpa,
			    const struct strings *s, const char *first)
{
	size_t count = s->n + (first != NULL);
	uint64_t array = *gpa, str = array + (count + 1) * 8;
	uint64_t *ptrs = (uint64_t *)(region + (array - EMBER_BOOTINFO_GPA));

	for (size_t i = 0; i < count; i++) {
		const char *p = first && i == 0 ? first : s->v[i - !!first];
		size_t len = strlen(p) + 1;

		memcpy(region + (str - EMBER_BOOTINFO_GPA), p, len);
		ptrs[i] = str;
		str += len;
	}
	ptrs[count] = 0;
	*gpa = align8(str);
	return array;
}

static void fill_header(struct vm *vm, struct ember_bootinfo *bi,
			uint64_t boot_tsc, uint64_t tsc_khz)
{
	const struct guest_layout *l = &vm->layout;
	int kvm = strcmp(vm->be->name, "kvm") == 0;

	bi->magic = EMBER_BOOTINFO_MAGIC;
	bi->abi_version = EMBER_ABI_VERSION;
	/* EMBER_BI_FSGSBASE is the backend's to add in prepare(): only it
	 * knows whether the guest can use wrfsbase. */
	bi->flags = vm->opt->quiet ? EMBER_BI_QUIET : 0;
	bi->backend = kvm ? EMBER_BACKEND_KVM : EMBER_BACKEND_PROCESS;
	bi->mem_size = l->mem_size;
	bi->image_start = l->image_start;
	bi->image_end = l->image_end;
	bi->heap_start = l->heap_start;
	bi->heap_end = l->heap_end;
	bi->stack_bottom = l->stack_bottom;
	bi->stack_top = l->stack_top;
	bi->tsc_khz = tsc_khz;
	bi->boot_tsc = boot_tsc;
	bi->boot_realtime_ns = realtime_ns();
	strcpy(bi->hostname, "ember");
}

/* bootinfo.net: where the device is and how the guest configures its
 * interface (ip 0: DHCP). */
static void fill_net(const struct vm *vm, struct ember_bootinfo *bi)
{
	const struct net_options *o = &vm->opt->net;
	struct ember_net_config *n = &bi->net;

	if (!vm->net)
		return;
	bi->flags |= EMBER_BI_NET;
	n->mmio_base = EMBER_NET_MMIO_GPA;
	n->mmio_size = EMBER_NET_MMIO_SIZE;
	memcpy(n->mac, o->mac, sizeof(n->mac));
	n->prefix_len = o->ip ? o->prefix_len : 0;
	n->ndns = (uint8_t)o->ndns;
	n->mtu = VNET_MTU;
	n->ip = o->ip;
	n->gw = o->gw;
	memcpy(n->dns, o->dns, sizeof(n->dns));
}

int bootinfo_write(struct vm *vm, char *const *args, size_t nargs,
		   uint64_t boot_tsc, uint64_t tsc_khz)
{
	uint8_t *region =
	    guest_ptr(&vm->mem, EMBER_BOOTINFO_GPA, EMBER_BOOTINFO_SIZE);
	struct ember_bootinfo bi;
	struct strings av = {args, nargs};
	struct strings ev = {vm->opt->env, vm->opt->nenv};
	const char *name = base_name(vm->img.path);
	uint64_t gpa = align8(EMBER_BOOTINFO_GPA + sizeof(bi));
	uint64_t need = (gpa - EMBER_BOOTINFO_GPA) + strings_size(&av, name) +
			8 + strings_size(&ev, NULL);

	if (!region) {
		vmm_error("guest memory too small for the boot info");
		return -1;
	}
	if (need > EMBER_BOOTINFO_SIZE) {
		vmm_error("the guest arguments and environment need %llu "
			  "bytes, more than the %llu bytes of boot info; pass "
			  "fewer or shorter arguments and --env values",
			  (unsigned long long)need,
			  (unsigned long long)EMBER_BOOTINFO_SIZE);
		return -1;
	}
	memset(&bi, 0, sizeof(bi));
	fill_header(vm, &bi, boot_tsc, tsc_khz);
	fill_net(vm, &bi);
	if (fill_random(bi.random_seed, sizeof(bi.random_seed)) < 0) {
		vmm_error("getrandom failed: %s", strerror(errno));
		return -1;
	}
	bi.argc = (uint32_t)(nargs + 1);
	bi.envc = (uint32_t)ev.n;
	bi.argv = put_strings(region, &gpa, &av, name);
	bi.envp = put_strings(region, &gpa, &ev, NULL);
	memcpy(region, &bi, sizeof(bi));
	return 0;
}
