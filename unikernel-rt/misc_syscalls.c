/* uname, sysinfo, getcwd: descriptions of the machine we pretend to be. */
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include "rt.h"
#include "syscalls.h"

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

long ember_sys_uname(struct utsname *u)
{
	if (!u)
		return -EFAULT;
	memset(u, 0, sizeof(*u));
	copy_field(u->sysname, sizeof(u->sysname), "Ember");
	/* hostname[64] may lack a NUL: copy_field reads at most 64 bytes. */
	_Static_assert(sizeof(u->nodename) - 1 <= sizeof(ember_bi->hostname),
		       "nodename longer than the boot info hostname");
	copy_field(u->nodename, sizeof(u->nodename), ember_bi->hostname);
	copy_field(u->release, sizeof(u->release), "1.0");
	copy_field(u->version, sizeof(u->version), "Ember ABI 1");
	copy_field(u->machine, sizeof(u->machine), "x86_64");
	copy_field(u->domainname, sizeof(u->domainname), "(none)");
	return 0;
}

long ember_sys_sysinfo(struct sysinfo *si)
{
	if (!si)
		return -EFAULT;
	memset(si, 0, sizeof(*si));
	si->uptime = (long)(ember_monotonic_ns() / 1000000000u);
	si->totalram = ember_bi->mem_size;
	si->freeram = vmem_free_bytes(&ember_vmem);
	si->procs = 1;
	si->mem_unit = 1;
	return 0;
}

/* No file system: we are always at the root. Linux returns the length
 * including the NUL. */
long ember_sys_getcwd(char *buf, size_t size)
{
	if (size < 2)
		return -ERANGE;
	buf[0] = '/';
	buf[1] = '\0';
	return 2;
}
