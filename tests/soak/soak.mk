# The soak (issue 14, tests/soak/soak.sh): `make soak` is the full one (SOAK_RUNS containers one
# after another, SOAK_PARALLEL at once, with random SIGKILLs and concurrent commands), `make
# soak-short` the same with small counts, run by `make check`. Both count-variables can be set on
# the command line: make soak SOAK_RUNS=200 SOAK_PARALLEL=20 (also SOAK_ROUNDS, SOAK_KEEP, SOAK_SEED).
.PHONY: soak soak-short
SOAK_RUNS ?= 1000
SOAK_PARALLEL ?= 50
soak-short: SOAK_RUNS = 100
soak-short: SOAK_PARALLEL = 10
SOAK_PACKAGES := e2fsprogs util-linux iproute2
SOAK_ENV = HUTCH=$(abspath $(BUILD)/hutch) IMAGES=$(abspath $(BUILD)) \
	SOAK_RUNS=$(SOAK_RUNS) SOAK_PARALLEL=$(SOAK_PARALLEL) \
	$(if $(SOAK_ROUNDS),SOAK_ROUNDS=$(SOAK_ROUNDS)) $(if $(SOAK_KEEP),SOAK_KEEP=$(SOAK_KEEP)) \
	$(if $(SOAK_SEED),SOAK_SEED=$(SOAK_SEED))

soak soak-short: all $(BUILD)/hutch-probe
	@toolchain/need-packages $(SOAK_PACKAGES)
	@$(SOAK_ENV) sh tests/soak/soak.sh

CHECK_EXTRA += soak-short
