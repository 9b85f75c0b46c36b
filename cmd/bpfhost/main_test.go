package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The tests build the bpfhost binary once and drive it as a bpftool script
// would: one process per command, state carried by the state directory.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func bpfhostBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bpfhost-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bpfhost")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// host is a bpfhost state directory and a working directory for files.
type host struct {
	t    *testing.T
	bin  string
	root string
	dir  string
	env  []string
}

func newHost(t *testing.T) *host {
	h := &host{t: t, bin: bpfhostBinary(t), root: t.TempDir(), dir: t.TempDir()}
	h.env = append(os.Environ(), "BPFHOST_ROOT="+h.root, "BPFHOST_ENGINE=")
	maybeStartService(h)
	return h
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs one command line (words split on blanks) with optional stdin.
func (h *host) runIn(stdin []byte, args ...string) result {
	h.t.Helper()
	cmd := exec.Command(h.bin, args...)
	cmd.Dir = h.dir
	cmd.Env = h.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("running %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

func (h *host) run(line string) result {
	h.t.Helper()
	return h.runIn(nil, strings.Fields(line)...)
}

// ok runs a command that must succeed and returns its standard output.
func (h *host) ok(line string) string {
	h.t.Helper()
	r := h.run(line)
	if r.code != 0 {
		h.t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", line, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with exit status 1 and the given
// standard error.
func (h *host) fails(line, wantStderr string) result {
	h.t.Helper()
	r := h.run(line)
	if r.code != 1 {
		h.t.Fatalf("%s: exit %d, want 1\nstdout: %s\nstderr: %s", line, r.code, r.stdout, r.stderr)
	}
	if wantStderr != "" && r.stderr != wantStderr {
		h.t.Fatalf("%s: stderr\n%q\nwant\n%q", line, r.stderr, wantStderr)
	}
	return r
}

func (h *host) write(name string, data []byte) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func testObject(t *testing.T) string {
	p, err := filepath.Abs(filepath.Join("testdata", "prog.o"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// packet returns a 64-byte frame starting with first (the test program
// looks at bytes 0-2 and writes byte 3).
func packet(first byte) []byte {
	p := bytes.Repeat([]byte{2}, 64)
	p[0] = first
	return p
}

func expectEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

const (
	progs = "/sys/fs/bpf/t/progs"
	pmaps = "/sys/fs/bpf/t/maps"
)

func TestScript(t *testing.T) {
	h := newHost(t)
	obj := testObject(t)
	h.write("in.bin", packet(7))

	expectEqual(t, "loadall", h.ok("prog loadall "+obj+" "+progs+" pinmaps "+pmaps), "")
	expectEqual(t, "update", h.ok("-j map update pinned "+pmaps+"/counters key 1 0 0 0 value 5 0 0 0 0 0 0 0"), "null\n")
	expectEqual(t, "update hex", h.ok("map update pinned "+pmaps+"/counters key hex 02 00 00 00 value hex ff 00 00 00 00 00 00 01"), "")

	out := h.ok("prog run pinned " + progs + "/xdp_count data_in in.bin data_out out.bin repeat 3")
	if !regexp.MustCompile(`^Return value: 2, duration \(average\): \d+ns\n$`).MatchString(out) {
		t.Fatalf("prog run output %q", out)
	}
	got, err := os.ReadFile(filepath.Join(h.dir, "out.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want := packet(7)
	want[3] = 8
	if !bytes.Equal(got, want) {
		t.Fatalf("data_out % x, want % x", got, want)
	}

	// JSON run with the output on stdout; standard input as data_in.
	r := h.runIn(packet(9), "-j", "prog", "run", "pinned", progs+"/xdp_count", "data_in", "-", "data_out", "-")
	var run struct {
		DataOut  []int `json:"data_out"`
		Retval   *int  `json:"retval"`
		Duration *int  `json:"duration"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &run) != nil || run.Retval == nil || *run.Retval != 2 || run.Duration == nil || len(run.DataOut) != 64 || run.DataOut[3] != 10 {
		t.Fatalf("prog run -j: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, `{"data_out":[9,2,2,10,2,`) || !regexp.MustCompile(`\],"retval":2,"duration":\d+}\n$`).MatchString(r.stdout) {
		t.Fatalf("prog run -j shape: %q", r.stdout)
	}

	// Four runs so far: counters[0] == 4, counters[1] == 5 from the update.
	expectEqual(t, "map dump -j", h.ok("-j map dump pinned "+pmaps+"/counters"),
		`[{"key":["0x00","0x00","0x00","0x00"],"value":["0x04","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":0,"value":4}},`+
			`{"key":["0x01","0x00","0x00","0x00"],"value":["0x05","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":1,"value":5}},`+
			`{"key":["0x02","0x00","0x00","0x00"],"value":["0xff","0x00","0x00","0x00","0x00","0x00","0x00","0x01"],"formatted":{"key":2,"value":72057594037928191}},`+
			`{"key":["0x03","0x00","0x00","0x00"],"value":["0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":3,"value":0}}]`+"\n")
	expectEqual(t, "map lookup plain", h.ok("map lookup pinned "+pmaps+"/counters key 1 0 0 0"), "{\n    \"key\": 1,\n    \"value\": 5\n}\n")
	expectEqual(t, "flows dump", h.ok("map dump pinned "+pmaps+"/flows"), `[{
        "key": {
            "addr": 2,
            "port": 2,
            "proto": 6
        },
        "value": {
            "packets": 4,
            "bytes": 256
        }
    }
]
`)
	expectEqual(t, "data section", h.ok("-j map dump pinned "+pmaps+"/prog_data"),
		`[{"key":["0x00","0x00","0x00","0x00"],"value":["0x05","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"value":{".data":[{"seen":5}]}}}]`+"\n")
	expectEqual(t, "rodata", h.ok("map dump pinned "+pmaps+"/prog_rodata"), `[{
        "value": {
            ".rodata": [{
                    "drop_byte": 255
                },{
                    "xdp_count.____fmt": "len %u"
                }
            ]
        }
    }
]
`)
	h.fails("map update pinned "+pmaps+"/prog_rodata key 0 0 0 0 value 0 0 0 0 0 0 0 0 0 0 0", "Error: update failed: Operation not permitted\n")

	// Tail call through the prog array, and the drop path.
	h.ok("map update pinned " + pmaps + "/jmp_table key 0 0 0 0 value pinned " + progs + "/xdp_tail")
	expectEqual(t, "prog array dump", h.ok("map dump pinned "+pmaps+"/jmp_table"),
		fmt.Sprintf("key: 00 00 00 00  value: %02x 00 00 00\nFound 1 element\n", progID(t, h, progs+"/xdp_tail")))
	h.write("tail.bin", packet(0xee))
	h.write("drop.bin", packet(0xff))
	expectEqual(t, "tail call", h.ok("-j prog run pinned " + progs + "/xdp_count data_in tail.bin")[:12], `{"retval":3,`)
	expectEqual(t, "drop", h.ok("-j prog run pinned " + progs + "/xdp_count data_in drop.bin")[:12], `{"retval":1,`)

	// Per-CPU values: runs take some CPU; the sum is the run count.
	var pcpu []struct {
		Formatted struct {
			Values []struct {
				CPU   int `json:"cpu"`
				Value int `json:"value"`
			} `json:"values"`
		} `json:"formatted"`
	}
	if err := json.Unmarshal([]byte(h.ok("-j map dump pinned "+pmaps+"/pcpu")), &pcpu); err != nil || len(pcpu) != 2 {
		t.Fatalf("pcpu dump: %v %v", err, pcpu)
	}
	sum := 0
	for _, v := range pcpu[0].Formatted.Values {
		sum += v.Value
	}
	if sum != 6 {
		t.Fatalf("pcpu[0] sums to %d over CPUs, want 6", sum)
	}

	// prog show, plain and JSON.
	show := h.ok("prog show pinned " + progs + "/xdp_count")
	if !regexp.MustCompile(`^\d+: xdp  name xdp_count  tag [0-9a-f]{16}  gpl\n\tloaded_at \S+  uid \d+\n\txlated \d+B  not jited  memlock 4096B  map_ids [0-9,]+\n\tbtf_id \d+\n$`).MatchString(show) {
		t.Fatalf("prog show: %q", show)
	}
	var ps struct {
		ID     int    `json:"id"`
		Type   string `json:"type"`
		Name   string `json:"name"`
		GPL    bool   `json:"gpl_compatible"`
		MapIDs []int  `json:"map_ids"`
	}
	if err := json.Unmarshal([]byte(h.ok("-j prog show pinned "+progs+"/xdp_count")), &ps); err != nil || ps.Type != "xdp" || ps.Name != "xdp_count" || !ps.GPL || len(ps.MapIDs) != 7 {
		t.Fatalf("prog show -j: %v %+v", err, ps)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(h.ok("-j prog list")), &list); err != nil || len(list) != 2 {
		t.Fatalf("prog list -j: %v %v", err, list)
	}

	// dump xlated: plain lines and JSON objects.
	x := h.ok("prog dump xlated pinned " + progs + "/xdp_tail")
	if !strings.HasPrefix(x, "int xdp_tail(struct xdp_md * ctx):\n; return XDP_TX;\n   0: (b7) r0 = ") {
		t.Fatalf("dump xlated lacks the BTF annotations: %q", x)
	}
	expectEqual(t, "xdp_tail last line", x[strings.LastIndex(strings.TrimSuffix(x, "\n"), "\n")+1:], "   1: (95) exit\n")
	var xj []map[string]any
	if err := json.Unmarshal([]byte(h.ok("-j prog dump xlated pinned "+progs+"/xdp_tail opcodes")), &xj); err != nil || len(xj) != 2 || xj[1]["disasm"] != "(95) exit" || xj[0]["proto"] != "int xdp_tail(struct xdp_md * ctx)" || xj[0]["src"] != "return XDP_TX;" {
		t.Fatalf("dump xlated -j: %v %v", err, xj)
	}

	// trace_printk output of the runs above (6 runs: "len 64" each).
	trace := h.ok("prog tracelog")
	if n := strings.Count(trace, "bpf_trace_printk: len 64\n"); n != 6 {
		t.Fatalf("tracelog has %d lines, want 6:\n%s", n, trace)
	}
	expectEqual(t, "tracelog consumed", h.ok("-j prog tracelog"), "[]\n")

	// Abbreviations as bpftool accepts them.
	expectEqual(t, "abbreviated", h.ok("p sh pinned "+progs+"/xdp_count"), show)
	expectEqual(t, "getnext", h.ok("-j m getn pinned "+pmaps+"/counters key 2 0 0 0"), `{"key":["0x02","0x00","0x00","0x00"],"next_key":["0x03","0x00","0x00","0x00"]}`+"\n")
}

// progID returns the ID of a pinned program.
func progID(t *testing.T, h *host, pin string) int {
	t.Helper()
	var p struct{ ID int }
	if err := json.Unmarshal([]byte(h.ok("-j prog show pinned "+pin)), &p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}
