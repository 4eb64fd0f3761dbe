# qemu/smoke.mk: smoke tests of an application image in the boards' QEMU guests (tools/hutch-smoke),
# included by the Makefile.
#   make smoke IMAGE=FILE [ARCH=x86_64|aarch64|armv7|all] [SMOKE_FLAGS='--check-guest ...']
#                        boot the board with hutch and FILE inside, start it as an init script
#                        would, check it, stop it, check that nothing is left (hutch-smoke --help)
#   make smoke-check     tests/smoke/run.sh on x86_64 (part of make check: about 3 minutes)
#   make smoke-check-all the same with the httpd image on every board (--arch all; check-all)
SMOKE_PACKAGES := buildah skopeo umoci jq cryptsetup-bin erofs-utils squashfs-tools e2fsprogs \
	cpio kmod gzip util-linux qemu-system-x86 qemu-system-arm

.PHONY: smoke smoke-check smoke-check-all

smoke:
	@[ -n "$(IMAGE)" ] || { echo "make smoke: IMAGE=FILE is missing (make smoke IMAGE=app.erofs ARCH=aarch64)" >&2; exit 125; }
	@tools/hutch-smoke --arch $(ARCH) $(SMOKE_FLAGS) '$(IMAGE)'

smoke-check smoke-check-all:
	@toolchain/need-packages $(SMOKE_PACKAGES)
	@SMOKE_BOARDS=$(if $(filter smoke-check-all,$@),all,x86_64) sh tests/smoke/run.sh

CHECK_EXTRA += smoke-check
check-all: smoke-check-all
