# make deps (tools/deps.sh) and the host tools in tools/.
ALL_TARGETS += $(BIN)/ember-floor

# The benchmark floor: a static process that creates a VM and a vCPU,
# runs one `out` and exits (tools/floor.c). Static, so never
# instrumented (the sanitizers' runtimes need the dynamic loader).
$(BIN)/ember-floor: tools/floor.c
	@mkdir -p $(@D)
	$(HOSTCC) $(filter-out $(SAN_FLAGS),$(HOST_CFLAGS)) -static -o $@ $<

# make lint: clang-format and cppcheck over our C sources (tools/lint.sh).
.PHONY: lint
TEST_TARGETS += lint
lint:
	bash tools/lint.sh
