#!/bin/sh
# Rebuilds the test objects of the bpfhost CLI tests. The .o files are
# committed so that the tests run without clang.
set -e
cd "$(dirname "$0")"
arch=$(uname -m)
clang-19 -O2 -g -target bpf -I/usr/include/"$arch"-linux-gnu -c prog.c -o prog.o
clang-19 -O2 -g -target bpf -I/usr/include/"$arch"-linux-gnu -c maps.c -o maps.o
clang-19 -O2 -g -target bpf -I/usr/include/"$arch"-linux-gnu -c types.c -o types.o
