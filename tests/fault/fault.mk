# Fault injection (issue 14, tests/fault/run.sh): each path's system calls recorded under strace,
# then the path run again once per call with that call failing. Runs as root, on the host.
#   make fault-short   the first, middle and last occurrence of each call, and every occurrence
#                      of the calls that make or undo a kernel resource: part of make check
#                      (about 5 minutes here)
#   make fault-check   every occurrence of every call: part of make check-all
# FAULT_PATHS="run veth limits detach oci" picks paths, FAULT_CALLS="mount ioctl" calls.
.PHONY: fault-short fault-check
FAULT_PATHS ?=
FAULT_ENV = HUTCH=$(abspath $(BUILD)/hutch) IMAGES=$(abspath $(BUILD)) \
	$(if $(FAULT_CALLS),FAULT_CALLS="$(FAULT_CALLS)")
FAULT_PACKAGES := strace util-linux iproute2 procps

fault-short: all
	@toolchain/need-packages $(FAULT_PACKAGES)
	@$(FAULT_ENV) FAULT_LEVEL=short sh tests/fault/run.sh $(FAULT_PATHS)

fault-check: all
	@toolchain/need-packages $(FAULT_PACKAGES)
	@$(FAULT_ENV) FAULT_LEVEL=full sh tests/fault/run.sh $(FAULT_PATHS)

CHECK_EXTRA += fault-short
check-all: fault-check
