# C unit tests, built natively and run by make test.
# Each test NAME is tests/unit/test_NAME.c plus the sources it tests.
UNIT_TESTS := image vmem
UNIT_SRCS_image := tests/unit/test_image.c $(MONITOR_IMAGE_SRCS)
UNIT_LIBS_image := -lelf
UNIT_SRCS_vmem := tests/unit/test_vmem.c unikernel-rt/vmem.c
UNIT_LIBS_vmem :=
UNIT_TESTS += kvm_tables
UNIT_SRCS_kvm_tables := tests/unit/test_kvm_tables.c monitor/kvm_paging.c monitor/kvm_desc.c monitor/kvm_cpu.c
UNIT_LIBS_kvm_tables :=
UNIT_TESTS += proc_backend
UNIT_SRCS_proc_backend := tests/unit/test_proc_backend.c $(filter-out monitor/main.c,$(MONITOR_SRCS))
UNIT_LIBS_proc_backend := -lelf

UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/test_%)

define unit_rule
$(BUILD)/tests/unit/test_$(1): $$(UNIT_SRCS_$(1)) $$(wildcard unikernel-rt/include/ember/*.h monitor/*.h unikernel-rt/*.h)
	@mkdir -p $$(@D)
	$$(HOSTCC) $$(HOST_CFLAGS) -Imonitor -Iunikernel-rt -Itests/unit -o $$@ $$(UNIT_SRCS_$(1)) $$(HOST_LDFLAGS) $$(UNIT_LIBS_$(1))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit-test
unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
