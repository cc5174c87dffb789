/*
 * The host side of the network device: a tap interface.
 *
 * TUNSETIFF on /dev/net/tun attaches to an existing tap or, with
 * CAP_NET_ADMIN, creates it. A tap created this way is not persistent
 * (no TUNSETPERSIST): the kernel removes it when its last file
 * descriptor closes. ember-vmm holds the only one (close-on-exec, and the
 * process backend's guest gets no descriptors), so what it created goes
 * away when it exits, however it exits: normally, on a timeout, a guest
 * crash, SIGTERM, or even SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "net.h"

static int open_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		vmm_error("/dev/net/tun does not exist: this host has no tap "
			  "support (load the tun module: modprobe tun)");
	else
		vmm_error("cannot open /dev/net/tun: %s (run as root or give "
			  "ember-vmm access to it)",
			  strerror(errno));
	return -1;
}

static void attach_error(const char *name, int exists, int err)
{
	if (err == EBUSY)
		vmm_error("tap %s is busy: another program (another "
			  "ember-vmm?) has it open; stop it or use another "
			  "tap",
			  name);
	else if (err == EPERM && exists)
		vmm_error("tap %s: permission denied: it belongs to another "
			  "user; create it for yours (ip tuntap add dev %s "
			  "mode tap user $USER) or run as root",
			  name, name);
	else if (err == EPERM)
		vmm_error("tap %s does not exist and ember-vmm may not create "
			  "it (needs CAP_NET_ADMIN): create it first (ip "
			  "tuntap add dev %s mode tap user $USER) or run as "
			  "root",
			  name, name);
	else if (err == EINVAL && exists)
		vmm_error("%s is not a single-queue tap interface (a tun, a "
			  "multi-queue tap or another kind of link?): use a "
			  "tap made with ip tuntap add dev NAME mode tap",
			  name);
	else
		vmm_error("cannot attach tap %s: %s", name, strerror(err));
}

/* A tap we created starts down; bring it up so that the host side can
 * be configured and see the guest's frames. */
static int link_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ok;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
	close(s);
	return ok ? 0 : -1;
}

int tap_open(const char *name)
{
	struct ifreq ifr;
	int hdr = VNET_HDR_LEN;
	int exists = if_nametoindex(name) != 0;
	int fd = open_tun();

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		attach_error(name, exists, errno);
		close(fd);
		return -1;
	}
	/* No offloads: the host hands us complete frames with checksums,
	 * which is all the guest negotiated. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0ul) < 0) {
		vmm_error("cannot set up tap %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (!exists && link_up(name) < 0) {
		vmm_error("created tap %s but cannot bring it up: %s", name,
			  strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
