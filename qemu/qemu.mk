# qemu/qemu.mk: the end-to-end tests inside QEMU, one guest per board (board/ARCH): included by
# the Makefile.
#   make qemu-check [ARCH=...]   build ARCH, boot its board's kernel with a BusyBox initramfs,
#                                run every tests/e2e/[0-9]*.sh inside; pass or fail
#   make qemu-check-ARCH         the same for one board: x86_64, aarch64, armv7
#   make qemu-check-all          all three
#   make check-all               `make check` and every QEMU check `make check` leaves out
# The guest's serial log is build/qemu/ARCH/serial.log; its verdict and boot-to-result time are in
# build/qemu/ARCH/result. Variables for the guest: SEQUENTIAL, PARALLEL, KILLS (50-cleanup.sh),
# E2E_TESTS (some test files only), E2E_TRACE=1; for QEMU: QEMU_TIMEOUT, QEMU_ACCEL, QEMU_MEM.

QEMU_BOARDS := x86_64 aarch64 armv7
QEMU_CHECKS := $(QEMU_BOARDS:%=qemu-check-%)
# What `make check` runs of them (the rest run in `make check-all`). Under TCG (KVM does not work
# on the build machine) each guest takes 6 to 7 minutes on its 2 cores, and the whole of
# `make check` with all three about 23 minutes, within its 45-minute budget (README, "Boards and
# QEMU", has the times). When the tests outgrow it, drop qemu-check-armv7 here.
QEMU_IN_CHECK := qemu-check-x86_64 qemu-check-aarch64 qemu-check-armv7
CHECK_EXTRA += $(QEMU_IN_CHECK)

.PHONY: qemu-check qemu-check-all check-all $(QEMU_CHECKS)

qemu-check: qemu-check-$(ARCH)

qemu-check-all: $(QEMU_CHECKS)

# Each board's build is its own make, with ARCH set for it.
$(QEMU_CHECKS): qemu-check-%:
	@$(MAKE) --no-print-directory ARCH=$* all build/$*/hutch-probe
	@qemu/initramfs $*
	@qemu/boot $*

check-all: check $(filter-out $(QEMU_IN_CHECK),$(QEMU_CHECKS))
