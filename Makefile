# hutch: `make` builds, `make demo` runs the main job, `make check` runs every test.
# ARCH=x86_64 (default), aarch64 or armv7 picks the target.

ARCH ?= x86_64
BUILD := build/$(ARCH)
TOOLCHAIN := build/toolchain/$(ARCH)
MUSL_CC := $(TOOLCHAIN)/bin/cc
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS_COMMON := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Ibuild/include
CFLAGS_MUSL := $(CFLAGS_COMMON) -Os -ffunction-sections -fdata-sections
# No RELRO: a static musl binary has no loader to make it read-only, and on aarch64 its 64 KiB
# alignment alone would add 64 KiB of padding.
LDFLAGS_MUSL := -static -s -Wl,--gc-sections -Wl,-z,norelro
# The host's gcc builds the unit tests, with the sanitizers on.
CFLAGS_HOST := $(CFLAGS_COMMON) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer

SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
HOST_OBJS := $(filter-out build/host/obj/main.o,$(SRCS:src/%.c=build/host/obj/%.o))
UNIT_TESTS := $(patsubst tests/unit/%.c,build/host/%,$(wildcard tests/unit/test_*.c))

.PHONY: all demo install check unit unit-cross unit-target e2e docs-check clean
.DEFAULT_GOAL := all

# The QEMU checks and the benchmark bring their own targets; each may add to CHECK_EXTRA the
# targets that `make check` runs after the host's tests.
CHECK_EXTRA :=
-include qemu/qemu.mk
-include bench/bench.mk
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/hutch $(BUILD)/hutch-oci $(BUILD)/busybox.ext4 $(BUILD)/busybox.sqfs $(BUILD)/busybox.erofs

$(MUSL_CC): toolchain/setup toolchain/need-packages
	@toolchain/setup $(ARCH) $(abspath $(TOOLCHAIN))

# The version (git describe) goes into main.o and oci.o only, rebuilt when it changes.
VERSION_STAMP := $(BUILD)/version
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" >$(VERSION_STAMP); })
$(BUILD)/obj/main.o $(BUILD)/obj/oci.o: $(VERSION_STAMP)
$(BUILD)/obj/main.o $(BUILD)/obj/oci.o: CFLAGS_MUSL += -DHUTCH_VERSION='"$(VERSION)"'

$(BUILD)/obj/%.o: src/%.c $(MUSL_CC)
	@mkdir -p $(@D)
	@echo "  CC      $<  ($(ARCH))"
	@$(MUSL_CC) $(CFLAGS_MUSL) -MMD -MP -c $< -o $@

$(BUILD)/hutch: $(OBJS) $(MUSL_CC)
	@echo "  LD      $@"
	@$(MUSL_CC) $(LDFLAGS_MUSL) -o $@ $(OBJS)

# hutch-oci: the same binary, speaking runc's command line when called by that name.
$(BUILD)/hutch-oci: $(BUILD)/hutch
	@ln -sf hutch $@

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, its hutch-oci link, and the
# host-side image converter tools/hutch-image.
PREFIX ?= /usr/local
install: $(BUILD)/hutch
	@mkdir -p $(DESTDIR)$(PREFIX)/bin
	@cp $(BUILD)/hutch $(DESTDIR)$(PREFIX)/bin/hutch.new && mv -f $(DESTDIR)$(PREFIX)/bin/hutch.new $(DESTDIR)$(PREFIX)/bin/hutch
	@ln -sf hutch $(DESTDIR)$(PREFIX)/bin/hutch-oci
	@cp tools/hutch-image $(DESTDIR)$(PREFIX)/bin/hutch-image.new && mv -f $(DESTDIR)$(PREFIX)/bin/hutch-image.new $(DESTDIR)$(PREFIX)/bin/hutch-image
	@echo "  INSTALL $(DESTDIR)$(PREFIX)/bin/hutch, hutch-oci, hutch-image (host side)"

# The target's static BusyBox: the host's for x86_64, unpacked from the target's package otherwise.
$(BUILD)/busybox: $(MUSL_CC)
	@mkdir -p $(@D)
	@toolchain/busybox $(ARCH) $@

