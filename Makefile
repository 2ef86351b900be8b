# SPDX-License-Identifier: GPL-2.0
#
# nvmet-dda top-level Makefile.
#
#   make                 ddactl and the module for KDIR
#   make module          nvmet-dda.ko for KDIR (default: the running kernel)
#   make tools           ddactl and its unit tests (tools/build/)
#   make check           every test: unit, module builds, style, VM suite
#   make check-kernels   the VM suite on the 6.12 x86-64 and 6.1 arm64 test
#                        kernels (not in make check: hours under TCG)
#   make demo            boot the test VM and show the target working
#   make bench           fio over our transport and nvmet-rdma in the VM
#                        (not a test; results in build/bench.json)
#   make soak            SOAK_MINUTES (30) of verified mixed I/O with policy
#                        changes in the VM (not a test; build/soak.json)
#   make test-kernel     build (or reuse) the cached QEMU test kernel
#   make vm-shell        boot the test VM with an interactive shell
#   make style           checkpatch on kmod/ and the uapi header
#   make module-install  install the module for KDIR and run depmod
#   make dkms-source     stage the DKMS source tree (DKMS_SOURCE=DIR)
#   make dkms-install    register, build and install through DKMS
#   make module-clean    remove the module's build products only (dkms.conf CLEAN)
#   make install         ddactl, its man page, bash and zsh completions, the
#                        systemd unit and the modprobe.d file (PREFIX=/usr/local,
#                        DESTDIR=)
#   make deb             Debian packages nvmet-dda-dkms and ddactl (build/deb/)
#   make clean

TOP := $(CURDIR)
KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD := $(TOP)/build
VERSION := $(shell cat $(TOP)/VERSION)
DEPS := $(TOP)/scripts/install-deps
# What DKMS gets (/usr/src/nvmet-dda-VERSION): the module's sources and what
# `make module` needs to build them, nothing else (no tools/, no build/).
DKMS_FILES := dkms.conf Makefile Kbuild VERSION kmod include \
	scripts/find-nvmet-src scripts/probe-kernel
DKMS_SOURCE ?= $(BUILD)/dkms-source/nvmet-dda-$(VERSION)

.PHONY: all module tools check check-kernels demo bench soak test-kernel vm-shell style \
	module-install modprobe-conf dkms-source dkms-install module-clean \
	clean deps install install-tools deb

all: tools module

deps:
	@$(DEPS)

# find-nvmet-src: nvmet's private header; probe-kernel: which kernel APIs the
# tree has (nvmet_dda_probes.h, see kmod/compat.h). ARCH and CROSS_COMPILE
# pass through for cross builds.
module:
	@nvmet_src=$$($(TOP)/scripts/find-nvmet-src "$(KDIR)" "$(BUILD)/nvmet-src") && \
	probes=$$($(TOP)/scripts/probe-kernel "$(KDIR)" "$$nvmet_src" "$(BUILD)/probes") && \
	$(MAKE) -C "$(KDIR)" M="$(TOP)" NVMET_SRC="$$nvmet_src" \
		NVMET_DDA_PROBES="$$probes" modules

module-install: module modprobe-conf
	$(MAKE) -C "$(KDIR)" M="$(TOP)" modules_install
	depmod -a $(shell cat "$(KDIR)/include/config/kernel.release")

# nvmet picks nvmet-dda for trtype rdma (see dist/nvmet-dda.conf)
modprobe-conf:
	install -D -m 0644 $(TOP)/dist/nvmet-dda.conf $(DESTDIR)/etc/modprobe.d/nvmet-dda.conf

tools:
	@$(MAKE) -C tools

test-kernel: deps
	@$(TOP)/tests/vm/build-kernel

check: deps
	@$(TOP)/tests/check

check-kernels:
	@$(DEPS) --kernels
	@$(TOP)/tests/check-kernels

demo: deps
	@$(TOP)/tests/vm/demo

bench:
	@$(DEPS) --bench
	@$(TOP)/tests/vm/bench

soak: deps
	@$(TOP)/tests/vm/soak

vm-shell: deps
	@$(TOP)/tests/vm/run --shell

style:
	@$(TOP)/scripts/style

# The DKMS source tree, sources only (no objects from an in-tree build).
dkms-source:
	rm -rf "$(DKMS_SOURCE)"
	mkdir -p "$(DKMS_SOURCE)"
	tar -C "$(TOP)" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.o.d' \
		$(DKMS_FILES) | tar -C "$(DKMS_SOURCE)" -xf -

# dkms add copies the staged tree to /usr/src/nvmet-dda-$(VERSION).
dkms-install: dkms-source modprobe-conf
	dkms add "$(DKMS_SOURCE)"
	dkms build nvmet-dda/$(VERSION)
	dkms install nvmet-dda/$(VERSION)

# --- install and packages ------------------------------------------------
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
# Debian 12 keeps units in /lib/systemd/system.
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

# ddactl and what goes with it; the unit calls ddactl where it is installed.
install-tools:
	$(MAKE) -C tools ddactl
	install -D -m 0755 tools/build/ddactl $(DESTDIR)$(SBINDIR)/ddactl
	install -D -m 0644 tools/ddactl/ddactl.8 $(DESTDIR)$(MANDIR)/man8/ddactl.8
	install -D -m 0644 tools/ddactl/ddactl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/ddactl
	install -D -m 0644 tools/ddactl/_ddactl $(DESTDIR)$(ZSHCOMPDIR)/_ddactl
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/sbin/ddactl|$(SBINDIR)/ddactl|g' dist/nvmet-dda.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/nvmet-dda.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/nvmet-dda.service

install: install-tools modprobe-conf

# Debian's own tooling (debhelper, dh-dkms) on a copy of the sources in
# build/deb/src; the packages land in build/deb/.
DEB_SRC := $(BUILD)/deb/src
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	tar -C "$(TOP)" -cf - --exclude=./build --exclude=./tools/build --exclude=./tools/build-* --exclude=./.git \
		--exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.o.d' --exclude=modules.order \
		--exclude=Module.symvers . | tar -C $(DEB_SRC) -xf -
	# The unit tests run in make check already (DEB_BUILD_OPTIONS=nocheck).
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="nocheck parallel=2 $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	@ls $(BUILD)/deb/*.deb

# Also dkms.conf's CLEAN: works in a DKMS source tree, which has no tools/.
module-clean:
	rm -rf $(BUILD)/nvmet-src $(BUILD)/probes
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -f kmod/*.o kmod/.*.cmd kmod/tests/*.o kmod/tests/.*.cmd

clean: module-clean
	rm -rf $(BUILD)
	$(MAKE) -C tools clean
