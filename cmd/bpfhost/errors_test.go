package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestErrors(t *testing.T) {
	h := newHost(t)
	obj := testObject(t)
	h.ok("prog loadall " + obj + " " + progs + " pinmaps " + pmaps)
	h.write("in.bin", packet(1))
	c := pmaps + "/counters"

	h.fails("map dump pinned /sys/fs/bpf/nope", "Error: bpf obj get (/sys/fs/bpf/nope): No such file or directory\n")
	r := h.fails("-j map dump pinned /sys/fs/bpf/nope", "")
	expectEqual(t, "json error", r.stdout, `{"error":"bpf obj get (/sys/fs/bpf/nope): No such file or directory"}`+"\n")
	r = h.fails("-p map dump pinned /sys/fs/bpf/nope", "")
	expectEqual(t, "pretty error", r.stdout, "{\n    \"error\": \"bpf obj get (/sys/fs/bpf/nope): No such file or directory\"\n}\n")
	h.fails("map dump pinned "+progs+"/xdp_count", "Error: incorrect object type: prog\n")
	h.fails("prog run pinned "+c+" data_in in.bin", "Error: incorrect object type: map\n")
	h.fails("map show id 99999", "Error: get map by id (99999): No such file or directory\n")
	h.fails("prog show id 99999", "Error: get by id (99999): No such file or directory\n")
	h.fails("map dump id abc", "Error: can't parse abc as ID\n")
	h.fails("map lookup pinned "+c+" key 1 2", "Error: key expected 4 bytes got 2\n")
	h.fails("map update pinned "+c+" key 1 0 0 0 value 9 0 0 0", "Error: value expected 8 bytes got 4\n")
	h.fails("map update pinned "+c+" key 1 0 0 0", "Error: did not find value\n")
	h.fails("map update pinned "+c+" key 1 0 0 0 value zz 0 0 0 0 0 0 0", "Error: error parsing byte: zz\n")
	h.fails("map update pinned "+c+" key 9 0 0 0 value 9 0 0 0 0 0 0 0", "Error: update failed: Argument list too long\n")
	h.fails("map update pinned "+c+" key 1 0 0 0 value 9 0 0 0 0 0 0 0 noexist", "Error: update failed: File exists\n")
	h.fails("map update pinned "+c+" key 1 0 0 0 value 9 0 0 0 0 0 0 0 bogus", "Error: expected key or value, got: bogus\n")
	h.fails("map delete pinned "+c+" key 1 0 0 0", "Error: delete failed: Invalid argument\n")
	h.fails("map update pinned "+pmaps+"/jmp_table key 0 0 0 0 value 1 0 0 0", "Error: expected 'id', 'tag', 'name' or 'pinned', got: '1'?\n")
	h.fails("map getnext pinned "+c+" key 3 0 0 0", "Error: can't get next key: No such file or directory\n")
	h.fails("prog run pinned "+progs+"/xdp_count", "Error: 'run' needs at least 4 arguments, 2 found\n")
	h.fails("prog run pinned "+progs+"/xdp_count data_in nonexist", "Error: failed to open nonexist: No such file or directory\n")
	h.fails("prog run pinned "+progs+"/xdp_count data_in in.bin repeat x", "Error: can't parse x as repeat number\n")
	h.fails("prog run pinned "+progs+"/xdp_count data in.bin", "Error: ambiguous prefix: 'data' could be 'data_in' or 'data_out' or 'data_size_out'\n")
	h.fails("prog run pinned "+progs+"/xdp_count data_in in.bin bogus", "Error: expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: 'bogus'?\n")
	h.fails("prog dump bogus pinned "+progs+"/xdp_count", "Error: expected 'xlated' or 'jited', got: bogus\n")
	h.fails("map create /sys/fs/bpf/x type nope key 4 value 4 entries 4 name x", "Error: unrecognized map type: nope\n")
	h.fails("map create /sys/fs/bpf/x type hash key 4 value 4 entries 4", "Error: map name not specified\n")
	h.fails("map create "+c+" type hash key 4 value 4 entries 4 name dup", "Error: can't pin the object ("+c+"): File exists\n")
	h.fails("map pin pinned "+c+" "+c, "Error: can't pin the object ("+c+"): File exists\n")
	h.fails("batch file nonexist.txt", "Error: Can't open file (nonexist.txt): No such file or directory\n")
	h.fails("--engine=turbo map show", "bpfhost: invalid engine 'turbo' (interpreter, jit or auto)\n")
	h.fails("--bogus map show", "bpfhost: unrecognized option '--bogus'\n")

	// Lookups that find nothing print it and fail, as bpftool does.
	r = h.fails("map lookup pinned "+c+" key 7 0 0 0", "")
	expectEqual(t, "not found", r.stdout, "key:\n07 00 00 00\n\nNot found\n")
	r = h.fails("-j map lookup pinned "+c+" key 7 0 0 0", "")
	expectEqual(t, "not found json", r.stdout, "null\n")

	// Unknown commands print the usage on stderr (null with -j) and fail.
	r = h.fails("bogus", "")
	if !strings.HasPrefix(r.stderr, "Usage: bpfhost [OPTIONS] OBJECT { COMMAND | help }\n") || r.stdout != "" {
		t.Fatalf("usage: %q %q", r.stdout, r.stderr)
	}
	expectEqual(t, "usage json", h.fails("-j map bogus", "").stdout, "null\n")
	if r := h.run("map help"); r.code != 0 || !strings.HasPrefix(r.stderr, "Usage: bpfhost map { show | list }   [MAP]\n") {
		t.Fatalf("map help: %+v", r)
	}

	// Malformed objects: an error, never a crash, and no state change.
	before := snapshot(t, h)
	h.write("bad.o", []byte("\x7fELF this is not an object"))
	r = h.fails("prog loadall bad.o /sys/fs/bpf/bad", "")
	if !strings.HasSuffix(r.stderr, "Error: failed to open object file\n") {
		t.Fatalf("malformed object: %q", r.stderr)
	}
	h.fails("prog loadall nonexist.o /sys/fs/bpf/bad", "libbpf: elf: failed to open nonexist.o: No such file or directory\nError: failed to open object file\n")
	// Loading again into the same pin directory fails after creating maps
	// and programs: nothing of it may remain.
	r = h.fails("prog loadall "+obj+" "+progs+" pinmaps /sys/fs/bpf/other", "")
	if !strings.HasSuffix(r.stderr, "Error: failed to pin all programs\n") {
		t.Fatalf("second loadall: %q", r.stderr)
	}
	if after := snapshot(t, h); after != before {
		t.Fatalf("failed commands changed the state directory:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot describes the state directory: the metadata and the file names.
func snapshot(t *testing.T, h *host) string {
	t.Helper()
	meta, err := os.ReadFile(filepath.Join(h.root, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	filepath.Walk(h.root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && fi.Name() != "lock" {
			names = append(names, strings.TrimPrefix(p, h.root))
		}
		return nil
	})
	sort.Strings(names)
	return strings.Join(names, ",") + "\n" + string(meta)
}

func TestBatch(t *testing.T) {
	h := newHost(t)
	obj := testObject(t)
	h.write("in.bin", packet(3))
	h.write("ok.txt", []byte("# set up\nprog loadall "+obj+" "+progs+" pinmaps "+pmaps+"\n\n"+
		"map update pinned "+pmaps+"/counters key 2 0 0 0 value 7 0 0 0 0 0 0 0 # comment\n"+
		"prog run pinned "+progs+"/xdp_count \\\n data_in in.bin\n"+
		"map lookup pinned '"+pmaps+"/counters' key 2 0 0 0\n"))
	out := h.ok("batch file ok.txt")
	if !strings.HasPrefix(out, "Return value: 2, duration: ") || !strings.HasSuffix(out, "{\n    \"key\": 2,\n    \"value\": 7\n}\nprocessed 4 commands\n") {
		t.Fatalf("batch output %q", out)
	}
	// JSON: one object per command with its output.
	h.write("json.txt", []byte("map lookup pinned "+pmaps+"/counters key 0 0 0 0\nmap update pinned "+pmaps+"/counters key 3 0 0 0 value 1 0 0 0 0 0 0 0\n"))
	expectEqual(t, "batch json", h.ok("-j batch file json.txt"),
		`[{"command":["map","lookup","pinned","`+pmaps+`/counters","key","0","0","0","0"],"output":{"key":["0x00","0x00","0x00","0x00"],"value":["0x01","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":0,"value":1}}},`+
			`{"command":["map","update","pinned","`+pmaps+`/counters","key","3","0","0","0","value","1","0","0","0","0","0","0","0"],"output":null}]`+"\n")
	// A failing command stops the batch; the commands before it stand.
	h.write("bad.txt", []byte("map update pinned "+pmaps+"/counters key 0 0 0 0 value 9 0 0 0 0 0 0 0\n# two\nmap dump pinned /sys/fs/bpf/nope\nmap update pinned "+pmaps+"/counters key 1 0 0 0 value 9 0 0 0 0 0 0 0\n"))
	h.fails("batch file bad.txt", "Error: bpf obj get (/sys/fs/bpf/nope): No such file or directory\nError: batch file bad.txt: command on line 3 failed\n")
	r := h.fails("-j batch file bad.txt", "")
	if !strings.HasSuffix(r.stdout, `{"command":["map","dump","pinned","/sys/fs/bpf/nope"],"output":{"error":"bpf obj get (/sys/fs/bpf/nope): No such file or directory"}}]`+"\n") {
		t.Fatalf("batch -j failure: %q", r.stdout)
	}
	expectEqual(t, "first command stood", h.ok("-j map lookup pinned "+pmaps+"/counters key 0 0 0 0"),
		`{"key":["0x00","0x00","0x00","0x00"],"value":["0x09","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":0,"value":9}}`+"\n")
	expectEqual(t, "line after failure did not run", h.ok("-j map lookup pinned "+pmaps+"/counters key 1 0 0 0"),
		`{"key":["0x01","0x00","0x00","0x00"],"value":["0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00"],"formatted":{"key":1,"value":0}}`+"\n")
	h.write("quote.txt", []byte("map show 'pinned\n"))
	h.fails("batch file quote.txt", "Error: unterminated quoted string in command 0\n")
}

// TestLifetime checks what survives between commands: pinned objects and
// what they reference, not the rest; IDs are not reused.
func TestLifetime(t *testing.T) {
	h := newHost(t)
	obj := testObject(t)
	// prog load pins only the first program: xdp_tail, unreferenced, goes.
	h.ok("prog load " + obj + " /sys/fs/bpf/one")
	list := h.ok("prog list")
	if strings.Count(list, "name xdp_") != 1 || !strings.Contains(list, "name xdp_count") {
		t.Fatalf("after prog load:\n%s", list)
	}
	if n := strings.Count(h.ok("map list"), "\n\tkey "); n != 7 {
		t.Fatalf("%d maps live, want the program's 7", n)
	}
	h.ok("map create /sys/fs/bpf/h type hash key 4 value 4 entries 8 name h")
	h.ok("map update pinned /sys/fs/bpf/h key 1 0 0 0 value 2 0 0 0")
	expectEqual(t, "created map", h.ok("map dump pinned /sys/fs/bpf/h"), "key: 01 00 00 00  value: 02 00 00 00\nFound 1 element\n")
	show := h.ok("-j map show pinned /sys/fs/bpf/h")
	if !strings.HasPrefix(show, `{"id":8,"type":"hash","name":"h","flags":0,"bytes_key":4,"bytes_value":4,"max_entries":8,`) {
		t.Fatalf("map show: %s", show)
	}
	// A second state directory user sees the same objects with the same IDs.
	expectEqual(t, "stable", h.ok("-j map show pinned /sys/fs/bpf/h"), show)
	// Pins under /sys/fs/bpf are the same pins from any directory.
	h.dir = t.TempDir()
	expectEqual(t, "from elsewhere", h.ok("-j map show pinned /sys/fs/bpf/h"), show)

	// A prog array no pin holds is emptied when the command ends, as the
	// kernel clears it when its last user reference goes.
	h.ok("prog loadall " + obj + " /sys/fs/bpf/np")
	var p struct {
		MapIDs []int `json:"map_ids"`
	}
	if err := json.Unmarshal([]byte(h.ok("-j prog show pinned /sys/fs/bpf/np/xdp_count")), &p); err != nil {
		t.Fatal(err)
	}
	jmp := fmt.Sprint(p.MapIDs[len(p.MapIDs)-1])
	r := h.run("map update id " + jmp + " key 0 0 0 0 value id " + fmt.Sprint(progID(t, h, "/sys/fs/bpf/np/xdp_tail")))
	expectEqual(t, "warning", r.stderr, "Warning: updating program array via MAP_ID, make sure this map is kept open\n         by some process or pinned otherwise update will be lost\n")
	expectEqual(t, "update lost", h.ok("map dump id "+jmp), "Found 0 elements\n")
	h.ok("map pin id " + jmp + " /sys/fs/bpf/jmp")
	h.ok("map update pinned /sys/fs/bpf/jmp key 0 0 0 0 value pinned /sys/fs/bpf/np/xdp_tail")
	if out := h.ok("map dump pinned /sys/fs/bpf/jmp"); !strings.HasSuffix(out, "Found 1 element\n") {
		t.Fatalf("pinned prog array lost its entry: %q", out)
	}
	h.ok("unpin /sys/fs/bpf/np /sys/fs/bpf/jmp")

	// unpin is rm for pins: unreferenced objects go, their IDs are not reused.
	h.ok("unpin /sys/fs/bpf/one /sys/fs/bpf/h")
	expectEqual(t, "nothing left", h.ok("-j map list")+h.ok("-j prog list"), "[]\n[]\n")
	h.fails("unpin /sys/fs/bpf/h", "Error: unpin /sys/fs/bpf/h: No such file or directory\n")
	h.ok("map create /sys/fs/bpf/h2 type array key 4 value 4 entries 1 name h2")
	if show := h.ok("-j map show pinned /sys/fs/bpf/h2"); !strings.HasPrefix(show, `{"id":16,`) {
		t.Fatalf("new map after unpin: %s", show)
	}
	if ents, _ := os.ReadDir(filepath.Join(h.root, "maps")); len(ents) != 1 {
		t.Fatalf("%d map files, want 1", len(ents))
	}
}

// TestConcurrent runs many processes against one state directory: the lock
// serialises them, so every run and update is counted.
func TestConcurrent(t *testing.T) {
	h := newHost(t)
	h.ok("prog loadall " + testObject(t) + " " + progs + " pinmaps " + pmaps)
	h.write("in.bin", packet(5))
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.run("prog run pinned " + progs + "/xdp_count data_in in.bin repeat 2")
			if r.code != 0 {
				errs <- r.stderr
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	out := h.ok("map lookup pinned " + pmaps + "/counters key 0 0 0 0")
	expectEqual(t, "counted runs", out, "{\n    \"key\": 0,\n    \"value\": 16\n}\n")
	if !bytes.Contains([]byte(h.ok("map dump pinned "+pmaps+"/prog_data")), []byte(`"seen": 17`)) {
		t.Fatal("global .data not counted across processes")
	}
}
