package progtest

import (
	"encoding/binary"
	"net"

	"github.com/bpfhost/bpfhost/internal/kernel"
)

// Little helpers for writing keys and values in case tables. Values are
// little-endian (the byte order of map values on every host bpfhost and the
// kernel tests run on); B concatenates.

// U16 encodes v as 2 little-endian bytes.
func U16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// U32 encodes v as 4 little-endian bytes.
func U32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// U64 encodes v as 8 little-endian bytes.
func U64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// I64 encodes v as 8 little-endian bytes.
func I64(v int64) []byte { return U64(uint64(v)) }

// IP4 returns the 4 bytes of an IPv4 address in network order.
func IP4(s string) []byte { return append([]byte(nil), net.ParseIP(s).To4()...) }

// IP6 returns the 16 bytes of an IPv6 address.
func IP6(s string) []byte { return append([]byte(nil), net.ParseIP(s).To16()...) }

// B concatenates byte slices.
func B(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// E makes a keyed dump entry.
func E(key, value []byte) Entry { return Entry{Key: key, Value: value} }

// V makes an unkeyed dump entry (queues, stacks, ring buffers).
func V(value []byte) Entry { return Entry{Value: value} }

// Zero returns n zero bytes.
func Zero(n int) []byte { return make([]byte, n) }

// SortEntries orders keyed entries by key bytes, the canonical dump order.
func SortEntries(es []Entry) { kernel.SortEntries(es) }
