package link

import (
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
)

// TestHookRunConcurrent runs a hook while links come and go (run with
// -race): every run sees a consistent list.
func TestHookRunConcurrent(t *testing.T) {
	h, err := DefineHook("race_hook", "xdp")
	if err != nil {
		t.Fatal(err)
	}
	p := retProgram(t, "xdp", "xdp", 2)
	keep, err := AttachHook(h, p)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			l, err := AttachHook(h, p)
			if err != nil {
				t.Error(err)
				return
			}
			l.Close()
		}
		close(stop)
	}()
	opts := &ebpf.RunOptions{Data: make([]byte, 64)}
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		if ret, n, err := h.Run(opts, nil); err != nil || ret != 2 || n < 1 || n > 2 {
			t.Fatalf("run: %d, %d, %v", ret, n, err)
		}
	}
	wg.Wait()
}

// TestHookRunAllocs: running a hook allocates nothing beyond its programs'
// runs.
func TestHookRunAllocs(t *testing.T) {
	h, _ := DefineHook("alloc_hook", "xdp")
	p := retProgram(t, "xdp", "xdp", 2)
	l, err := AttachHook(h, p)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	opts := &ebpf.RunOptions{Data: make([]byte, 64)}
	base := testing.AllocsPerRun(100, func() { p.Run(opts) })
	if n := testing.AllocsPerRun(100, func() { h.Run(opts, nil) }); n > base {
		t.Fatalf("Hook.Run allocates %.1f per run, Program.Run %.1f", n, base)
	}
}
