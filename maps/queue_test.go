package maps

import "testing"

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
