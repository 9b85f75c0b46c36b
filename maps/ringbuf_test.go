package maps

import (
	"encoding/binary"
	"fmt"
	"testing"
)

func newRingForTest(t testing.TB, size uint32) *ringBuf {
	return mustNew(t, Spec{Name: "rb", Type: RingBuf, MaxEntries: size}, Options{}).(*ringBuf)
}

func TestRingBufRecords(t *testing.T) {
	rb := newRingForTest(t, 4096)
	if rb.Reserve(8, 1) != 0 {
		t.Fatal("Reserve with flags must fail")
	}
	a := rb.Reserve(5, 0)
	if a == 0 || a%8 != 0 {
		t.Fatalf("Reserve = %#x", a)
	}
	r := rb.Regions()
	if len(r) != 1 || !r[0].Contains(a, 5) || r[0].End-r[0].Start != 2*4096 {
		t.Fatalf("regions %v", r)
	}
	hdr := binary.NativeEndian.Uint32(mem(a-8, 4))
	if hdr != 5|RingBufBusyBit {
		t.Fatalf("header %#x, want BUSY|5", hdr)
	}
	if _, ok := rb.Read(); ok {
		t.Fatal("a busy record must not be readable")
	}
	if q := rb.Query(RingBufProdPos); q != 16 {
		t.Fatalf("producer position %d, want 16 (8-byte header + 5 rounded up to 8)", q)
	}
	copy(mem(a, 5), "hello")
	b := rb.Reserve(3, 0)
	copy(mem(b, 3), "bye")
	rb.Discard(b, 0)
	rb.Submit(a, 0)
	rb.Submit(a, 0) // a second submit is ignored
	if err := rb.Output([]byte("third"), RingBufNoWakeup); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "output bad flags", rb.Output([]byte("x"), 4), EINVAL)
	if q := rb.Query(RingBufAvailData); q != 16+16+16 {
		t.Fatalf("available %d, want 48", q)
	}
	for _, want := range []string{"hello", "third"} {
		rec, ok := rb.Read()
		if !ok || string(rec) != want {
			t.Fatalf("Read = %q %v, want %q", rec, ok, want)
		}
	}
	if _, ok := rb.Read(); ok {
		t.Fatal("Read after the last record")
	}
	if rb.Query(RingBufConsPos) != 48 || rb.Query(RingBufRingSize) != 4096 || rb.Query(99) != 0 {
		t.Fatal("Query positions")
	}
	wantErrno(t, "lookup", rb.Lookup(nil, nil), ENOTSUPP)
	wantErrno(t, "update", rb.Update(nil, nil, 0), ENOTSUPP)
	wantErrno(t, "delete", rb.Delete(nil), ENOTSUPP)
	wantErrno(t, "next", rb.NextKey(nil, nil), ENOTSUPP)
}

func TestRingBufFullAndWrap(t *testing.T) {
	rb := newRingForTest(t, 4096)
	// A record needing the whole ring can never fit (the kernel keeps one byte free).
	if rb.Reserve(4096-8, 0) != 0 {
		t.Fatal("record of the ring's size reserved")
	}
	if rb.Reserve(1<<31, 0) != 0 {
		t.Fatal("oversized record reserved")
	}
	// Fill: 1000-byte records take 1008 bytes; four fit (4032 <= 4095).
	var addrs []uintptr
	for i := 0; i < 4; i++ {
		a := rb.Reserve(1000, 0)
		if a == 0 {
			t.Fatalf("reserve %d failed", i)
		}
		addrs = append(addrs, a)
	}
	if rb.Reserve(100, 0) != 0 {
		t.Fatal("reserve past the consumer succeeded")
	}
	wantErrno(t, "output when full", rb.Output(make([]byte, 100), 0), EAGAIN)
	for i, a := range addrs {
		copy(mem(a, 4), fmt.Sprint(i, "!!!"))
		rb.Submit(a, 0)
	}
	// Consume two records, then a record that wraps around the end.
	for i := 0; i < 2; i++ {
		if rec, ok := rb.Read(); !ok || string(rec[:4]) != fmt.Sprint(i, "!!!") {
			t.Fatalf("read %d: %q %v", i, rec[:4], ok)
		}
	}
	a := rb.Reserve(1500, 0) // starts at 4032, ends past 4096
	if a == 0 {
		t.Fatal("wrapping reserve failed")
	}
	msg := make([]byte, 1500)
	for i := range msg {
		msg[i] = byte(i)
	}
	copy(mem(a, 1500), msg)
	rb.Submit(a, 0)
	for i := 2; i < 4; i++ {
		rb.Read()
	}
	rec, ok := rb.Read()
	if !ok || string(rec) != string(msg) {
		t.Fatalf("wrapped record read back wrong (ok %v, %d bytes)", ok, len(rec))
	}
	// Many laps of output and read.
	for i := 0; i < 1000; i++ {
		data := []byte(fmt.Sprintf("record %d %s", i, make([]byte, i%300)))
		if err := rb.Output(data, 0); err != nil {
			t.Fatalf("output %d: %v", i, err)
		}
		rec, ok := rb.Read()
		if !ok || string(rec) != string(data) {
			t.Fatalf("lap record %d wrong", i)
		}
	}
	select {
	case <-rb.Notify():
	default:
		t.Fatal("no wakeup after submit")
	}
}

func TestRingBufCorruptHeader(t *testing.T) {
	rb := newRingForTest(t, 4096)
	a := rb.Reserve(16, 0)
	rb.Submit(a, 0)
	// A program scribbles an impossible length over the header.
	binary.NativeEndian.PutUint32(mem(a-8, 4), 100000)
	if _, ok := rb.Read(); ok {
		t.Fatal("read a corrupt record")
	}
	if err := rb.Output([]byte("after"), 0); err != nil {
		t.Fatal(err)
	}
	if rec, ok := rb.Read(); !ok || string(rec) != "after" {
		t.Fatalf("ring did not recover: %q %v", rec, ok)
	}
	rb.Submit(12345, 0) // addresses outside the ring are ignored
	rb.Discard(rb.Regions()[0].Start+3, 0)
}
