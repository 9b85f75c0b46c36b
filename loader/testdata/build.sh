#!/bin/sh
# Rebuilds the loader's test objects from their C sources. Requires clang-19
# and the Linux UAPI and libbpf headers (linux/bpf.h, bpf/bpf_helpers.h).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
# asm/types.h lives under the multiarch include directory on Debian/Ubuntu.
ARCH_INC=$(ls -d /usr/include/*-linux-gnu 2>/dev/null | head -n1 || true)
for src in *.c; do
	"$CLANG" -O2 -g -target bpf ${ARCH_INC:+-I"$ARCH_INC"} -c "$src" -o "${src%.c}.o"
done
