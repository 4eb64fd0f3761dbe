# hutch: `make` builds, `make demo` runs the main job, `make check` runs every test.
# ARCH=x86_64 (default), aarch64 or armv7 picks the target.
# The board's own compiler (Buildroot, Yocto, OpenWrt): `make CC=...` or
# `make CROSS_COMPILE=aarch64-linux-gnu-` (CC becomes $(CROSS_COMPILE)gcc) builds hutch alone, with
# that compiler and the C library it brings (static unless STATIC=0), CFLAGS and LDFLAGS after
# hutch's own, in build/cc-NAME-HASH (or BUILD=...); no apt-get, no toolchain/setup. It needs
# jsmn.h where that compiler looks, or JSMN_INCLUDE=DIR.

ARCH ?= x86_64
TOOLCHAIN := build/toolchain/$(ARCH)
MUSL_CC := $(TOOLCHAIN)/bin/cc
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# A compiler given on the command line (or from the environment with `make -e`, as Yocto's
# recipes do), or through CROSS_COMPILE, is the board's; make's own default `cc` is not, nor a
# CC merely exported in a developer's shell.
ifneq ($(CROSS_COMPILE),)
CC := $(CROSS_COMPILE)gcc
BOARD_CC := 1
else ifneq ($(filter command line environment override,$(origin CC)),)
BOARD_CC := 1
endif
STATIC ?= 1

CFLAGS_COMMON := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2
CFLAGS_MUSL := $(CFLAGS_COMMON) -Ibuild/include -Os -ffunction-sections -fdata-sections
# No RELRO: a static musl binary has no loader to make it read-only, and on aarch64 its 64 KiB
# alignment alone would add 64 KiB of padding.
LDFLAGS_MUSL := -static -s -Wl,--gc-sections -Wl,-z,norelro
# The host's gcc builds the unit tests, with the sanitizers on.
CFLAGS_HOST := $(CFLAGS_COMMON) -Ibuild/include -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer

# T_CC, T_CFLAGS, T_LDFLAGS: what builds build/ARCH (the musl wrapper of toolchain/setup) or the
# board's tree. The board's build is not stripped (its build system strips, or keeps the debug
# info apart); its CFLAGS come last, so that its -O2 or -Wno-error win.
ifeq ($(BOARD_CC),)
BUILD := build/$(ARCH)
T_CC := $(MUSL_CC)
T_CC_DEP := $(MUSL_CC)
T_CFLAGS = $(CFLAGS_MUSL) $(CFLAGS)
T_LDFLAGS = $(LDFLAGS_MUSL) $(LDFLAGS)
T_TEST_LDFLAGS = -static $(LDFLAGS)
else
ifeq ($(origin BUILD),undefined)
BUILD := build/cc-$(notdir $(firstword $(CC)))-$(firstword $(shell printf '%s' '$(CC) STATIC=$(STATIC)' | cksum))
endif
T_CC := $(CC)
T_CC_DEP :=
T_CFLAGS = $(CFLAGS_COMMON) -Os -ffunction-sections -fdata-sections \
	$(if $(JSMN_INCLUDE),-I$(JSMN_INCLUDE)) $(CFLAGS)
T_LDFLAGS = $(if $(filter 0,$(STATIC)),,-static) -Wl,--gc-sections $(LDFLAGS)
T_TEST_LDFLAGS = $(if $(filter 0,$(STATIC)),,-static) $(LDFLAGS)
endif

SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
HOST_OBJS := $(filter-out build/host/obj/main.o,$(SRCS:src/%.c=build/host/obj/%.o))
UNIT_TESTS := $(patsubst tests/unit/%.c,build/host/%,$(wildcard tests/unit/test_*.c))

.PHONY: all demo install check unit unit-cross unit-target unit-foreign unit-board install-check e2e docs-check clean
.DEFAULT_GOAL := all

# The QEMU checks and the benchmark bring their own targets; each may add to CHECK_EXTRA the
# targets that `make check` runs after the host's tests.
CHECK_EXTRA :=
-include qemu/qemu.mk
-include bench/bench.mk
# Reliability (issue 14): fault injection, fuzzing, the soak and the power cuts, each with a short
# form in CHECK_EXTRA and its long form beside it.
-include tests/fault/fault.mk
-include tests/fuzz/fuzz.mk
-include tests/soak/soak.mk
-include qemu/powercut.mk
# Smoke tests of a user's image in the boards' guests (issue 17): tools/hutch-smoke, make smoke.
-include qemu/smoke.mk
.DELETE_ON_ERROR:
.SECONDARY:

ifeq ($(BOARD_CC),)
all: $(BUILD)/hutch $(BUILD)/hutch-oci $(BUILD)/busybox.ext4 $(BUILD)/busybox.sqfs $(BUILD)/busybox.erofs
else
# The board's build: hutch alone (the BusyBox images are the host's test material).
all: $(BUILD)/hutch $(BUILD)/hutch-oci
endif

$(MUSL_CC): toolchain/setup toolchain/need-packages
	@toolchain/setup $(ARCH) $(abspath $(TOOLCHAIN))

