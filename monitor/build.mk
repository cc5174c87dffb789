# ember-vmm: the monitor. The backend-independent core and both backends
# (backend_kvm*.c, backend_process*.c) are every .c file in monitor/.
ALL_TARGETS += $(BIN)/ember-vmm

MONITOR_SRCS := $(wildcard monitor/*.c)
MONITOR_HDRS := $(wildcard monitor/*.h) $(wildcard unikernel-rt/include/ember/*.h)
# The image loader, shared with ember-inspect (linked with -lelf).
MONITOR_IMAGE_SRCS := monitor/image.c monitor/image_manifest.c \
	monitor/image_symbols.c

# Linked static (and position-independent, so still randomised): the
# dynamic loader's work for libelf, zlib, libseccomp and libc cost ~1 ms
# of every boot here (tools/bench.sh). Sanitizer builds cannot be static.
ifeq ($(SANITIZE),1)
VMM_LINK := -lelf -lseccomp
else
VMM_LINK := -static-pie -lelf -lz -lseccomp
endif

$(BIN)/ember-vmm: $(MONITOR_SRCS) $(MONITOR_HDRS) monitor/build.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Imonitor -o $@ $(MONITOR_SRCS) $(HOST_LDFLAGS) $(VMM_LINK)
