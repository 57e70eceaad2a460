# ccgov: build, check, demo, fuzz, bench, install.
#
#   make            build build/ccgov
#   make check      install what is missing, build, run every test
#   make check SANITIZE=1   the same under ASan+UBSan (in build-san/)
#   make demo       build and run ccgov on the bundled sample project
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (600), all cores
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?=
FUZZ_SECONDS ?= 600
CC ?= cc
V ?=

BUILD := build$(if $(SANITIZE),-san)

# Debian packages: to build, then what the tests check ccgov against.
BUILD_PACKAGES := gcc make pkg-config libgit2-dev libssl-dev libcjson-dev \
	libarchive-dev libtree-sitter-dev libdeflate-dev libzstd-dev zlib1g-dev
TEST_PACKAGES := git openssl bats bats-assert bats-support clang \
	libclang-rt-14-dev skopeo umoci diffoscope-minimal python3 \
	python3-jsonschema python3-securesystemslib jq golang-go ovmf runc busybox-static

# pkg-config is asked once per make run, after `deps` has installed it.
PKGS := libgit2 libcrypto libarchive libcjson libdeflate libzstd zlib
DEP_CFLAGS = $(eval DEP_CFLAGS := $$(shell pkg-config --cflags $(PKGS) tree-sitter))$(DEP_CFLAGS)
DEP_LIBS = $(eval DEP_LIBS := $$(shell pkg-config --libs $(PKGS)) -l:libtree-sitter.a -pthread)$(DEP_LIBS)
# Debian's tree-sitter.pc says 0.6.3 for 0.20.7: the package knows better.
TS_VERSION = $(eval TS_VERSION := $$(shell dpkg-query -W -f='$$$${source:Upstream-Version}' libtree-sitter-dev 2>/dev/null || pkg-config --modversion tree-sitter))$(TS_VERSION)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := $(if $(SANITIZE),-O1 -g $(SAN_FLAGS),-O2 -g -D_FORTIFY_SOURCE=2)
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong \
	-Ilibccgov $(DEP_CFLAGS) -DCCGOV_TREE_SITTER_VERSION='"$(TS_VERSION)"' \
	-DCCGOV_RULES_DIR='"$(PREFIX)/share/ccgov/rules"' $(CFLAGS)
