package ebpf

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	cilium "github.com/cilium/ebpf"

	"github.com/bpfhost/bpfhost/internal/kernel"
)

// repeatCases are runs whose results tell whether Repeat reruns the program
// on the same packet and context (as the kernel's BPF_PROG_TEST_RUN does)
// or on fresh copies. The expected values are the kernel's (checked against
// it by TestRepeatAgainstKernel where bpf() works).
var repeatCases = []struct {
	prog    string
	repeat  uint32
	data    []byte
	ctx     []byte
	ret     uint32
	dataOut []byte
	ctxOut  []byte
}{
	// The byte is incremented once per run on the one buffer.
	{prog: "bump", repeat: 5, data: packet(20), ret: 6, dataOut: append([]byte{6}, packet(20)[1:]...)},
	{prog: "bump", repeat: 1, data: packet(20), ret: 2, dataOut: append([]byte{2}, packet(20)[1:]...)},
	// adjust_head's move persists: the frame loses a byte per run.
	{prog: "shrink", repeat: 5, data: packet(60), ret: 55, dataOut: packet(60)[5:]},
	// skb->mark stores persist in the one skb.
	{prog: "mark", repeat: 4, data: ipv4Frame(), ctx: skbCtxMark(10), ret: 14, ctxOut: skbCtxMark(14)},
}

// ipv4Frame is an Ethernet frame carrying an empty-payload IPv4 header.
func ipv4Frame() []byte {
	f := make([]byte, 14+20)
	f[12], f[13] = 0x08, 0x00
	f[14] = 0x45
	binary.BigEndian.PutUint16(f[16:], 20)
	f[22] = 64
	f[23] = 17
	return f
}

// skbCtxMark is a struct __sk_buff (192 bytes) with mark (offset 8) set.
func skbCtxMark(mark uint32) []byte {
	b := make([]byte, 192)
	binary.NativeEndian.PutUint32(b[8:], mark)
	return b
}

func repeatObj() string { return filepath.Join("testdata", "repeat.o") }

// TestRepeatSemantics checks that Run with Repeat reruns the program on the
// packet and context the first run left, as the kernel does, and that
// Duration is set.
func TestRepeatSemantics(t *testing.T) {
	spec, err := LoadCollectionSpec(repeatObj())
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	for _, c := range repeatCases {
		opts := RunOptions{Data: c.data, DataOut: make([]byte, 256), Context: c.ctx, Repeat: c.repeat}
		if c.ctx != nil {
			opts.ContextOut = make([]byte, 256)
		}
		ret, err := coll.Programs[c.prog].Run(&opts)
		if err != nil {
			t.Fatalf("%s repeat %d: %v", c.prog, c.repeat, err)
		}
		if ret != c.ret {
			t.Errorf("%s repeat %d: returned %d, want %d", c.prog, c.repeat, ret, c.ret)
		}
		if c.dataOut != nil && string(opts.DataOut) != string(c.dataOut) {
			t.Errorf("%s repeat %d: data out %x, want %x", c.prog, c.repeat, opts.DataOut, c.dataOut)
		}
		if c.ctxOut != nil && string(opts.ContextOut[:12]) != string(c.ctxOut[:12]) {
			t.Errorf("%s repeat %d: ctx out starts %x, want %x", c.prog, c.repeat, opts.ContextOut[:12], c.ctxOut[:12])
		}
		if opts.Duration <= 0 {
			t.Errorf("%s repeat %d: Duration %v", c.prog, c.repeat, opts.Duration)
		}
	}
}

// TestRepeatAgainstKernel runs repeatCases through the kernel's
// BPF_PROG_TEST_RUN, confirming the expected values are the kernel's.
func TestRepeatAgainstKernel(t *testing.T) {
	if err := kernel.Available(); err != nil {
		t.Skip(err)
	}
	spec, err := cilium.LoadCollectionSpec(repeatObj())
	if err != nil {
		t.Fatal(err)
	}
	coll, err := cilium.NewCollection(spec)
	if err != nil {
		t.Skipf("kernel refuses repeat.o: %v", err)
	}
	defer coll.Close()
	for _, c := range repeatCases {
		opts := cilium.RunOptions{Data: c.data, DataOut: make([]byte, 256), Repeat: c.repeat}
		ctxOut := make([]byte, 192)
		if c.ctx != nil {
			opts.Context, opts.ContextOut = c.ctx, ctxOut
		}
		ret, err := coll.Programs[c.prog].Run(&opts)
		if err != nil {
			t.Fatalf("kernel %s repeat %d: %v", c.prog, c.repeat, err)
		}
		if ret != c.ret {
			t.Errorf("kernel %s repeat %d: returned %d, want %d", c.prog, c.repeat, ret, c.ret)
		}
		if c.dataOut != nil && string(opts.DataOut) != string(c.dataOut) {
			t.Errorf("kernel %s repeat %d: data out %x, want %x", c.prog, c.repeat, opts.DataOut, c.dataOut)
		}
		if c.ctxOut != nil && string(ctxOut[:12]) != string(c.ctxOut[:12]) {
			t.Errorf("kernel %s repeat %d: ctx out starts %x, want %x", c.prog, c.repeat, ctxOut[:12], c.ctxOut[:12])
		}
	}
}
