package cli

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/internal/state"
)

// loopback returns the loopback interface's name and index.
func loopback(t *testing.T) (string, int) {
	t.Helper()
	for _, name := range []string{"lo", "lo0"} {
		if ifi, err := net.InterfaceByName(name); err == nil {
			return ifi.Name, ifi.Index
		}
	}
	t.Skip("no loopback interface to attach to")
	return "", 0
}

// TestLinkCommands attaches XDP and cgroup programs, and checks link show,
// pin and detach in bpftool v7.1's exact output, and that links last
// across processes as their holders say.
func TestLinkCommands(t *testing.T) {
	lo, idx := loopback(t)
	root := "--root=" + t.TempDir()
	cg := t.TempDir()
	pin := filepath.Join(t.TempDir(), "l")
	// IDs are the process's (other tests take some): {L1}.. are the
	// links in creation order, {X} {C4} {SC} programs by name.
	ids := map[string]string{}
	expand := func(s string) string {
		for k, v := range ids {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	run := func(want string, wantCode int, args ...string) {
		t.Helper()
		want = expand(want)
		for i := range args {
			args[i] = expand(args[i])
		}
		out, errs, code := runCLI(t, append([]string{root}, args...)...)
		if code != wantCode || out+errs != want {
			t.Fatalf("%s: status %d, output\n%s%s\nwant status %d, output\n%s", strings.Join(args, " "), code, out, errs, wantCode, want)
		}
	}
	obj := "../../cmd/bpfhost/testdata/prog.o"
	if _, err := os.Stat(obj); err != nil {
		t.Skip(err)
	}
	run("", 0, "prog", "loadall", obj, "/sys/fs/bpf/p")
	progID := func(name string) string {
		out, _, _ := runCLI(t, root, "prog", "show", "name", name)
		id, _, _ := strings.Cut(out, ":")
		return id
	}
	ids["X"] = progID("xdp_count")
	for i := 1; i <= 3; i++ {
		ids["L"+strconv.Itoa(i)] = strconv.Itoa(int(link.LastID()) + i)
	}
	run("", 0, "net", "attach", "xdp", "name", "xdp_count", "dev", lo)
	run("Error: interface xdp attach failed: Device or resource busy\n", 1, "net", "attach", "xdp", "name", "xdp_tail", "dev", lo)
	run("Error: invalid devname no_such_dev\n", 1, "net", "attach", "xdp", "name", "xdp_tail", "dev", "no_such_dev")
	run("{L1}: xdp  prog {X}  \n", 0, "link", "show")
	run(`[{"id":{L1},"type":"xdp","prog_id":{X}}]`+"\n", 0, "-j", "link", "show")
	i := strconv.Itoa(idx)
	run("xdp:\n"+lo+"("+i+") generic id {X}\n\ntc:\n\nflow_dissector:\n\n", 0, "net", "show")
	run(`[{"xdp":[{"devname":"`+lo+`","ifindex":`+i+`,"mode":"generic","id":{X}}],"tc":[],"flow_dissector":[]}]`+"\n", 0, "-j", "net", "show")
	run("", 0, "link", "pin", "id", "{L1}", pin)
	run("{L1}: xdp  prog {X}  \n\tpinned "+pin+"\n", 0, "-f", "link", "show", "pinned", pin)
	run(`{"id":{L1},"type":"xdp","prog_id":{X},"pinned":["`+pin+`"]}`+"\n", 0, "-jf", "link", "show", "id", "{L1}")
	run("{\n    \"id\": {L1},\n    \"type\": \"xdp\",\n    \"prog_id\": {X}\n}\n", 0, "-p", "link", "show", "id", "{L1}")
	run("Error: failed to get link with ID 999999: No such file or directory\n", 1, "link", "show", "id", "999999")
	run(`{"error":"failed to get link with ID 999999: No such file or directory"}`+"\n", 1, "-j", "link", "show", "id", "999999")
	run("Error: incorrect object type: prog\n", 1, "link", "show", "pinned", "/sys/fs/bpf/p/xdp_count")
	run("Error: expected 'id' or 'pinned', got: 'tag'?\n", 1, "link", "show", "tag", "x")

	// Cgroup attachments: libbpf's or bpftool's attach type names; the
	// program must be of the attach type's type and attach variant.
	run("", 0, "prog", "loadall", "../../progtype/testdata/others.o", "/sys/fs/bpf/o")
	ids["C4"], ids["SC"] = progID("connect4_prog"), progID("sock_create")
	run("Error: failed to attach program\n", 1, "cgroup", "attach", cg, "ingress", "name", "connect4_prog")
	run("Error: failed to attach program\n", 1, "cgroup", "attach", cg, "bind4", "name", "connect4_prog")
	run("Error: can't open cgroup "+cg+"/none\n", 1, "cgroup", "attach", cg+"/none", "connect4", "name", "connect4_prog")
	run("Error: invalid attach type\n", 1, "cgroup", "attach", cg, "nope", "name", "connect4_prog")
	run("", 0, "cgroup", "attach", cg, "cgroup_inet4_connect", "name", "connect4_prog")
	run("", 0, "cgroup", "attach", cg, "sock_cr", "name", "sock_create", "multi")
	fi, err := os.Stat(cg)
	if err != nil {
		t.Fatal(err)
	}
	cgid := strconv.FormatUint(inodeOf(fi), 10)
	run("{L1}: xdp  prog {X}  \n{L2}: cgroup  prog {C4}  \n\tcgroup_id "+cgid+"  attach_type cgroup_inet4_connect  \n"+
		"{L3}: cgroup  prog {SC}  \n\tcgroup_id "+cgid+"  attach_type cgroup_inet_sock_create  \n", 0, "link", "show")
	run(`[{"id":{L1},"type":"xdp","prog_id":{X}},{"id":{L2},"type":"cgroup","prog_id":{C4},"cgroup_id":`+cgid+`,"attach_type":"cgroup_inet4_connect"},`+
		`{"id":{L3},"type":"cgroup","prog_id":{SC},"cgroup_id":`+cgid+`,"attach_type":"cgroup_inet_sock_create"}]`+"\n", 0, "-j", "link", "show")
	run("Error: failed to detach program\n", 1, "cgroup", "detach", cg, "connect4", "name", "sock_create")
	run("null\n", 0, "-j", "cgroup", "detach", cg, "connect4", "name", "connect4_prog")

	// Detaching: a held attachment goes; the pinned link stays, detached,
	// holding its program until unpinned. Unpinning the programs' own pins
	// leaves the ones links hold.
	run("", 0, "unpin", "/sys/fs/bpf/p", "/sys/fs/bpf/o")
	run("", 0, "net", "detach", "xdp", "dev", lo)
	run("{L1}: xdp  prog {X}  \n{L3}: cgroup  prog {SC}  \n\tcgroup_id "+cgid+"  attach_type cgroup_inet_sock_create  \n", 0, "link", "show")
	run("", 0, "link", "detach", "id", "{L3}")
	run("{L1}: xdp  prog {X}  \n", 0, "link", "show")
	run("xdp:\n\ntc:\n\nflow_dissector:\n\n", 0, "net", "show")
	out, _, _ := runCLI(t, root, "prog", "show")
	if !strings.HasPrefix(out, ids["X"]+": xdp  name xdp_count") || strings.Count(out, "name ") != 1 {
		t.Fatalf("programs after detaching:\n%s", out)
	}
	run("", 0, "unpin", pin)
	run("", 0, "link", "show")
	run("", 0, "prog", "show")
}

// TestLinkShowHook shows a link to an application hook as bpftool shows a
// raw tracepoint link: the hook's name is the tracepoint's.
func TestLinkShowHook(t *testing.T) {
	dir := t.TempDir()
	root := "--root=" + dir
	if out, errs, code := runCLI(t, root, "prog", "loadall", "../../progtype/testdata/others.o", "/sys/fs/bpf/o"); code != 0 {
		t.Fatal(out, errs)
	}
	st, err := state.Open(dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pin, err := st.Lookup("/sys/fs/bpf/o/rawtp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := link.DefineHook("cli_test_hook", "raw_tracepoint"); err != nil {
		t.Fatal(err)
	}
	_, lm, err := st.AttachLink(pin.ID, link.Info{Type: link.RawTracepoint, Hook: "cli_test_hook"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	id, prog := strconv.Itoa(int(lm.ID)), strconv.Itoa(int(pin.ID))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"link", "show"}, id + ": raw_tracepoint  prog " + prog + "  \n\ttp 'cli_test_hook'  \n"},
		{[]string{"-j", "link", "show", "id", id}, `{"id":` + id + `,"type":"raw_tracepoint","prog_id":` + prog + `,"tp_name":"cli_test_hook"}` + "\n"},
	} {
		out, errs, code := runCLI(t, append([]string{root}, c.args...)...)
		if code != 0 || out != c.want {
			t.Errorf("%v: status %d\n%s%s\nwant\n%s", c.args, code, out, errs, c.want)
		}
	}
}

// TestCgroupShow lists a cgroup's programs in the kernel's attach type
// order, in bpftool v7.1's layout (checked against the kernel's bpftool).
func TestCgroupShow(t *testing.T) {
	root := "--root=" + t.TempDir()
	cg := t.TempDir()
	for _, args := range [][]string{
		{"prog", "loadall", "../../progtype/testdata/others.o", "/sys/fs/bpf/o"},
		{"cgroup", "attach", cg, "connect4", "name", "connect4_prog", "multi"},
		{"cgroup", "attach", cg, "sock_create", "name", "sock_create"},
	} {
		if out, errs, code := runCLI(t, append([]string{root}, args...)...); code != 0 {
			t.Fatal(args, out, errs)
		}
	}
	ids := map[string]string{}
	for _, name := range []string{"connect4_prog", "sock_create"} {
		out, _, _ := runCLI(t, root, "prog", "show", "name", name)
		ids[name], _, _ = strings.Cut(out, ":")
	}
	c4, sc := ids["connect4_prog"], ids["sock_create"]
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }
	want := "ID       AttachType      AttachFlags     Name           \n" +
		pad(sc, 8) + " cgroup_inet_sock_create " + pad("", 15) + " sock_create     " + pad("", 15) + "\n" +
		pad(c4, 8) + " cgroup_inet4_connect multi           connect4_prog   " + pad("", 15) + "\n"
	if out, errs, code := runCLI(t, root, "cgroup", "show", cg); code != 0 || out != want {
		t.Errorf("cgroup show: status %d\n%q%s\nwant\n%q", code, out, errs, want)
	}
	wantJ := `[{"id":` + sc + `,"attach_type":"cgroup_inet_sock_create","attach_flags":"","name":"sock_create","attach_btf_name":"","attach_btf_obj_id":0,"attach_btf_id":0},` +
		`{"id":` + c4 + `,"attach_type":"cgroup_inet4_connect","attach_flags":"multi","name":"connect4_prog","attach_btf_name":"","attach_btf_obj_id":0,"attach_btf_id":0}]` + "\n"
	if out, _, code := runCLI(t, root, "-j", "cgroup", "show", cg); code != 0 || out != wantJ {
		t.Errorf("cgroup show -j:\n%s\nwant\n%s", out, wantJ)
	}
	// Without multi a new attachment replaces the old; modes do not mix;
	// a program is attached once in multi mode.
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"cgroup", "attach", cg, "sock_create", "name", "sock_create"}, 0},
		{[]string{"cgroup", "attach", cg, "sock_create", "name", "sock_create", "multi"}, 1},
		{[]string{"cgroup", "attach", cg, "connect4", "name", "connect4_prog"}, 1},
		{[]string{"cgroup", "attach", cg, "connect4", "name", "connect4_prog", "multi"}, 1},
	} {
		if out, errs, code := runCLI(t, append([]string{root}, c.args...)...); code != c.code {
			t.Errorf("%v: status %d, want %d: %s%s", c.args, code, c.code, out, errs)
		}
	}
	if out, _, _ := runCLI(t, root, "cgroup", "show", cg); out != want {
		t.Errorf("after replacing: \n%s\nwant\n%s", out, want)
	}
	// A cgroup without programs prints nothing (JSON: an empty line).
	empty := t.TempDir()
	if out, _, code := runCLI(t, root, "cgroup", "show", empty); code != 0 || out != "" {
		t.Errorf("empty cgroup: %d %q", code, out)
	}
	if out, _, code := runCLI(t, root, "-j", "cgroup", "show", empty); code != 0 || out != "\n" {
		t.Errorf("empty cgroup -j: %d %q", code, out)
	}
}
