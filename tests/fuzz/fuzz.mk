# Fuzzing (issue 14): libFuzzer harnesses, with ASan and UBSan, for every parser of outside input.
#   make fuzz [FUZZ_SECONDS=N]   each harness for N seconds (default 60), one after another
#   make fuzz-smoke              each harness for FUZZ_SMOKE_SECONDS (default 2): part of make check
# clang 14 and its libFuzzer runtime come from Debian (clang-14, libclang-rt-14-dev), installed
# through toolchain/need-packages when missing. The objects of src/ (but main.c) are built again
# with -fsanitize=fuzzer-no-link into build/fuzz/obj; each tests/fuzz/fuzz_NAME.c links into
# build/fuzz/fuzz_NAME. Seeds: tests/fuzz/corpus/NAME (copied to build/fuzz/corpus-NAME, where
# what a run finds goes; nothing is written into the repo). A failure leaves its input in
# build/fuzz/artifacts/NAME-crash-*: `build/fuzz/fuzz_NAME FILE` replays it; once fixed, keep it
# as tests/fuzz/corpus/NAME/crash-WHAT, so that every run checks it again first.
# Harnesses: cli (hutch's command lines), config (--config files), specs (the option values:
# --publish, --bind, --device, --add-host, --tmpfs, --net, --ip...), oci (config.json,
# process.json, resources), seccomp (linux.seccomp and its compiler), imgconf (the image's
# config), state (state files as exec/stop/inspect read them), netlink (kernel replies), image
# (superblock probing), verity (the dm-verity superblock, .roothash), host (resolv.conf,
# passwd/group lines, /proc/self/mounts, CPU lists).

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 2
FUZZ_CC := clang-14
FUZZ_STAMP := build/fuzz/.toolchain
FUZZ_SAN := address,undefined
FUZZ_CFLAGS := $(CFLAGS_COMMON) -Wno-format-nonliteral -Ibuild/include -O1 -g -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link,$(FUZZ_SAN)
FUZZ_OBJS := $(filter-out build/fuzz/obj/main.o,$(SRCS:src/%.c=build/fuzz/obj/%.o))
FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,build/fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: fuzz fuzz-smoke fuzz-build
CHECK_EXTRA += fuzz-smoke

$(FUZZ_STAMP): toolchain/need-packages
	@toolchain/need-packages clang-14 libclang-rt-14-dev
	@mkdir -p $(@D)
	@touch $@

build/fuzz/obj/%.o: src/%.c $(FUZZ_STAMP) build/include/jsmn.h
	@mkdir -p $(@D)
	@echo "  CC      $<  (fuzz)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/obj/scmp.o: build/host/gen/scmp_names.h
build/fuzz/obj/scmp.o: FUZZ_CFLAGS += -Ibuild/host/gen

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS) $(FUZZ_STAMP)
	@echo "  LD      $@  (libFuzzer)"
	@$(FUZZ_CC) $(CFLAGS_COMMON) -Wno-format-nonliteral -Ibuild/include -Isrc -O1 -g -fno-omit-frame-pointer \
		-fno-sanitize-recover=undefined -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_OBJS)

-include $(FUZZ_OBJS:.o=.d)

fuzz-build: $(FUZZ_HARNESSES)

fuzz: $(FUZZ_HARNESSES)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke: $(FUZZ_HARNESSES)
	@tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)
