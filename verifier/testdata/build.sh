#!/bin/sh
# Rebuilds the verifier's test objects with clang-19 (the .o files are
# committed so tests see exactly these bytes).
set -eu
cd "$(dirname "$0")"
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
for src in *.c; do
	clang-19 -O2 -g -target bpf -mcpu=v3 -Wall -I/usr/include/$MULTIARCH -c "$src" -o "${src%.c}.o"
done
