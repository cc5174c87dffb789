# The hostile guests (tests/hostile/NAME.c -> build/tests/hostile/NAME.ember):
# test images that attack ember-vmm on purpose, run by tests/hostile.bats.
# Built with ember-cc like the apps, but they are not apps: they use the
# ABI header directly (raw hypercalls, raw device registers).
HOSTILE := hc vq mmio flood cpu
HOSTILE_IMAGES := $(HOSTILE:%=$(BUILD)/tests/hostile/%.ember)
HOSTILE_HDRS := tests/hostile/hostile.h tests/hostile/vdev.h \
	unikernel-rt/include/ember/abi.h

ALL_TARGETS += $(HOSTILE_IMAGES)

$(BUILD)/tests/hostile/%.ember: tests/hostile/%.c $(HOSTILE_HDRS) $(APP_DEPS)
	@mkdir -p $(@D)
	$(BIN)/ember-cc $(APP_CFLAGS) -D_GNU_SOURCE -Iunikernel-rt/include -o $@ $<
