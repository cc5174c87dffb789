/*
 * --user UID[:GID]: when started as root, ember-vmm opens what needs
 * privileges (/dev/kvm, the tap, the stats file, the guest process) and
 * then runs the guest as an unprivileged user: it drops every group,
 * its gid and its uid (real, effective and saved) and checks that root
 * cannot be had back, before the sandbox is installed. The process
 * backend's guest process switches to the same user before it execs its
 * stub (proc_spawn.c), so the monitor can still signal it and it never
 * runs as root.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "user.h"

/* A decimal id: not -1 (which means "unchanged" to setresuid). */
static int parse_id(const char *s, const char *end, unsigned long *out)
{
	char *e;
	unsigned long v;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e != end || v >= 0xffffffffUL)
		return -1;
	*out = v;
	return 0;
}

int user_option(const char *arg, struct user_options *u)
{
	const char *colon = strchr(arg, ':');
	const char *uend = colon ? colon : arg + strlen(arg);
	unsigned long uid, gid;

	if (parse_id(arg, uend, &uid) < 0 ||
	    (colon && parse_id(colon + 1, colon + strlen(colon), &gid) < 0)) {
		vmm_error("--user: '%s' is not UID[:GID] (numbers), e.g. "
			  "--user 65534:65534",
			  arg);
		return -1;
	}
	if (!colon)
		gid = uid;
	if (uid == 0 || gid == 0) {
		vmm_error("--user: '%s' is root; give an unprivileged UID and "
			  "GID, e.g. --user 65534:65534",
			  arg);
		return -1;
	}
	u->set = 1;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 0;
}

int user_check(const struct user_options *u)
{
	if (u->set && geteuid() != 0) {
		vmm_error(
		    "--user needs root: ember-vmm runs as uid %u already; "
		    "drop --user or start it as root",
		    (unsigned)geteuid());
		return -1;
	}
	return 0;
}

int user_drop(const struct user_options *u)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (!u->set)
		return 0;
	if (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0) {
		vmm_error("--user: cannot switch to uid %u gid %u: %s",
			  (unsigned)u->uid, (unsigned)u->gid, strerror(errno));
		return -1;
	}
	/* Trust, but verify: every id changed and root is gone for good. */
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    r != u->uid || e != u->uid || s != u->uid || rg != u->gid ||
	    eg != u->gid || sg != u->gid || getgroups(0, NULL) != 0 ||
	    setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
		vmm_error("--user: switched to uid %u gid %u, but the "
			  "process could still become root; refusing to run",
			  (unsigned)u->uid, (unsigned)u->gid);
		return -1;
	}
	return 0;
}
