#!/bin/sh
# Rebuilds every object in this directory (and the example's) with Debian's
# clang-19. CI does not run this: the .o files are committed so that tests
# see exactly the bytes reviewed here.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
# The BPF target has no <asm/...> of its own; use the host's multiarch copy.
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
CFLAGS="-O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$MULTIARCH"
for src in *.c; do
	obj=${src%.c}.o
	flags=$CFLAGS
	# v4.c exercises the cpu v4 instructions (sdiv, movsx, bswap, gotol).
	[ "$src" = v4.c ] && flags="$flags -mcpu=v4"
	echo "$CLANG $flags -c $src -o $obj"
	$CLANG $flags -c "$src" -o "$obj"
done
ex=../../examples/xdp-firewall/bpf
echo "$CLANG $CFLAGS -c $ex/firewall.c -o $ex/firewall.o"
$CLANG $CFLAGS -c "$ex/firewall.c" -o "$ex/firewall.o"
