# ember-cc, the linker script, ember-inspect, make install
ALL_TARGETS += $(BIN)/ember-cc $(LIBDIR)/ember.ld $(BIN)/ember-inspect

EMBER_CC_SRCS := linker/ember-cc.c linker/cc_args.c linker/cc_manifest.c \
		 linker/cc_libdir.c linker/cc_run.c
INSPECT_SRCS  := tools/ember-inspect.c tools/inspect_json.c
# The monitor's image loader (monitor/build.mk); ember-inspect shares it
# so both accept and reject the same images.
MONITOR_IMAGE_SRCS ?= $(wildcard monitor/image*.c)

$(BIN)/ember-cc: $(EMBER_CC_SRCS) linker/cc.h unikernel-rt/include/ember/abi.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(EMBER_CC_SRCS) $(HOST_LDFLAGS)

$(LIBDIR)/ember.ld: linker/ember.ld
	@mkdir -p $(@D)
	cp $< $@

$(BIN)/ember-inspect: $(INSPECT_SRCS) $(MONITOR_IMAGE_SRCS) tools/inspect.h \
		      monitor/image.h monitor/image_int.h \
		      unikernel-rt/include/ember/abi.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Imonitor -Itools -o $@ $(INSPECT_SRCS) \
		$(MONITOR_IMAGE_SRCS) $(HOST_LDFLAGS) -lelf

# make install [PREFIX=/usr/local] [DESTDIR=]: programs in PREFIX/bin,
# the runtime in PREFIX/lib/ember (where ember-cc looks for it).
INSTALL_BIN = $(DESTDIR)$(PREFIX)/bin
INSTALL_LIB = $(DESTDIR)$(PREFIX)/lib/ember

install: $(BIN)/ember-vmm $(BIN)/ember-cc $(BIN)/ember-inspect \
	 $(LIBDIR)/libember.a $(LIBDIR)/liblwip.a $(LIBDIR)/ember.ld \
	 $(MUSL)/lib/libc.a
	install -d $(INSTALL_BIN) $(INSTALL_LIB)
	install -m 755 $(BIN)/ember-vmm $(BIN)/ember-cc $(BIN)/ember-inspect \
		$(INSTALL_BIN)/
	install -m 644 $(LIBDIR)/libember.a $(LIBDIR)/ember.ld $(INSTALL_LIB)/
	if [ -e $(LIBDIR)/liblwip.a ]; then \
		install -m 644 $(LIBDIR)/liblwip.a $(INSTALL_LIB)/; fi
	rm -rf $(INSTALL_LIB)/musl
	cp -R $(MUSL) $(INSTALL_LIB)/musl

# make linker-test: the ember-cc, ember.ld and ember-inspect suites
# (linker/tests/*.bats, with a stand-in runtime: no libember.a needed).
.PHONY: linker-test
TEST_TARGETS += linker-test
linker-test: $(BIN)/ember-cc $(BIN)/ember-inspect
	bats linker/tests
