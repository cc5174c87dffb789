# Example and test applications, built with ember-cc; make run.
# Each app is one plain C file apps/NAME.c -> build/apps/NAME.ember.
APPS := hello libc-tour crash overflow exitcode oom spin abort threads fds \
	sockets
# Network apps: also built natively with gcc (build/native/NAME), the
# baseline the benchmarks compare against; their images require a
# network device (-ember-net in the manifest).
NET_APPS := httpd udp-echo fetch
APPS += $(NET_APPS)
NATIVE_APPS := $(NET_APPS:%=$(BUILD)/native/%)
APP_IMAGES := $(APPS:%=$(BUILD)/apps/%.ember)
APP_CFLAGS := -std=c11 -O2 $(WARN)
# An image depends on the whole toolchain that produced it.
APP_DEPS := $(BIN)/ember-cc $(LIBDIR)/libember.a $(LIBDIR)/liblwip.a \
	$(LIBDIR)/ember.ld \
	$(MUSL)/lib/libc.a

ALL_TARGETS += $(APP_IMAGES) $(NATIVE_APPS)

$(NET_APPS:%=$(BUILD)/apps/%.ember): APP_LDFLAGS := -ember-net
# httpd is more than one file: its other sources are prerequisites, and
# every .c prerequisite is compiled.
HTTPD_PARTS := apps/httpd_proto.c apps/httpd_parse.c apps/httpd.h
$(BUILD)/apps/httpd.ember $(BUILD)/native/httpd: $(HTTPD_PARTS)

$(BUILD)/apps/%.ember: apps/%.c $(APP_DEPS)
	@mkdir -p $(@D)
	$(BIN)/ember-cc $(APP_CFLAGS) $(APP_LDFLAGS) -o $@ $(filter %.c,$^)

$(BUILD)/native/%: apps/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(APP_CFLAGS) -g -o $@ $(filter %.c,$^)

# The demo (tools/run-demo.sh): httpd with networking in a namespace of
# its own, one request shown, everything removed again; hello where
# networking is not possible (it says why). KVM is the product; the
# process backend (a ptrace'd child, no /dev/kvm needed) stands in on
# hosts without KVM, and says so.
run: all
	@bash tools/run-demo.sh
