# C unit tests, built natively and run by make test.
# Each test NAME is tests/unit/test_NAME.c plus the sources it tests.
UNIT_TESTS := image vmem
UNIT_SRCS_image := tests/unit/test_image.c monitor/image.c
UNIT_LIBS_image := -lelf
UNIT_SRCS_vmem := tests/unit/test_vmem.c unikernel-rt/vmem.c
UNIT_LIBS_vmem :=

UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/test_%)

define unit_rule
$(BUILD)/tests/unit/test_$(1): $$(UNIT_SRCS_$(1)) $$(wildcard unikernel-rt/include/ember/*.h)
	@mkdir -p $$(@D)
	$$(HOSTCC) $$(HOST_CFLAGS) -Imonitor -Iunikernel-rt -o $$@ $$(UNIT_SRCS_$(1)) $$(HOST_LDFLAGS) $$(UNIT_LIBS_$(1))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit-test
unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
