package helpers

import (
	"bufio"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// TestNumbersMatchUAPI checks every helper number against the kernel's
// enum, from the UAPI header when it is installed.
func TestNumbersMatchUAPI(t *testing.T) {
	f, err := os.Open("/usr/include/linux/bpf.h")
	if err != nil {
		t.Skipf("Linux UAPI header not installed: %v", err)
	}
	defer f.Close()
	fn := regexp.MustCompile(`^\s*FN\((\w+),?\s*(\d+)?`)
	uapi := map[string]int32{}
	in, n := false, int32(0)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if regexp.MustCompile(`#define __BPF_FUNC_MAPPER\(FN\)`).MatchString(line) {
			in = true
			continue
		}
		if !in {
			continue
		}
		m := fn.FindStringSubmatch(line)
		if m == nil {
			break
		}
		uapi[m[1]] = n
		n++
	}
	if len(uapi) < 100 {
		t.Skipf("could not parse the helper list of /usr/include/linux/bpf.h (%d entries)", len(uapi))
	}
	for num, name := range Names {
		if got, ok := uapi[name]; !ok || got != num {
			t.Errorf("helper %q is %d here, %d (found %v) in the UAPI", name, num, got, ok)
		}
	}
}

func TestEveryNamedHelperIsInATable(t *testing.T) {
	tables := []*vm.HelperTable{XDP(func(*vm.Context) {}), TC(func(*vm.Context) {}), SocketFilter(), CgroupSKB()}
	for num, name := range Names {
		found := false
		for _, tab := range tables {
			found = found || tab.Lookup(num) != nil
		}
		if !found {
			t.Errorf("helper %d (%s) is in no table", num, name)
		}
	}
}

func TestClocks(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	a := call(t, tab, FnKtimeGetNs, ctx)
	time.Sleep(2 * time.Millisecond)
	b := call(t, tab, FnKtimeGetNs, ctx)
	if b-a < uint64(2*time.Millisecond) || b-a > uint64(time.Second) {
		t.Fatalf("ktime_get_ns advanced %d ns over a 2 ms sleep", b-a)
	}
	coarse := call(t, tab, FnKtimeGetCoarseNs, ctx)
	if coarse > call(t, tab, FnKtimeGetNs, ctx) || coarse%uint64(time.Second/hz) != 0 {
		t.Fatalf("coarse clock %d is ahead of the precise one or not on a tick", coarse)
	}
	boot := call(t, tab, FnKtimeGetBootNs, ctx)
	if boot < b {
		t.Fatalf("boot time %d is behind monotonic time %d", boot, b)
	}
	j := call(t, tab, FnJiffies64, ctx)
	if want := initialJiffies + call(t, tab, FnKtimeGetNs, ctx)/uint64(time.Second/hz); j > want || want-j > 10 {
		t.Fatalf("jiffies64 = %d, want about %d", j, want)
	}
	if k, ok := kernelMonotonic(); ok {
		if got := call(t, tab, FnKtimeGetNs, ctx); got < k || got-k > uint64(50*time.Millisecond) {
			t.Fatalf("ktime_get_ns = %d, kernel CLOCK_MONOTONIC = %d", got, k)
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	ctx.CPU.ID = 5
	if got := call(t, tab, FnGetSmpProcessorID, ctx); got != 5 {
		t.Fatalf("get_smp_processor_id = %d, want 5", got)
	}
	pid := uint64(os.Getpid())
	if got := call(t, tab, FnGetCurrentPidTgid, ctx); got != pid<<32|pid {
		t.Fatalf("get_current_pid_tgid = %#x, want %#x", got, pid<<32|pid)
	}
	seen := map[uint64]bool{}
	for i := 0; i < 16; i++ {
		v := call(t, tab, FnGetPrandomU32, ctx)
		if v>>32 != 0 {
			t.Fatalf("get_prandom_u32 = %#x has upper bits", v)
		}
		seen[v] = true
	}
	if len(seen) < 15 {
		t.Fatalf("get_prandom_u32 returned only %d distinct values in 16 calls", len(seen))
	}
}

func TestStrncmp(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	s1 := putString(ctx, 400, "abcdef")
	cases := []struct {
		s2   string
		n    uint64
		want int64
	}{
		{"abcdef", 7, 0},
		{"abcdeg", 7, -1},
		{"abcdea", 7, 1},
		{"abcxxx", 3, 0},
		{"abc", 7, 1},         // s2 ends first
		{"abcdef\xff", 8, -1}, // unsigned comparison: NUL < 0xff
		{"", 0, 0},
	}
	for _, c := range cases {
		s2 := putString(ctx, 200, c.s2)
		if got := int64(call(t, tab, FnStrncmp, ctx, s1, c.n, s2)); got != c.want {
			t.Errorf("strncmp(%q, %d, %q) = %d, want %d", "abcdef", c.n, c.s2, got, c.want)
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	call(t, tab, FnStrncmp, ctx, s1, 4, 0x20)
	if ctx.Err() == nil {
		t.Fatal("strncmp with an unreadable s2 did not abort")
	}
}

func TestTailCall(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	target := &vm.Program{Name: "target", Type: "xdp"}
	vm.RegisterProgram(target)
	defer vm.UnregisterProgram(target)
	other := &vm.Program{Name: "other", Type: "sched_cls"}
	vm.RegisterProgram(other)
	defer vm.UnregisterProgram(other)
	pa := newFakeProgArray(t, 4)
	pa.progs[0] = target.ID()
	pa.progs[2] = other.ID()
	h := vm.MapHandle(pa.ID())

	// Out of range: fails without counting.
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, h, 4); r == 0 || ctx.TailCalls != 0 {
		t.Fatalf("tail call to index 4 of 4 = %d, count %d", int64(r), ctx.TailCalls)
	}
	// An empty slot counts, as in the kernel.
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, h, 1); r == 0 || ctx.TailCall != nil || ctx.TailCalls != 1 {
		t.Fatalf("tail call to an empty slot = %d, target %v, count %d", int64(r), ctx.TailCall, ctx.TailCalls)
	}
	// A program of another type is not a valid target.
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, h, 2); r == 0 || ctx.TailCall != nil {
		t.Fatalf("tail call to a sched_cls program from xdp = %d", int64(r))
	}
	ctx.TailCalls = 0
	for i := 1; i <= vm.MaxTailCalls; i++ {
		ctx.TailCall = nil
		if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, h, 0); r != 0 || ctx.TailCall != target {
			t.Fatalf("tail call %d = %d, target %v", i, int64(r), ctx.TailCall)
		}
	}
	ctx.TailCall = nil
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, h, 0); r == 0 || ctx.TailCall != nil {
		t.Fatalf("tail call %d succeeded; the kernel allows %d", vm.MaxTailCalls+1, vm.MaxTailCalls)
	}
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, vm.MapHandle(0), 0); r != errno(maps.EINVAL) {
		t.Fatalf("tail call through a non-map = %d, want -EINVAL", int64(r))
	}
}
