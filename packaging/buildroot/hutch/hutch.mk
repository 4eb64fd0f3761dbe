################################################################################
#
# hutch
#
# Not built here: hutch's own tests cannot run Buildroot. Kept minimal; see packaging/README.md.
# The source is the hutch tree that holds this file (BR2_EXTERNAL=.../packaging/buildroot);
# for a release, set HUTCH_SITE to its tarball instead and add a hutch.hash.
#
################################################################################

HUTCH_VERSION = local
HUTCH_SITE = $(BR2_EXTERNAL_HUTCH_PATH)/../..
HUTCH_SITE_METHOD = local
# the tree's own build output (toolchains, images) stays out of the copy
HUTCH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude build
HUTCH_DEPENDENCIES = jsmn

# CC, CFLAGS and LDFLAGS from $(TARGET_CONFIGURE_OPTS): hutch's Makefile then builds with the
# board's compiler and C library, without apt-get or its own toolchain. Static unless the
# toolchain has shared libraries only.
HUTCH_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	BUILD=$(@D)/out \
	STATIC=$(if $(BR2_STATIC_LIBS)$(BR2_SHARED_STATIC_LIBS),1,0) \
	PREFIX=/usr \
	INIT=$(if $(BR2_INIT_BUSYBOX)$(BR2_INIT_SYSV),sysv,none)

define HUTCH_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(HUTCH_MAKE_OPTS) all
endef

define HUTCH_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(HUTCH_MAKE_OPTS) DESTDIR=$(TARGET_DIR) install
endef

$(eval $(generic-package))
