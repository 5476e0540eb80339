# XTCP top-level Makefile. See README.md.
SHELL := /bin/bash
CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xtcp
LINUX_SRC ?= $(CACHE)/linux-source-6.1
KDIR ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then \
	echo /lib/modules/$$(uname -r)/build; else \
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1; fi)
KBUILD_ARGS := W=1
# Debian's stock kernels the guests boot, each with its own build dir
# (build/<kernel>/); the newest installed headers of each series
hdrs = $(shell ls -d /usr/src/linux-headers-$(1).*-amd64 2>/dev/null | \
	sort -V | tail -1)
STOCK := stock61 stock612
KDIR_stock61 ?= $(call hdrs,6.1)
KDIR_stock612 ?= $(call hdrs,6.12)

SRCS := $(filter-out %.mod.c,$(wildcard module/*.[ch] module/uapi/*.h kunit/*.c kunit/*.h))


.PHONY: all print-kdir modules clean deps sparse checkpatch linux-src debug-kernel \
	debug-modules tools kunit check demo bench \
	$(foreach k,$(STOCK),$(k)-modules $(k)-sparse $(k)-kunit-objs)

# copy the sources (only) to build dir $(1): the in-tree build's objects
# and .mod files must not mix in
define sync-src
	@mkdir -p $(1)
	@rsync -a --delete --exclude '*.mod.c' --include '*/' --include '*.[ch]' \
		--include Kbuild --include .kunitconfig --exclude '*' \
		Kbuild module kunit $(1)/
endef

# sparse (C=2) over every file against kernel dir $(1), module dir $(2),
# failing on any warning
define run-sparse
	@out=$$($(MAKE) -s -C $(1) M=$(2) $(KBUILD_ARGS) C=2 modules 2>&1); \
	rc=$$?; echo "$$out" | grep -v '^  \|^make' ; \
	if [ $$rc -ne 0 ] || echo "$$out" | grep -q 'warning:\|error:'; then \
		echo "sparse: FAILED"; exit 1; fi; echo "sparse: clean"
endef

all: modules

print-kdir:
	@echo $(KDIR)

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools clean
	rm -rf build

deps:
	@scripts/install-deps

# The kernel's own source, for checkpatch, kunit.py and the debug kernel.
linux-src:
	@scripts/linux-src >/dev/null

# sparse over every file (C=2), failing on any warning
sparse:
	$(call run-sparse,$(KDIR),$(CURDIR))

# LINUX_VERSION_CODE only in module/xtcp_compat.h
CHECKPATCH = perl $(LINUX_SRC)/scripts/checkpatch.pl --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES
checkpatch: linux-src
	@$(CHECKPATCH) -f $(filter-out module/xtcp_compat.h,$(SRCS)) && \
	$(CHECKPATCH) --ignore LINUX_VERSION_CODE -f module/xtcp_compat.h && \
	echo "checkpatch: clean"

debug-kernel:
	@scripts/build-debug-kernel

# the module and the KUnit suites built against the debug kernel tree
debug-modules: debug-kernel
	$(call sync-src,build/debug)
	$(MAKE) -C $$(scripts/build-debug-kernel --print-dir) \
		M=$(CURDIR)/build/debug $(KBUILD_ARGS) modules

# the module for one stock guest kernel: build/stock61/module/xtcp.ko
# against Debian's 6.1 headers, build/stock612/... against 6.12
$(addsuffix -modules,$(STOCK)): %-modules:
	@[ -n "$(KDIR_$*)" ] || { echo "no headers for $* (make deps)"; exit 1; }
	$(call sync-src,build/$*)
	$(MAKE) -C $(KDIR_$*) M=$(CURDIR)/build/$* $(KBUILD_ARGS) modules

# in a directory of its own: sparse rebuilds every object and xtcp.ko,
# which a guest may be loading from build/$* (make check)
$(addsuffix -sparse,$(STOCK)): %-sparse:
	@[ -n "$(KDIR_$*)" ] || { echo "no headers for $* (make deps)"; exit 1; }
	$(call sync-src,build/$*-sparse)
	$(call run-sparse,$(KDIR_$*),$(CURDIR)/build/$*-sparse)

# Debian's stock kernels have no KUnit: compile (not link) the suites
# against their headers, W=1, to keep the sources building there
KUNIT_OBJS := $(patsubst %.c,kunit/%.o,$(notdir $(wildcard kunit/*.c)))
$(addsuffix -kunit-objs,$(STOCK)): %-kunit-objs:
	@[ -n "$(KDIR_$*)" ] || { echo "no headers for $* (make deps)"; exit 1; }
	$(call sync-src,build/$*)
	$(MAKE) -C $(KDIR_$*) M=$(CURDIR)/build/$* $(KBUILD_ARGS) \
		CONFIG_KUNIT=m $(KUNIT_OBJS)

tools:
	$(MAKE) -C tools

kunit: debug-modules
	scripts/kunit-run build/debug/module/xtcp.ko build/debug/kunit/xtcp_kunit.ko

check:
	@scripts/check

demo: deps stock61-modules tools
	@scripts/demo

bench: deps stock61-modules tools
	@scripts/bench $(BENCH)

# ---- make install / uninstall, DKMS (README "Install") ----
.PHONY: install uninstall check-krel dkms-src dkms-install dkms-remove
# The version lives in VERSION only (module/Kbuild and dkms.conf read it).
VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
# the kernel release of KDIR: the /lib/modules directory to install into
KREL ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
XTCP_KO ?= module/xtcp.ko
MODDIR = $(DESTDIR)/lib/modules/$(KREL)/extra
INST_FILES = $(MODDIR)/xtcp.ko $(DESTDIR)$(PREFIX)/include/linux/xtcp.h \
	$(DESTDIR)$(PREFIX)/share/man/man7/xtcp.7

check-krel:
	@[ -n "$(KREL)" ] || { echo "no kernel release for KDIR=$(KDIR); set KREL" >&2; exit 1; }

# depmod only for the running system: a DESTDIR is a staging root that
# gets its depmod where it is unpacked
install: modules tools check-krel
	install -D -m 644 $(XTCP_KO) $(MODDIR)/xtcp.ko
	install -D -m 644 module/uapi/xtcp.h $(DESTDIR)$(PREFIX)/include/linux/xtcp.h
	install -D -m 644 man/xtcp.7 $(DESTDIR)$(PREFIX)/share/man/man7/xtcp.7
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) BINDIR=$(PREFIX)/bin LIBDIR=$(PREFIX)/lib/xtcp
	$(if $(DESTDIR),,depmod -a $(KREL))

uninstall: check-krel
	rm -f $(INST_FILES)
	$(MAKE) -C tools uninstall DESTDIR=$(DESTDIR) BINDIR=$(PREFIX)/bin LIBDIR=$(PREFIX)/lib/xtcp
	[ ! -d $(MODDIR) ] || rmdir --ignore-fail-on-non-empty $(MODDIR)
	$(if $(DESTDIR),,depmod -a $(KREL))

# DKMS: the module sources are staged into DKMS_SOURCETREE/xtcp-VERSION,
# then dkms add + build + install for KREL (AUTOINSTALL rebuilds it for
# later kernels). DKMS_OPTS goes to every dkms call, e.g. private trees:
# --dkmstree DIR --installtree DIR --no-depmod (scripts/test-dkms).
DKMS ?= dkms
DKMS_SOURCETREE ?= /usr/src
DKMS_OPTS ?=
DKMS_SRC = $(DKMS_SOURCETREE)/xtcp-$(VERSION)
dkms_run = $(DKMS) --sourcetree $(DKMS_SOURCETREE) $(DKMS_OPTS)
dkms_forget = if [ -n "$$($(dkms_run) status xtcp/$(VERSION))" ]; then \
	$(dkms_run) remove xtcp/$(VERSION) --all; fi

dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/module/uapi
	cp VERSION dkms.conf $(DKMS_SRC)/
	cp module/Kbuild $(filter-out %.mod.c,$(wildcard module/*.[ch])) $(DKMS_SRC)/module/
	cp module/uapi/xtcp.h $(DKMS_SRC)/module/uapi/

dkms-install: check-krel
	@$(dkms_forget)
	$(MAKE) dkms-src
	$(dkms_run) add xtcp/$(VERSION)
	$(dkms_run) install xtcp/$(VERSION) -k $(KREL)

dkms-remove:
	@$(dkms_forget)
	rm -rf $(DKMS_SRC)
