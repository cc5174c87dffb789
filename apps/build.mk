# Example and test applications, built with ember-cc; make run.
# Each app is one plain C file apps/NAME.c -> build/apps/NAME.ember.
APPS := hello libc-tour crash overflow exitcode oom spin abort
APP_IMAGES := $(APPS:%=$(BUILD)/apps/%.ember)
APP_CFLAGS := -std=c11 -O2 $(WARN)
# An image depends on the whole toolchain that produced it.
APP_DEPS := $(BIN)/ember-cc $(LIBDIR)/libember.a $(LIBDIR)/ember.ld \
	$(MUSL)/lib/libc.a

ALL_TARGETS += $(APP_IMAGES)

$(BUILD)/apps/%.ember: apps/%.c $(APP_DEPS)
	@mkdir -p $(@D)
	$(BIN)/ember-cc $(APP_CFLAGS) -o $@ $<

# Boot the demo. KVM is the product; the process backend (a ptrace'd
# child, no /dev/kvm needed) stands in on hosts without KVM, and says so.
run: all
	@if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		$(BIN)/ember-vmm --backend=kvm $(BUILD)/apps/hello.ember; \
	else \
		echo "make run: /dev/kvm is not available here;" \
			"booting with --backend=process"; \
		$(BIN)/ember-vmm --backend=process $(BUILD)/apps/hello.ember; \
	fi
