package maps

import "testing"

func TestPerfEventArray(t *testing.T) {
	m := mustNew(t, Spec{Name: "ev", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}, Options{PerfRingBytes: 64}).(PerfEventArrayMap)
	wantErrno(t, "output without reader", m.Output(0, []byte("x")), ENOENT)
	wantErrno(t, "output out of range", m.Output(2, []byte("x")), E2BIG)
	wantErrno(t, "attach bad flags", m.Update(u32(0), u32(0), UpdateNoExist), EINVAL)
	wantErrno(t, "attach out of range", m.Update(u32(2), u32(0), UpdateAny), E2BIG)
	wantErrno(t, "attach", m.Update(u32(0), u32(0), UpdateAny), 0)
	wantErrno(t, "attach 1", m.Update(u32(1), u32(1), UpdateAny), 0)
	wantErrno(t, "lookup", m.Lookup(u32(0), make([]byte, 4)), ENOTSUPP)
	wantErrno(t, "too big", m.Output(0, make([]byte, 57)), E2BIG)
	// 64-byte ring: records take 8 + round_up(len, 8).
	wantErrno(t, "out 1", m.Output(0, []byte("first-sample")), 0)  // 24
	wantErrno(t, "out 2", m.Output(0, []byte("second-sample")), 0) // 48
	wantErrno(t, "out full", m.Output(0, []byte("third-sample")), ENOSPC)
	wantErrno(t, "out other cpu", m.Output(1, []byte("cpu1")), 0)
	if l := m.(*perfArray).Lost(0); l != 1 {
		t.Fatalf("lost %d, want 1", l)
	}
	got := map[string]int{}
	for {
		cpu, s, ok := m.Read()
		if !ok {
			break
		}
		got[string(s)] = cpu
	}
	if len(got) != 3 || got["first-sample"] != 0 || got["second-sample"] != 0 || got["cpu1"] != 1 {
		t.Fatalf("samples %v", got)
	}
	// Wrap around the ring many times.
	for i := 0; i < 50; i++ {
		wantErrno(t, "out", m.Output(0, []byte("0123456789abcdefghij")), 0)
		if _, s, ok := m.Read(); !ok || string(s) != "0123456789abcdefghij" {
			t.Fatalf("lap %d: %q %v", i, s, ok)
		}
	}
	wantErrno(t, "detach", m.Delete(u32(0)), 0)
	wantErrno(t, "detach again", m.Delete(u32(0)), ENOENT)
	wantErrno(t, "detach out of range", m.Delete(u32(5)), E2BIG)
	wantErrno(t, "output after detach", m.Output(0, []byte("x")), ENOENT)
}

// TestPerfOutputParts checks that a sample written in two parts is the
// sample of the joined bytes, across every wrap position of the ring, with
// the joined size deciding E2BIG and ENOSPC.
func TestPerfOutputParts(t *testing.T) {
	m := mustNew(t, Spec{Name: "ev", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1}, Options{PerfRingBytes: 64}).(PerfEventArrayMap)
	wantErrno(t, "attach", m.Update(u32(0), u32(0), UpdateAny), 0)
	data, extra := []byte("0123456789"), []byte("abcdefghijk")
	for lap := 0; lap < 20; lap++ { // 40-byte records over a 64-byte ring
		handled, err := PerfOutputParts(m, 0, data, extra)
		if !handled {
			t.Fatal("PerfOutputParts did not handle the package's perf array")
		}
		wantErrno(t, "parts", err, 0)
		if _, s, ok := m.Read(); !ok || string(s) != "0123456789abcdefghijk" {
			t.Fatalf("lap %d: %q %v", lap, s, ok)
		}
	}
	_, err := PerfOutputParts(m, 0, make([]byte, 30), make([]byte, 27))
	wantErrno(t, "parts too big together", err, E2BIG)
	_, err = PerfOutputParts(m, 0, make([]byte, 20), make([]byte, 10))
	wantErrno(t, "parts", err, 0)
	_, err = PerfOutputParts(m, 0, make([]byte, 20), make([]byte, 10))
	wantErrno(t, "parts full", err, ENOSPC)
	_, err = PerfOutputParts(m, 1, data, extra)
	wantErrno(t, "parts out of range", err, E2BIG)
}
