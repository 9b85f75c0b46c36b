#!/bin/sh
# Rebuilds the positive suite's objects with clang-19 (the .o files are
# committed so tests see exactly these bytes).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
for src in *.c; do
	echo "$CLANG -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$MULTIARCH -c $src -o ${src%.c}.o"
	$CLANG -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I"/usr/include/$MULTIARCH" -c "$src" -o "${src%.c}.o"
done
