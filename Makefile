# chainfs: the two entry points are `make up` and `make test`; both install what they need.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo

.PHONY: all deps build fuzz-build asan-build test up down bench soak format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCHAINFS_FUZZ_DIR=$(abspath $(FUZZ_BUILD)) -DCHAINFS_SANITIZE_DIR=$(abspath $(ASAN_BUILD))
	ninja -C $(BUILD) -j $(JOBS)

# The decoders' fuzz target needs clang; ctest runs it from here for a bounded time.
fuzz-build: deps
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCHAINFS_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo
	ninja -C $(FUZZ_BUILD) -j $(JOBS)

# Unit and simulation tests built again with ASan and UBSan; ctest runs them from here.
asan-build: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCHAINFS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	ninja -C $(ASAN_BUILD) -j $(JOBS) common_test runtime_test rpc_wire_test rpc_test kv_test meta_test mgmtd_test storage_test sim_test

test: build fuzz-build asan-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Dependencies, the build, then a whole local cluster (mgmtd, a metadata server, three storage
# servers with replication 3) mounted with FUSE. UP_DIR keeps configs, data and logs; `make
# down` stops it, and `make up` on the same UP_DIR brings the same files back.
UP_DIR   ?= $(HOME)/.chainfs
UP_MOUNT ?= $(HOME)/chainfs
up: build
	$(BUILD)/src/cli/chainfs up --dir $(UP_DIR) --mount $(UP_MOUNT)

down:
	$(BUILD)/src/cli/chainfs down --dir $(UP_DIR)

# Runs SEEDS simulation seeds from FIRST (defaults 1000 and 1); a failing seed prints itself.
SEEDS ?= 1000
FIRST ?= 1
soak: build
	$(BUILD)/sim/chainfs-sim --seeds $(SEEDS) --first $(FIRST)

bench: build
	$(BUILD)/bench/rpc_bench
	$(BUILD)/bench/meta_bench
	$(BUILD)/bench/storage_bench

format:
	scripts/check-format.sh --fix

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD)