# The version (git describe) goes into main.o and oci.o only, rebuilt when it changes.
VERSION_STAMP := $(BUILD)/version
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" >$(VERSION_STAMP); })
$(BUILD)/obj/main.o $(BUILD)/obj/oci.o: $(VERSION_STAMP)
$(BUILD)/obj/main.o $(BUILD)/obj/oci.o: T_CFLAGS += -DHUTCH_VERSION='"$(VERSION)"'

$(BUILD)/obj/%.o: src/%.c $(T_CC_DEP)
	@mkdir -p $(@D)
	@echo "  CC      $<  ($(if $(BOARD_CC),$(CC),$(ARCH)))"
	@$(T_CC) $(T_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hutch: $(OBJS) $(T_CC_DEP)
	@echo "  LD      $@"
	@$(T_CC) $(T_LDFLAGS) -o $@ $(OBJS)

# hutch-oci: the same binary, speaking runc's command line when called by that name.
$(BUILD)/hutch-oci: $(BUILD)/hutch
	@ln -sf hutch $@

# make install [DESTDIR=...] [PREFIX=/usr/local] [INIT=sysv|procd|none]: what a board's image (or
# a host) gets. PREFIX stays /usr/local for a hand-made install beside the distribution's files;
# board builds (Buildroot, OpenWrt, Yocto) pass PREFIX=/usr. /etc is SYSCONFDIR, not under PREFIX.
#   BINDIR/hutch, BINDIR/hutch-oci -> hutch, BINDIR/hutch-image (host side, the image converter)
#   MANDIR/man1/hutch.1 (and hutch-oci.1 -> hutch.1)
#   SYSCONFDIR/init.d/hutch: the BusyBox/SysV script (INIT=sysv, the default), its HUTCH path the
#     installed binary; link /etc/init.d/hutch.NAME to it for each container
#   DATADIR/procd/hutch: the procd script (OpenWrt), a template: copy it as /etc/init.d/hutch.NAME
#     (its name gives the container); INIT=procd (or none) installs no SysV script
#   DATADIR/examples/web.conf: board/hutch-web.conf, an example /etc/hutch/NAME.conf
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/hutch
SYSCONFDIR ?= /etc
INIT ?= sysv
INSTALL ?= install
install: $(BUILD)/hutch docs/hutch.1 board/init.d/hutch board/procd/hutch board/hutch-web.conf tools/hutch-image
	@case "$(INIT)" in sysv | procd | none) ;; *) echo "make install: INIT is sysv, procd or none, not '$(INIT)'" >&2; exit 1 ;; esac
	@$(INSTALL) -D -m 0755 $(BUILD)/hutch $(DESTDIR)$(BINDIR)/hutch
	@ln -sfn hutch $(DESTDIR)$(BINDIR)/hutch-oci
	@$(INSTALL) -D -m 0755 tools/hutch-image $(DESTDIR)$(BINDIR)/hutch-image
	@$(INSTALL) -D -m 0644 docs/hutch.1 $(DESTDIR)$(MANDIR)/man1/hutch.1
	@ln -sfn hutch.1 $(DESTDIR)$(MANDIR)/man1/hutch-oci.1
	@mkdir -p $(DESTDIR)$(DATADIR)/procd
	@sed 's|^HUTCH=/usr/bin/hutch$$|HUTCH=$(BINDIR)/hutch|' board/procd/hutch >$(DESTDIR)$(DATADIR)/procd/hutch.new
	@chmod 0755 $(DESTDIR)$(DATADIR)/procd/hutch.new && mv -f $(DESTDIR)$(DATADIR)/procd/hutch.new $(DESTDIR)$(DATADIR)/procd/hutch
	@$(INSTALL) -D -m 0644 board/hutch-web.conf $(DESTDIR)$(DATADIR)/examples/web.conf
	@if [ "$(INIT)" = sysv ]; then \
		mkdir -p $(DESTDIR)$(SYSCONFDIR)/init.d && \
		sed 's|:-/usr/bin/hutch}|:-$(BINDIR)/hutch}|' board/init.d/hutch >$(DESTDIR)$(SYSCONFDIR)/init.d/hutch.new && \
		chmod 0755 $(DESTDIR)$(SYSCONFDIR)/init.d/hutch.new && \
		mv -f $(DESTDIR)$(SYSCONFDIR)/init.d/hutch.new $(DESTDIR)$(SYSCONFDIR)/init.d/hutch; \
	fi
	@echo "  INSTALL $(DESTDIR)$(BINDIR)/hutch, hutch-oci, hutch-image (host side); hutch(1);" \
		"$(if $(filter sysv,$(INIT)),$(DESTDIR)$(SYSCONFDIR)/init.d/hutch; )$(DESTDIR)$(DATADIR)/"

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
build/host/obj/json.o: build/include/jsmn.h
ifeq ($(BOARD_CC),)
$(BUILD)/obj/json.o: build/include/jsmn.h
endif

