//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// possibleCPUs is the kernel's number of possible CPUs (per-CPU map values).
func possibleCPUs(t *testing.T) int {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		t.Skipf("cannot read possible CPUs: %v", err)
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		var lo, hi int
		if c, _ := fmt.Sscanf(r, "%d-%d", &lo, &hi); c == 2 {
			n += hi - lo + 1
		} else {
			n++
		}
	}
	return n
}

// TestAgainstBpftool runs one script with the real bpftool against the
// kernel (pins in a private BPF file system mount) and with bpfhost, and
// compares what must match: map contents, lookups, program results.
func TestAgainstBpftool(t *testing.T) {
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		t.Skip("bpftool not installed")
	}
	fs := t.TempDir()
	if out, err := exec.Command("mount", "-t", "bpf", "bpf", fs).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a BPF file system (%v: %s)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("umount", fs).Run() })

	h := newHost(t)
	h.env = append(h.env, "BPFHOST_ROOT="+h.root)
	cpus := fmt.Sprint(possibleCPUs(t))
	obj := testObject(t)
	types, err := filepath.Abs(filepath.Join("testdata", "types.o"))
	if err != nil {
		t.Fatal(err)
	}
	in26 := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	h.write("p7.bin", packet(7))
	h.write("p26.bin", in26)
	h.write("tail.bin", packet(0xee))
	h.write("drop.bin", packet(0xff))
	h.write("short.bin", []byte{1, 2, 3})

	kernel := func(line string) result {
		cmd := exec.Command(bpftool, strings.Fields(line)...)
		cmd.Dir = h.dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("bpftool %s: %v", line, err)
		}
		return result{out.String(), errb.String(), code}
	}
	first := "prog loadall " + obj + " " + fs + "/progs pinmaps " + fs + "/maps"
	if r := kernel(first); r.code != 0 {
		t.Skipf("bpftool cannot load into the kernel here: %s", r.stderr)
	}
	if r := h.run("--cpus " + cpus + " " + first); r.code != 0 {
		t.Fatalf("bpfhost %s: %s", first, r.stderr)
	}

	// Each step: a command line ({FS} = the mount) and how to compare.
	const (
		same   = iota // identical standard output
		sorted        // JSON array, compared as a set of entries
		run           // prog run -j: retval and data_out
		pcpu          // per-CPU dump: per-key sum over CPUs
		status        // only success or failure
	)
	steps := []struct {
		line string
		how  int
	}{
		{"map update pinned {FS}/maps/counters key 1 0 0 0 value 5 0 0 0 0 0 0 0", same},
		{"map update pinned {FS}/maps/jmp_table key 0 0 0 0 value pinned {FS}/progs/xdp_tail", same},
		{"-j prog run pinned {FS}/progs/xdp_count data_in p7.bin data_out - repeat 3", run},
		{"-j prog run pinned {FS}/progs/xdp_count data_in p26.bin data_out -", run},
		{"-j prog run pinned {FS}/progs/xdp_count data_in tail.bin", run},
		{"-j prog run pinned {FS}/progs/xdp_count data_in drop.bin data_out -", run},
		{"-j prog run pinned {FS}/progs/xdp_count data_in short.bin", status},
		{"-j map dump pinned {FS}/maps/counters", same},
		{"map dump pinned {FS}/maps/counters", same},
		{"-j map dump pinned {FS}/maps/flows", sorted},
		{"-j map dump pinned {FS}/maps/prog_data", same},
		{"-j map dump pinned {FS}/maps/prog_bss", same},
		{"-p map dump pinned {FS}/maps/prog_rodata", same},
		{"-j map dump pinned {FS}/maps/pcpu", pcpu},
		{"-j map dump pinned {FS}/maps/jmp_table", status},
		{"-j map lookup pinned {FS}/maps/counters key 1 0 0 0", same},
		{"map lookup pinned {FS}/maps/counters key 7 0 0 0", same},
		{"-j map lookup pinned {FS}/maps/counters key 7 0 0 0", same},
		{"-j map getnext pinned {FS}/maps/counters key 1 0 0 0", same},
		{"map getnext pinned {FS}/maps/flows", status},
		{"map update pinned {FS}/maps/prog_rodata key 0 0 0 0 value 0 0 0 0 0 0 0 0 0 0 0", same},
		{"map create {FS}/h type hash key 4 value 8 entries 4 name h", same},
		{"map update pinned {FS}/h key 1 0 0 0 value 1 2 3 4 5 6 7 8", same},
		{"map update pinned {FS}/h key 1 0 0 0 value 1 2 3 4 5 6 7 8 noexist", same},
		{"-j map dump pinned {FS}/h", same},
		{"map dump pinned {FS}/h", same},
		{"map delete pinned {FS}/h key 1 0 0 0", same},
		{"-j map delete pinned {FS}/h key 1 0 0 0", same},
		{"map dump pinned {FS}/h", same},
		{"-j map show pinned {FS}/nope", same},
		{"prog loadall {TYPES} {FS}/tp pinmaps {FS}/tm", same},
		{"prog run pinned {FS}/tp/xdp_types data_in p7.bin", status},
		{"map dump pinned {FS}/tm/types", same},
		{"-j map dump pinned {FS}/tm/types", same},
		{"-p map lookup pinned {FS}/tm/types key 0 0 0 0", same},
	}
	for _, s := range steps {
		line := strings.ReplaceAll(strings.ReplaceAll(s.line, "{FS}", fs), "{TYPES}", types)
		k := kernel(line)
		b := h.run(line)
		if (k.code == 0) != (b.code == 0) {
			t.Errorf("%s: bpftool exit %d (%s), bpfhost exit %d (%s)", line, k.code, k.stderr, b.code, b.stderr)
			continue
		}
		switch s.how {
		case same:
			if k.stdout != b.stdout || k.stderr != b.stderr {
				t.Errorf("%s:\nbpftool: %q %q\nbpfhost: %q %q", line, k.stdout, k.stderr, b.stdout, b.stderr)
			}
		case sorted:
			if ks, bs := sortedEntries(t, k.stdout), sortedEntries(t, b.stdout); !reflect.DeepEqual(ks, bs) {
				t.Errorf("%s:\nbpftool: %v\nbpfhost: %v", line, ks, bs)
			}
		case run:
			kr, br := runFields(t, k.stdout), runFields(t, b.stdout)
			if !reflect.DeepEqual(kr, br) {
				t.Errorf("%s:\nbpftool: %v\nbpfhost: %v", line, kr, br)
			}
		case pcpu:
			if ks, bs := perCPUSums(t, k.stdout), perCPUSums(t, b.stdout); !reflect.DeepEqual(ks, bs) {
				t.Errorf("%s:\nbpftool: %v\nbpfhost: %v", line, ks, bs)
			}
		}
	}
}

// sortedEntries returns the entries of a JSON map dump in a canonical order.
func sortedEntries(t *testing.T, s string) []string {
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(s), &entries); err != nil {
		t.Fatalf("%v: %q", err, s)
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e)
	}
	sort.Strings(out)
	return out
}

// runFields keeps what must match of a `prog run -j` output.
func runFields(t *testing.T, s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v: %q", err, s)
	}
	delete(m, "duration")
	return m
}

// perCPUSums sums each key's per-CPU values (runs land on any CPU).
func perCPUSums(t *testing.T, s string) map[string]int {
	var entries []struct {
		Key       []string `json:"key"`
		Formatted struct {
			Values []struct {
				Value int `json:"value"`
			} `json:"values"`
		} `json:"formatted"`
	}
	if err := json.Unmarshal([]byte(s), &entries); err != nil {
		t.Fatalf("%v: %q", err, s)
	}
	out := map[string]int{}
	for _, e := range entries {
		for _, v := range e.Formatted.Values {
			out[strings.Join(e.Key, " ")] += v.Value
		}
	}
	return out
}
