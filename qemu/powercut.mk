# qemu/powercut.mk: power cuts in the QEMU x86_64 guest (issue 14), included by the Makefile.
#   make powercut [POWERCUTS=20]   cut the guest's power (SIGKILL to qemu) while a container
#                                  fsyncs records to an ext4 image on a virtio disk, half the cuts
#                                  with direct I/O loop devices, half without; boot again, check
#                                  both filesystems with e2fsck -fn and that no acknowledged record
#                                  is missing (qemu/powercut)
#   make powercut-short            the same with POWERCUTS_SHORT (3) cuts, in `make check`
# Under TCG one cut (a writer boot, the cut, a checker boot, the host's checks) takes about 20 s.
POWERCUTS ?= 20
POWERCUTS_SHORT ?= 3

.PHONY: powercut powercut-short

powercut powercut-short:
	@$(MAKE) --no-print-directory ARCH=x86_64 all build/x86_64/hutch-probe
	@qemu/powercut $(if $(filter powercut-short,$@),$(POWERCUTS_SHORT),$(POWERCUTS))

CHECK_EXTRA += powercut-short
check-all: powercut