# The system call names of each tree's C library, for src/scmp.c: SCMP_NAME(name) for each
# SYS_name of its <sys/syscall.h> (SCMP_ARM_NAME(name) for arm's __ARM_NR_name), sorted by name.
SCMP_NAMES_SED := -e 's/^\#define SYS_\([a-z0-9_]*\) .*/\1 SCMP_NAME(\1)/p' \
	-e 's/^\#define __ARM_NR_\([a-z0-9_]*\) .*/\1 SCMP_ARM_NAME(\1)/p'
$(BUILD)/gen/scmp_names.h: SCMP_CC = $(T_CC) $(CFLAGS)
build/host/gen/scmp_names.h: SCMP_CC := gcc
$(BUILD)/gen/scmp_names.h: $(T_CC_DEP)
$(BUILD)/gen/scmp_names.h build/host/gen/scmp_names.h:
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@$(SCMP_CC) -dM -E -include sys/syscall.h - </dev/null >$@.macros
	@sed -n $(SCMP_NAMES_SED) $@.macros | LC_ALL=C sort -u -k1,1 | sed 's/^[^ ]* //' >$@.tmp
	@grep -q 'SCMP_NAME(read)' $@.tmp
	@rm -f $@.macros && mv -f $@.tmp $@
$(BUILD)/obj/scmp.o: $(BUILD)/gen/scmp_names.h
$(BUILD)/obj/scmp.o: T_CFLAGS += -I$(BUILD)/gen
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

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h $(filter-out $(BUILD)/obj/main.o,$(OBJS)) $(T_CC_DEP)
	@echo "  LD      $@  (unit test)"
	@$(T_CC) $(T_CFLAGS) -Isrc $(T_TEST_LDFLAGS) -o $@ $< $(filter %.o,$^)

# The board's own compilers, which hutch does not wrap (CC=, CROSS_COMPILE=, STATIC=0): Debian's
# glibc cross gcc for aarch64 (static glibc; the tests under qemu-user) and the host's gcc as a
# distribution builds (dynamic, no sanitizers). Each builds hutch and every unit test in
# build/foreign/NAME, and runs the tests.
FOREIGN_JSMN := $(abspath build/include)
unit-foreign: build/include/jsmn.h
	@toolchain/need-packages gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
	@$(MAKE) --no-print-directory CROSS_COMPILE=aarch64-linux-gnu- JSMN_INCLUDE=$(FOREIGN_JSMN) \
		BUILD=build/foreign/aarch64-glibc-static UNIT_RUNNER=qemu-aarch64-static unit-board
	@$(MAKE) --no-print-directory CC=gcc STATIC=0 BUILD=build/foreign/gcc-dynamic unit-board

# With a board's CC: hutch, its hutch-oci link, and every unit test, run (under UNIT_RUNNER).
BOARD_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/%,$(wildcard tests/unit/test_*.c))
unit-board: $(BUILD)/hutch $(BUILD)/hutch-oci $(BOARD_UNIT_TESTS)
	@[ -n "$(BOARD_CC)" ] || { echo "unit-board: give CC= or CROSS_COMPILE= (make unit-foreign)" >&2; exit 1; }
	@$(UNIT_RUNNER) $(BUILD)/hutch --version >/dev/null
	@passed=0 failed=0 status=0; for t in $(BOARD_UNIT_TESTS); do \
		if out=$$($(UNIT_RUNNER) $$t 2>&1); then echo "$$out" | tail -n 1; \
		else status=1; echo "$$out" | tail -n 20; echo "  FAIL    $$t"; fi; \
		p=$$(echo "$$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$$/\1/p'); \
		f=$$(echo "$$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$$/\2/p'); \
		passed=$$((passed + $${p:-0})); failed=$$((failed + $${f:-1})); \
	done; \
	echo "unit tests ($(CC)$(if $(filter 0,$(STATIC)), dynamic, static)$(if $(UNIT_RUNNER), under $(UNIT_RUNNER))): $$passed passed, $$failed failed"; \
	exit $$status

e2e: all $(BUILD)/hutch-probe
	@toolchain/need-packages $(E2E_PACKAGES)
	@HUTCH=$(abspath $(BUILD)/hutch) IMAGES=$(abspath $(BUILD)) tests/e2e/run.sh

# What the end-to-end tests use on the host beyond BusyBox.
E2E_PACKAGES := e2fsprogs util-linux iproute2 strace squashfs-tools erofs-utils \
	skopeo umoci buildah jq cryptsetup-bin

# README.md documents every flag that `hutch run --help` lists; docs/hutch.1 every command and
# every long option of their --help.
docs-check: $(BUILD)/hutch
	@tests/docs-check.sh $(BUILD)/hutch README.md docs/hutch.1

# make install into a temporary DESTDIR: the layout, the binary runs, the man page renders cleanly.
install-check: $(BUILD)/hutch
	@toolchain/need-packages man-db groff-base
	@MAKE="$(MAKE)" tests/install-check.sh $(BUILD)/hutch

check: unit unit-cross unit-foreign docs-check install-check e2e $(CHECK_EXTRA)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(HOST_OBJS:.o=.d)
