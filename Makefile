# XTCP top-level Makefile. See README.md.
SHELL := /bin/bash
CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xtcp
LINUX_SRC ?= $(CACHE)/linux-source-6.1
KDIR ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then \
	echo /lib/modules/$$(uname -r)/build; else \
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1; fi)
KBUILD_ARGS := W=1

SRCS := $(filter-out %.mod.c,$(wildcard module/*.[ch] module/uapi/*.h kunit/*.c kunit/*.h))


.PHONY: all print-kdir modules clean deps sparse checkpatch linux-src debug-kernel \
	debug-modules tools kunit check demo bench

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
	@out=$$($(MAKE) -s -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) C=2 modules 2>&1); \
	rc=$$?; echo "$$out" | grep -v '^  \|^make' ; \
	if [ $$rc -ne 0 ] || echo "$$out" | grep -q 'warning:\|error:'; then \
		echo "sparse: FAILED"; exit 1; fi; echo "sparse: clean"

checkpatch: linux-src
	@perl $(LINUX_SRC)/scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore FILE_PATH_CHANGES -f $(SRCS) && echo "checkpatch: clean"

debug-kernel:
	@scripts/build-debug-kernel

# the module and the KUnit suites built against the debug kernel tree
debug-modules: debug-kernel
	@mkdir -p build/debug
	@# sources only: the stock build's objects and .mod files must not mix in
	@rsync -a --delete --exclude '*.mod.c' --include '*/' --include '*.[ch]' \
		--include Kbuild --include .kunitconfig --exclude '*' \
		Kbuild module kunit build/debug/
	$(MAKE) -C $$(scripts/build-debug-kernel --print-dir) \
		M=$(CURDIR)/build/debug $(KBUILD_ARGS) modules

tools:
	$(MAKE) -C tools

kunit: debug-modules
	scripts/kunit-run build/debug/module/xtcp.ko build/debug/kunit/xtcp_kunit.ko

check:
	@scripts/check

demo: deps modules tools
	@scripts/demo

bench: deps modules tools
	@scripts/bench
