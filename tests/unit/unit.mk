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
UNIT_LIBS_proc_backend := -lelf -lseccomp
UNIT_TESTS += virtq_drv
UNIT_SRCS_virtq_drv := tests/unit/test_virtq_drv.c unikernel-rt/net/virtq.c
UNIT_LIBS_virtq_drv :=
$(BUILD)/tests/unit/test_virtq_drv: unikernel-rt/net/virtq.h
UNIT_TESTS += virtio_dev
UNIT_SRCS_virtio_dev := tests/unit/test_virtio_dev.c monitor/virtq.c monitor/virtio_mmio.c \
	monitor/virtio_net.c monitor/cli_net.c monitor/util.c
UNIT_LIBS_virtio_dev := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_TESTS += virtio_hostile
UNIT_SRCS_virtio_hostile := tests/unit/test_virtio_hostile.c $(UNIT_SRCS_virtio_dev:tests/unit/test_virtio_dev.c=)
UNIT_LIBS_virtio_hostile := $(UNIT_LIBS_virtio_dev)
UNIT_TESTS += mmio_decode
UNIT_SRCS_mmio_decode := tests/unit/test_mmio_decode.c monitor/mmio_decode.c
UNIT_LIBS_mmio_decode := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_TESTS += proc_mmio
UNIT_SRCS_proc_mmio := tests/unit/test_proc_mmio.c $(filter-out monitor/main.c,$(MONITOR_SRCS))
UNIT_LIBS_proc_mmio := -lelf -lpthread -lseccomp
UNIT_TESTS += sandbox
UNIT_SRCS_sandbox := tests/unit/test_sandbox.c monitor/sandbox.c
UNIT_LIBS_sandbox := -lseccomp

UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/test_%)

define unit_rule
$(BUILD)/tests/unit/test_$(1): $$(UNIT_SRCS_$(1)) $$(wildcard unikernel-rt/include/ember/*.h monitor/*.h unikernel-rt/*.h tests/unit/*.h)
	@mkdir -p $$(@D)
	$$(HOSTCC) $$(HOST_CFLAGS) -Imonitor -iquote unikernel-rt -Itests/unit -o $$@ $$(UNIT_SRCS_$(1)) $$(HOST_LDFLAGS) $$(UNIT_LIBS_$(1))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit-test
unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
