# ember-vmm: the monitor. The backend-independent core and both backends
# (backend_kvm*.c, backend_process*.c) are every .c file in monitor/.
ALL_TARGETS += $(BIN)/ember-vmm

MONITOR_SRCS := $(wildcard monitor/*.c)
MONITOR_HDRS := $(wildcard monitor/*.h) $(wildcard unikernel-rt/include/ember/*.h)
# The image loader, shared with ember-inspect (linked with -lelf).
MONITOR_IMAGE_SRCS := monitor/image.c monitor/image_manifest.c \
	monitor/image_symbols.c

$(BIN)/ember-vmm: $(MONITOR_SRCS) $(MONITOR_HDRS) monitor/build.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Imonitor -o $@ $(MONITOR_SRCS) $(HOST_LDFLAGS) -lelf -lseccomp
