//go:build 386 || amd64 || arm64 || loong64 || ppc64 || ppc64le || s390x || wasm

package interp

// unalignedOK says that the hardware performs unaligned loads and stores,
// so programs' misaligned accesses can use ordinary word accesses.
const unalignedOK = true