$(BUILD)/busybox.ext4 $(BUILD)/busybox.sqfs $(BUILD)/busybox.erofs &: $(BUILD)/busybox rootfs/build $(wildcard rootfs/etc/*)
	@rootfs/build $(BUILD)/busybox $(BUILD)

# A test tool that runs inside containers (tests/e2e/probe.c); not part of hutch.
$(BUILD)/hutch-probe: tests/e2e/probe.c $(MUSL_CC)
	@echo "  CC      $<  ($(ARCH), test tool)"
	@$(MUSL_CC) $(CFLAGS_MUSL) $(LDFLAGS_MUSL) -o $@ $<

# jsmn, the JSON tokenizer (header only), from Debian's libjsmn-dev: copied out of /usr/include
# so that the musl builds do not search the host's headers.
build/include/jsmn.h: toolchain/need-packages
	@toolchain/need-packages libjsmn-dev
	@mkdir -p $(@D)
	@cp /usr/include/jsmn.h $@
$(BUILD)/obj/json.o build/host/obj/json.o: build/include/jsmn.h

# The system call names of each tree's C library, for src/scmp.c: SCMP_NAME(name) for each
# SYS_name of its <sys/syscall.h> (SCMP_ARM_NAME(name) for arm's __ARM_NR_name), sorted by name.
SCMP_NAMES_SED := -e 's/^\#define SYS_\([a-z0-9_]*\) .*/\1 SCMP_NAME(\1)/p' \
	-e 's/^\#define __ARM_NR_\([a-z0-9_]*\) .*/\1 SCMP_ARM_NAME(\1)/p'
$(BUILD)/gen/scmp_names.h: SCMP_CC := $(MUSL_CC)
build/host/gen/scmp_names.h: SCMP_CC := gcc
$(BUILD)/gen/scmp_names.h: $(MUSL_CC)
$(BUILD)/gen/scmp_names.h build/host/gen/scmp_names.h:
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@$(SCMP_CC) -dM -E -include sys/syscall.h - </dev/null >$@.macros
	@sed -n $(SCMP_NAMES_SED) $@.macros | LC_ALL=C sort -u -k1,1 | sed 's/^[^ ]* //' >$@.tmp
	@grep -q 'SCMP_NAME(read)' $@.tmp
	@rm -f $@.macros && mv -f $@.tmp $@
$(BUILD)/obj/scmp.o: $(BUILD)/gen/scmp_names.h
$(BUILD)/obj/scmp.o: CFLAGS_MUSL += -I$(BUILD)/gen
build/host/obj/scmp.o: build/host/gen/scmp_names.h
build/host/obj/scmp.o: CFLAGS_HOST += -Ibuild/host/gen

demo: all
	@demo/demo.sh $(BUILD)

# ---- tests ----

build/host/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<  (host, sanitizers)"
	@gcc $(CFLAGS_HOST) -MMD -MP -c $< -o $@

build/host/test_%: tests/unit/test_%.c tests/unit/check.h $(HOST_OBJS)
	@echo "  LD      $@"
	@gcc $(CFLAGS_HOST) -Isrc -o $@ $< $(HOST_OBJS)

unit: $(UNIT_TESTS)
	@tests/unit/run.sh $(UNIT_TESTS)

# The seccomp filters differ per architecture (its numbers, its foreign ABI): each other target
# builds the tests of CROSS_UNIT_TESTS with its own musl compiler and runs them under qemu-user.
CROSS_UNIT := aarch64 armv7
QEMU_USER_aarch64 := qemu-aarch64-static
QEMU_USER_armv7 := qemu-arm-static
unit-cross:
	@toolchain/need-packages qemu-user-static
	@for a in $(CROSS_UNIT); do $(MAKE) --no-print-directory ARCH=$$a unit-target || exit 1; done

CROSS_UNIT_TESTS := test_security test_scmp test_oci
unit-target: $(CROSS_UNIT_TESTS:%=$(BUILD)/%)
	@for t in $^; do echo "  RUN     $$t under $(QEMU_USER_$(ARCH))"; $(QEMU_USER_$(ARCH)) $$t || exit 1; done

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h $(filter-out $(BUILD)/obj/main.o,$(OBJS)) $(MUSL_CC)
	@echo "  LD      $@  (unit test)"
	@$(MUSL_CC) $(CFLAGS_MUSL) -Isrc -static -o $@ $< $(filter %.o,$^)

e2e: all $(BUILD)/hutch-probe
	@toolchain/need-packages $(E2E_PACKAGES)
	@HUTCH=$(abspath $(BUILD)/hutch) IMAGES=$(abspath $(BUILD)) tests/e2e/run.sh

# What the end-to-end tests use on the host beyond BusyBox.
E2E_PACKAGES := e2fsprogs util-linux iproute2 strace squashfs-tools erofs-utils \
	skopeo umoci buildah jq cryptsetup-bin

# README.md documents every flag that `hutch run --help` lists.
docs-check: $(BUILD)/hutch
	@tests/docs-check.sh $(BUILD)/hutch README.md

check: unit unit-cross docs-check e2e $(CHECK_EXTRA)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(HOST_OBJS:.o=.d)
