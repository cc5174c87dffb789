# Ember: top-level build. Everything is built into build/ (git-ignored).
# Each component adds its rules in its own build.mk, included below.

BUILD   := build
BIN     := $(BUILD)/bin
LIBDIR  := $(BUILD)/lib
MUSL    := $(LIBDIR)/musl
DEPSDIR := $(BUILD)/deps
# Written by tools/deps.sh when every dependency is installed and fetched.
DEPS_STAMP := $(DEPSDIR)/.deps-ok

PREFIX ?= /usr/local

HOSTCC ?= gcc
WARN   := -Wall -Wextra -Werror
# make SANITIZE=1: host programs (monitor, tools) with ASan + UBSan.
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
endif
HOST_CFLAGS  := -std=c11 -O2 -g $(WARN) -D_GNU_SOURCE -Iunikernel-rt/include $(SAN_FLAGS)
HOST_LDFLAGS := $(SAN_FLAGS)

.PHONY: all deps test bench run clean install
.DEFAULT_GOAL := all

include tools/build.mk
include unikernel-rt/build.mk
include monitor/build.mk
include linker/build.mk
include apps/build.mk
include tests/build.mk

all: $(ALL_TARGETS)

deps:
	bash tools/deps.sh

$(DEPS_STAMP): tools/deps.sh
	bash tools/deps.sh

clean:
	rm -rf $(BUILD)
