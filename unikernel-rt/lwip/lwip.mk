# liblwip.a: lwIP 2.1 from Debian's source package (tools/deps.sh puts it
# in $(DEPSDIR)/lwip-src) with our port: lwipopts.h, arch/cc.h,
# arch/sys_arch.h and sys_arch.c (on the runtime's scheduler). Built for
# the guest like libember.a (-nostdinc against our musl, no PIE, no
# stack protector). lwIP's sources build warning-free with -Wall -Wextra
# (gcc 12), but without -Werror: third-party code we compile, not code
# we maintain, must not break the build on a newer compiler.

LWIP_SRC    := $(DEPSDIR)/lwip-src
LWIP_LIB    := $(LIBDIR)/liblwip.a
LWIP_OBJDIR := $(BUILD)/lwip

LWIP_CORE := def inet_chksum init ip mem memp netif pbuf sys tcp tcp_in \
	tcp_out timeouts udp dns
LWIP_IPV4 := dhcp etharp icmp ip4 ip4_addr ip4_frag
LWIP_API  := api_lib api_msg err netbuf sockets tcpip
LWIP_SRCS := $(LWIP_CORE:%=src/core/%.c) $(LWIP_IPV4:%=src/core/ipv4/%.c) \
	     $(LWIP_API:%=src/api/%.c) src/netif/ethernet.c
LWIP_OBJS := $(LWIP_SRCS:%.c=$(LWIP_OBJDIR)/%.o) $(LWIP_OBJDIR)/sys_arch.o \
	$(LWIP_OBJDIR)/tcp_listen_hook.o $(LWIP_OBJDIR)/on_demand_timers.o

# Include order: our port, then lwIP's headers; -iquote for the
# runtime's own headers so "sched.h" never shadows musl's <sched.h>.
LWIP_INCLUDES := -Iunikernel-rt/lwip -I$(LWIP_SRC)/src/include \
	-iquote unikernel-rt
LWIP_CFLAGS := $(filter-out -Werror -MMD -MP,$(RT_CFLAGS)) $(LWIP_INCLUDES)
LWIP_HDRS := $(wildcard unikernel-rt/lwip/*.h unikernel-rt/lwip/arch/*.h \
	unikernel-rt/lwip/posix/*.h) unikernel-rt/sched.h

ALL_TARGETS += $(LWIP_LIB)

# On a fresh clone the sources appear when deps.sh has run (as musl's).
$(addprefix $(LWIP_SRC)/,$(LWIP_SRCS)): | $(DEPS_STAMP)

$(LWIP_LIB): $(LWIP_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(LWIP_OBJDIR)/src/%.o: $(LWIP_SRC)/src/%.c $(LWIP_HDRS) $(MUSL)/lib/libc.a \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(LWIP_CFLAGS) -c -o $@ $<

# on_demand_timers.c takes lwIP's cyclic timers out of its timeout list:
# LWIP_TESTMODE makes timeouts.c export lwip_cyclic_timer and the list
# head for that, and changes nothing else in the file.
$(LWIP_OBJDIR)/src/core/timeouts.o: LWIP_CFLAGS += -DLWIP_TESTMODE=1

# The port is ours: full warnings, -Werror.
$(LWIP_OBJDIR)/%.o: unikernel-rt/lwip/%.c $(LWIP_HDRS) \
		$(MUSL)/lib/libc.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(LWIP_CFLAGS) -Werror -c -o $@ $<

