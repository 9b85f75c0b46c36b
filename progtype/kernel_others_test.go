package progtype_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
	cilium "github.com/cilium/ebpf"
)

const othersObject = "testdata/others.o"

// TestOthersLoad loads one program of every type without packets: each
// gets its type from its section and its context accesses pass the type's
// rules; those without a test run in the kernel refuse to run here too.
func TestOthersLoad(t *testing.T) {
	spec, err := ebpf.LoadCollectionSpec(othersObject)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{
		"kp": "kprobe", "tp": "tracepoint", "rawtp": "raw_tracepoint", "pe": "perf_event",
		"connect4_prog": "cgroup_sock_addr", "sock_create": "cgroup_sock", "sock_ops_prog": "sock_ops",
	}
	for name, typ := range types {
		if got := spec.Programs[name].Type; got != typ {
			t.Errorf("program %s has type %q, want %q", name, got, typ)
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	for name, typ := range types {
		if typ == "raw_tracepoint" {
			continue
		}
		_, err := coll.Programs[name].Run(&ebpf.RunOptions{Data: make([]byte, 64)})
		if err == nil || !errors.Is(err, maps.ENOTSUPP) || !strings.Contains(err.Error(), "test run not supported for "+typ+" programs") {
			t.Errorf("running %s: %v, want ENOTSUPP naming %s", name, err, typ)
		}
	}
}

// TestKernelRawTracepoint compares a raw_tracepoint test run with the
// kernel's: the arguments come in as ctx_in.
func TestKernelRawTracepoint(t *testing.T) {
	args := make([]byte, 16)
	binary.NativeEndian.PutUint64(args, 40)
	binary.NativeEndian.PutUint64(args[8:], 1)

	spec, err := ebpf.LoadCollectionSpec(othersObject)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	ret, err := coll.Programs["rawtp"].Run(&ebpf.RunOptions{Context: args})
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]byte, 64)
	if err := coll.Maps[".bss"].Lookup(uint32(0), seen); err != nil {
		t.Fatal(err)
	}
	if ret != 1 || binary.NativeEndian.Uint64(seen[16:]) != 42 {
		t.Fatalf("ret %d, seen[2] %d; want 1, 42", ret, binary.NativeEndian.Uint64(seen[16:]))
	}
	if _, err := coll.Programs["rawtp"].Run(&ebpf.RunOptions{Data: make([]byte, 20), Context: args}); !errors.Is(err, maps.EINVAL) {
		t.Errorf("run with data_in: %v, want EINVAL", err)
	}
	if _, err := coll.Programs["rawtp"].Run(&ebpf.RunOptions{Context: make([]byte, 104)}); !errors.Is(err, maps.EINVAL) {
		t.Errorf("run with 13 arguments: %v, want EINVAL", err)
	}

	requireKernelBPF(t)
	kspec, err := cilium.LoadCollectionSpec(othersObject)
	if err != nil {
		t.Fatal(err)
	}
	kcoll, err := cilium.NewCollection(kspec)
	if err != nil {
		t.Fatalf("loading into the kernel: %v", err)
	}
	defer kcoll.Close()
	prog := kcoll.Programs["rawtp"]
	kret, err := prog.Run(&cilium.RunOptions{Context: args})
	if err != nil {
		t.Fatal(err)
	}
	if kret != ret {
		t.Errorf("return value %d, kernel %d", ret, kret)
	}
	if _, err := prog.Run(&cilium.RunOptions{Context: make([]byte, 104)}); err == nil {
		t.Error("the kernel ran 13 arguments")
	}
	// Like bpfhost (TestOthersLoad), the kernel cannot test-run the others.
	for _, name := range []string{"kp", "tp", "pe", "connect4_prog", "sock_create", "sock_ops_prog"} {
		if _, err := kcoll.Programs[name].Run(&cilium.RunOptions{Data: make([]byte, 64)}); !errors.Is(err, cilium.ErrNotSupported) {
			t.Errorf("kernel test run of %s: %v, want not supported", name, err)
		}
	}
}
