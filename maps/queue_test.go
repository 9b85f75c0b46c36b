package maps

import (
	"math/rand"
	"testing"
)

func TestQueueOrder(t *testing.T) {
	q := mustNew(t, Spec{Name: "q", Type: Queue, ValueSize: 4, MaxEntries: 3}, Options{}).(QueueMap)
	v := make([]byte, 4)
	wantErrno(t, "pop empty", q.Pop(v), ENOENT)
	wantErrno(t, "peek empty", q.Peek(v), ENOENT)
	for i := uint32(1); i <= 3; i++ {
		wantErrno(t, "push", q.Push(u32(i), 0), 0)
	}
	wantErrno(t, "push full", q.Push(u32(4), 0), E2BIG)
	wantErrno(t, "push noexist", q.Push(u32(4), UpdateNoExist), EINVAL)
	wantErrno(t, "push bad flags", q.Push(u32(4), 4), EINVAL)
	wantErrno(t, "push exist overwrites oldest", q.Push(u32(4), UpdateExist), 0)
	wantErrno(t, "peek", q.Peek(v), 0)
	if index(v) != 2 {
		t.Fatalf("peek %d, want 2", index(v))
	}
	wantErrno(t, "update pushes", q.Update(nil, u32(5), UpdateExist), 0) // drops 2
	for _, want := range []uint32{3, 4, 5} {
		wantErrno(t, "pop", q.LookupAndDelete(nil, v), 0)
		if index(v) != want {
			t.Fatalf("pop %d, want %d", index(v), want)
		}
	}
	wantErrno(t, "lookup empty", q.Lookup(nil, v), ENOENT)
	wantErrno(t, "lookup with key", q.Lookup(u32(0), v), EINVAL)
	wantErrno(t, "delete", q.Delete(nil), EINVAL)
	wantErrno(t, "next key", q.NextKey(nil, v), EINVAL)
	wantErrno(t, "short value", q.Push(v[:2], 0), EINVAL)
	if q.LookupElem(nil, 0) != 0 || len(q.Regions()) != 0 {
		t.Fatal("queue values must not be program-addressable")
	}
}

func TestStackOrder(t *testing.T) {
	s := mustNew(t, Spec{Name: "s", Type: Stack, ValueSize: 4, MaxEntries: 3}, Options{}).(QueueMap)
	v := make([]byte, 4)
	for i := uint32(1); i <= 3; i++ {
		s.Push(u32(i), 0)
	}
	wantErrno(t, "push full", s.Push(u32(9), 0), E2BIG)
	// BPF_EXIST on a full stack drops the oldest (bottom) element.
	wantErrno(t, "push exist", s.Push(u32(4), UpdateExist), 0)
	s.Peek(v)
	if index(v) != 4 {
		t.Fatalf("peek %d, want 4", index(v))
	}
	for _, want := range []uint32{4, 3, 2} {
		wantErrno(t, "pop", s.Pop(v), 0)
		if index(v) != want {
			t.Fatalf("pop %d, want %d", index(v), want)
		}
	}
	wantErrno(t, "pop empty", s.Pop(v), ENOENT)
	// Wrap around many times.
	for i := uint32(0); i < 100; i++ {
		s.Push(u32(i), 0)
		s.Push(u32(i+1000), 0)
		s.Pop(v)
		if index(v) != i+1000 {
			t.Fatalf("round %d pop %d", i, index(v))
		}
		s.Pop(v)
		if index(v) != i {
			t.Fatalf("round %d pop %d", i, index(v))
		}
	}
}

// TestQueueStackModel runs random pushes (with and without BPF_EXIST),
// pops and peeks on queues and stacks of 1 to 4 entries against a slice
// model, so that the ring positions wrap many times at every size.
func TestQueueStackModel(t *testing.T) {
	for _, typ := range []Type{Queue, Stack} {
		for max := uint32(1); max <= 4; max++ {
			q := mustNew(t, Spec{Type: typ, ValueSize: 4, MaxEntries: max}, Options{}).(QueueMap)
			var model []uint32
			rng := rand.New(rand.NewSource(int64(max)))
			v := make([]byte, 4)
			for i := uint32(0); i < 3000; i++ {
				switch op := rng.Intn(4); op {
				case 0, 1:
					flags := uint64(rng.Intn(2)) * UpdateExist
					want := Errno(0)
					switch {
					case len(model) < int(max):
						model = append(model, i)
					case flags == UpdateExist:
						model = append(model[1:], i) // the oldest goes, for both kinds
					default:
						want = E2BIG
					}
					wantErrno(t, "push", q.Push(u32(i), flags), want)
				case 2, 3:
					if len(model) == 0 {
						wantErrno(t, "take from empty", q.Pop(v), ENOENT)
						wantErrno(t, "peek empty", q.Peek(v), ENOENT)
						continue
					}
					j := 0
					if typ == Stack {
						j = len(model) - 1
					}
					if op == 2 {
						wantErrno(t, "peek", q.Peek(v), 0)
					} else {
						wantErrno(t, "pop", q.Pop(v), 0)
					}
					if got := index(v); got != model[j] {
						t.Fatalf("%v of %d entries, op %d: got %d, want %d (model %v)", typ, max, i, got, model[j], model)
					}
					if op == 3 {
						model = append(model[:j], model[j+1:]...)
					}
				}
			}
		}
	}
}

// BenchmarkQueuePushPop is a program's push and pop of one element, the
// ring positions stepping each time.
func BenchmarkQueuePushPop(b *testing.B) {
	q := mustNew(b, Spec{Type: Queue, ValueSize: 4, MaxEntries: 3}, Options{}).(QueueMap)
	v := u32(1)
	for b.Loop() {
		q.Push(v, 0)
		q.Pop(v)
	}
}
