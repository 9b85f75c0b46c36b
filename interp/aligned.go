//go:build !(386 || amd64 || arm64 || loong64 || ppc64 || ppc64le || s390x || wasm)

package interp

// unalignedOK is false where misaligned word accesses may fault: such
// accesses are done byte by byte.
const unalignedOK = false