LDFLAGS_ALL = $(if $(SANITIZE),$(SAN_FLAGS)) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard libccgov/*.c) $(wildcard analyzers/*.c))
CMD_SRC := $(sort $(wildcard cmd/ccgov/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))

# tree-sitter grammars: npm packages pinned by analyzers/grammars/package-lock.json
# (versions and integrity hashes), installed without running their scripts;
# only their generated parser.c and scanner.c are compiled, always without
# sanitizers (generated code, not ours).
GRAMMARS := c cpp go python rust json toml
GRAMMAR_SRC := analyzers/grammars/node_modules
GRAMMAR_STAMP := $(GRAMMAR_SRC)/.ccgov-installed
GRAMMAR_OBJ := $(foreach g,$(GRAMMARS),build/grammars/$(g)-parser.o) \
	$(foreach g,cpp python rust toml,build/grammars/$(g)-scanner.o)
# The package folder of each grammar (TOML's is scoped).
grammar_dir = $(GRAMMAR_SRC)/$(if $(filter toml,$(1)),@tree-sitter-grammars/)tree-sitter-$(1)/src

Q := $(if $(V),,@)

.PHONY: all deps check demo fuzz fuzz-build bench install clean
.DELETE_ON_ERROR:

all: $(BUILD)/ccgov

# Installs only what is missing, quietly; a fresh Debian 12 machine needs
# one `apt-get update` first, which happens only when something is missing.
deps:
	$(Q)command -v dpkg-query >/dev/null || { echo "make deps: not a Debian system; install: $(BUILD_PACKAGES) $(TEST_PACKAGES)" >&2; exit 0; }; \
	missing=$$(for p in $(BUILD_PACKAGES) $(TEST_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || echo $$p; done); \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	[ -z "$$missing" ] && exit 0; \
	echo "make deps: installing" $$missing; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get update -qq >/dev/null && \
	$$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	{ echo "make deps: apt-get install failed for:" $$missing >&2; exit 3; }

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(GRAMMAR_STAMP): analyzers/grammars/package.json analyzers/grammars/package-lock.json | deps
	$(Q)cd analyzers/grammars && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	$(Q)touch $@

build/grammars/%-parser.o: $(GRAMMAR_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -O2 -w -fPIC -I$(call grammar_dir,$*) -c -o $@ $(call grammar_dir,$*)/parser.c

build/grammars/%-scanner.o: $(GRAMMAR_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -O2 -w -fPIC -I$(call grammar_dir,$*) -c -o $@ $(call grammar_dir,$*)/scanner.c

$(BUILD)/libccgov.a: $(LIB_OBJ) $(GRAMMAR_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/ccgov: $(CMD_OBJ) $(BUILD)/libccgov.a
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CMD_OBJ) $(BUILD)/libccgov.a $(DEP_LIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libccgov.a
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(UNIT_OBJ) $(BUILD)/libccgov.a $(DEP_LIBS)

# Fuzz targets always build with clang's libFuzzer and the sanitizers. The
# library is compiled once, instrumented, and every target links it.
FUZZ_BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Ilibccgov $(DEP_CFLAGS) \
	-DCCGOV_TREE_SITTER_VERSION='"$(TS_VERSION)"'
FUZZ_CFLAGS = $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
build-fuzz/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
build-fuzz/libccgov.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
build-fuzz/%: fuzz/%.c build-fuzz/libccgov.a $(wildcard fuzz/*.h libccgov/ccgov/*.h) $(GRAMMAR_OBJ) | deps
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< build-fuzz/libccgov.a $(GRAMMAR_OBJ) $(DEP_LIBS)

fuzz-build: $(addprefix build-fuzz/,$(FUZZ_TARGETS))

# Every target gets its FUZZ_SECONDS whatever it finds, FUZZ_JOBS at a time
# (both cores); findings are kept in build-fuzz/artifacts/TARGET/ (fuzz/run).
fuzz: fuzz-build
	$(Q)FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

check: $(BUILD)/ccgov $(BUILD)/unit-tests fuzz-build
	$(Q)BUILD=$(BUILD) FUZZ_TARGETS="$(FUZZ_TARGETS)" tests/run

# The main job: build the bundled sample project (a small C program, in
# this repository's git history) into an OCI image, show the evidence, and
# start the image with a real OCI runtime. The sample is linked statically
# here, so the image needs no base (README: "Images that run" shows the
# base way). --allow-dirty: in a work tree with local edits the demo still
# builds the committed sample, and the provenance says the tree was dirty.
DEMO_OUT ?= ccgov-out
demo: $(BUILD)/ccgov
	$(Q)set -e; c=$(BUILD)/ccgov; \
	echo "== $$c --version"; $$c --version; echo; \
	echo "== ccgov build testdata/sample -o $(DEMO_OUT) --command 'make LDFLAGS=-static' --strict"; \
	$$c build testdata/sample -o $(DEMO_OUT) --allow-dirty --command 'make LDFLAGS=-static' --strict; echo; \
	echo "== the evidence bundle"; \
	(cd $(DEMO_OUT) && find . -type f | sort | xargs ls -l | awk '{print $$5, $$9}'); echo; \
	echo "== image.digest (the build's identity)"; cat $(DEMO_OUT)/image.digest; echo; \
	echo "== provenance: subject and source"; \
	jq '{subject, source: .predicate.buildDefinition.externalParameters.source, sourceDateEpoch: .predicate.buildDefinition.internalParameters.sourceDateEpoch}' \
		$(DEMO_OUT)/provenance.intoto.json; echo; \
	echo "== sbom.cdx.json: the image and what it holds (the toolchain too)"; \
	jq -c '.metadata.component.purl, (.components[] | {type, name, version, scope})' $(DEMO_OUT)/sbom.cdx.json; echo; \
	echo "== skopeo inspect oci:$(DEMO_OUT)/image:1.0 (an independent reader)"; \
	skopeo inspect oci:$(DEMO_OUT)/image:1.0 | jq '{Digest, Architecture, Os, Layers}'; echo; \
	echo "== the image, unpacked by umoci and started by runc: digest, then what it printed"; \
	t=$$(mktemp -d); \
	if umoci --log error unpack --image $(DEMO_OUT)/image:1.0 $$t/bundle >/dev/null && \
	   jq '.process.terminal = false' $$t/bundle/config.json >$$t/config && mv $$t/config $$t/bundle/config.json && \
	   out=$$(runc run --bundle $$t/bundle ccgov-demo-$$$$ 2>&1); then \
		echo "$$(cat $(DEMO_OUT)/image.digest)  $$out"; \
	else \
		echo "runc could not start the image here ($$out): it needs root, or user namespaces and cgroups; the image is built all the same"; \
	fi; \
	rm -rf $$t

bench: $(BUILD)/ccgov
	$(Q)for b in bench/*.sh; do [ -x "$$b" ] && CCGOV=$(BUILD)/ccgov "$$b"; done; true

install: $(BUILD)/ccgov
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/ccgov/rules
	install -m 0755 $(BUILD)/ccgov $(DESTDIR)$(PREFIX)/bin/ccgov
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cd rules && find . -type d -exec install -d $(DESTDIR)$(PREFIX)/share/ccgov/rules/{} \; \
		&& find . -type f ! -name '.*' -exec install -m 0644 {} $(DESTDIR)$(PREFIX)/share/ccgov/rules/{} \;

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
