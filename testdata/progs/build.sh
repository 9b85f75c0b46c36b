#!/bin/sh
# Rebuilds every object in this directory (and the example's) with Debian's
# clang-19. CI does not run this: the .o files are committed so that tests
# see exactly the bytes reviewed here.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
# The BPF target has no <asm/...> of its own; use the host's multiarch copy.
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
BASE="-O2 -g -target bpf -Wall -Werror -I/usr/include/$MULTIARCH"
# The corpus uses cpu v3 (atomics that fetch need it); v4.c adds v4.
CFLAGS="$BASE -mcpu=v3"
for src in *.c; do
	obj=${src%.c}.o
	flags=$CFLAGS
	# v4.c exercises the cpu v4 instructions (sdiv, movsx, bswap, gotol).
	[ "$src" = v4.c ] && flags="$flags -mcpu=v4"
	echo "$CLANG $flags -c $src -o $obj"
	$CLANG $flags -c "$src" -o "$obj"
done
# The example is built with clang's default CPU, the plain command its
# README shows, so that objects of that older instruction set are covered too.
ex=../../examples/xdp-firewall/bpf
echo "$CLANG $BASE -c $ex/firewall.c -o $ex/firewall.o"
$CLANG $BASE -c "$ex/firewall.c" -o "$ex/firewall.o"
