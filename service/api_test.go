package service

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/maps"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

func TestVersion(t *testing.T) {
	ts := startServer(t, nil)
	v, err := ts.c.Version(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if v.ApiVersion != 1 || v.Root != ts.root || v.Cpus == 0 || v.Engine != "auto" {
		t.Fatalf("version: %+v", v)
	}
}

func TestMapRPCs(t *testing.T) {
	ts := startServer(t, nil)
	ctx, c := ctxT(t), ts.c
	const pin = "/sys/fs/bpf/test/h"
	mi, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 8, MaxEntries: 4, Name: "h", Pin: pin})
	if err != nil {
		t.Fatal(err)
	}
	if mi.Id == 0 || mi.TypeName != "hash" || len(mi.Pinned) != 1 || mi.Pinned[0] != pin {
		t.Fatalf("created %+v", mi)
	}
	ref := client.Pinned(pin)
	for i := uint32(1); i <= 3; i++ {
		if err := c.MapUpdate(ctx, ref, u32(i), u64(uint64(i)*10), client.UpdateNoExist); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "update noexist of a present key", c.MapUpdate(ctx, ref, u32(1), u64(1), client.UpdateNoExist), codes.AlreadyExists)
	v, err := c.MapLookup(ctx, client.ID(mi.Id), u32(2))
	if err != nil || le64(v) != 20 {
		t.Fatalf("lookup 2: %v %v", v, err)
	}
	_, err = c.MapLookup(ctx, ref, u32(9))
	wantCode(t, "lookup of a missing key", err, codes.NotFound)
	_, err = c.MapLookup(ctx, ref, []byte{1})
	wantCode(t, "short key", err, codes.InvalidArgument)
	wantCode(t, "short value", c.MapUpdate(ctx, ref, u32(1), []byte{1}, 0), codes.InvalidArgument)
	wantCode(t, "bad flags", c.MapUpdate(ctx, ref, u32(1), u64(1), 7), codes.InvalidArgument)

	// NextKey walks every key once, then NotFound.
	seen := map[uint32]bool{}
	var key []byte
	for {
		next, err := c.MapNextKey(ctx, ref, key)
		if err != nil {
			wantCode(t, "end of walk", err, codes.NotFound)
			break
		}
		seen[uint32(le64(next))] = true
		key = next
	}
	if len(seen) != 3 || !seen[1] || !seen[2] || !seen[3] {
		t.Fatalf("walk: %v", seen)
	}
	if err := c.MapDelete(ctx, ref, u32(2)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete again", c.MapDelete(ctx, ref, u32(2)), codes.NotFound)
	ents, err := c.MapDump(ctx, ref)
	if err != nil || len(ents) != 2 {
		t.Fatalf("dump: %v %v", ents, err)
	}
	sum := uint64(0)
	for _, e := range ents {
		sum += le64(e.Value)
	}
	if sum != 40 {
		t.Fatalf("dump values sum to %d, want 40", sum)
	}

	// A second pin; unpinning the first keeps the map, the last destroys it.
	if err := c.Pin(ctx, client.ID(mi.Id), "map", "/sys/fs/bpf/test/h2"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "pin over a pin", c.Pin(ctx, client.ID(mi.Id), "map", pin), codes.AlreadyExists)
	if _, err := c.Unpin(ctx, pin, false); err != nil {
		t.Fatal(err)
	}
	if v, err := c.MapLookup(ctx, client.Pinned("/sys/fs/bpf/test/h2"), u32(3)); err != nil || le64(v) != 30 {
		t.Fatalf("lookup through the second pin: %v %v", v, err)
	}
	if n, err := c.Unpin(ctx, "/sys/fs/bpf/test", true); err != nil || n != 1 {
		t.Fatalf("recursive unpin: %d %v", n, err)
	}
	_, err = c.MapShow(ctx, client.ID(mi.Id))
	wantCode(t, "show of a destroyed map", err, codes.NotFound)
	ms, err := c.MapList(ctx)
	if err != nil || len(ms) != 0 {
		t.Fatalf("list after unpinning: %v %v", ms, err)
	}
}

func TestMalformed(t *testing.T) {
	ts := startServer(t, nil)
	ctx, a := ctxT(t), ts.c.API()
	for name, err := range map[string]error{
		"no ref":           second(a.MapShow(ctx, &api.ObjectRef{})),
		"nil ref":          second(a.MapLookup(ctx, &api.MapElemRequest{})),
		"both":             second(a.ProgShow(ctx, &api.ObjectRef{Id: 1, Pinned: "/x"})),
		"relative pin":     second(a.MapShow(ctx, &api.ObjectRef{Pinned: "rel/x"})),
		"nul in pin":       second(a.MapShow(ctx, &api.ObjectRef{Pinned: "/a\x00b"})),
		"bad map type":     second(a.MapCreate(ctx, &api.MapCreateRequest{Type: 9999, KeySize: 4, ValueSize: 4, MaxEntries: 1, Pin: "/sys/fs/bpf/x"})),
		"zero sizes":       second(a.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), Pin: "/sys/fs/bpf/x"})),
		"no pin":           second(a.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 4, MaxEntries: 1})),
		"empty object":     second(a.ObjectLoad(ctx, &api.ObjectLoadRequest{PinDir: "/sys/fs/bpf/o"})),
		"garbage object":   second(a.ObjectLoad(ctx, &api.ObjectLoadRequest{Object: []byte("not an ELF"), PinDir: "/sys/fs/bpf/o"})),
		"object name path": second(a.ObjectLoad(ctx, &api.ObjectLoadRequest{Object: []byte("x"), ObjectName: "../x.o", PinDir: "/sys/fs/bpf/o"})),
		"pin kind":         second(a.Pin(ctx, &api.PinRequest{Object: &api.ObjectRef{Id: 1}, Kind: "btf", Path: "/sys/fs/bpf/l"})),
	} {
		wantCode(t, name, err, codes.InvalidArgument)
	}
	for name, err := range map[string]error{
		"missing id":    second(a.MapShow(ctx, &api.ObjectRef{Id: 12345})),
		"missing pin":   second(a.ProgShow(ctx, &api.ObjectRef{Pinned: "/sys/fs/bpf/none"})),
		"missing unpin": second(a.Unpin(ctx, &api.UnpinRequest{Path: "/sys/fs/bpf/none"})),
		"run missing":   second(a.ProgRun(ctx, &api.ProgRunRequest{Prog: &api.ObjectRef{Id: 777}})),
	} {
		wantCode(t, name, err, codes.NotFound)
	}
	// The service still answers, and nothing was created.
	ms, err := ts.c.MapList(ctx)
	if err != nil || len(ms) != 0 {
		t.Fatalf("after malformed requests: %v %v", ms, err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestObjectLoadAndRun(t *testing.T) {
	ts := startServer(t, nil)
	ctx, c := ctxT(t), ts.c
	rep, err := c.ObjectLoad(ctx, testObject(t), "/sys/fs/bpf/o", client.ObjectLoadOptions{ObjectName: "prog.o", PinMaps: "/sys/fs/bpf/om"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range rep.Progs {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "xdp_count,xdp_tail" {
		t.Fatalf("loaded programs %v", names)
	}
	if len(rep.Maps) != 7 {
		t.Fatalf("maps of xdp_count: %d, want 7", len(rep.Maps))
	}
	wantCode(t, "loading over the same pins", second(c.ObjectLoad(ctx, testObject(t), "/sys/fs/bpf/o", client.ObjectLoadOptions{})), codes.AlreadyExists)

	prog := client.Pinned("/sys/fs/bpf/o/xdp_count")
	pkt := bytes.Repeat([]byte{2}, 64)
	pkt[0] = 7
	r, err := c.ProgRun(ctx, prog, client.RunOptions{Data: pkt, WantData: true, Repeat: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Retval != 2 || len(r.DataOut) != 64 || r.DataOut[3] != 8 {
		t.Fatalf("run: ret %d, out %v", r.Retval, r.DataOut)
	}
	v, err := c.MapLookup(ctx, client.Pinned("/sys/fs/bpf/om/counters"), u32(0))
	if err != nil || le64(v) != 5 {
		t.Fatalf("counters[0] after 5 runs: %v %v", v, err)
	}
	pi, err := c.ProgShow(ctx, prog)
	if err != nil {
		t.Fatal(err)
	}
	if pi.RunCnt != 5 || pi.RunTimeNs == 0 || pi.Type != "xdp" || !pi.GplCompatible || len(pi.MapIds) != 7 {
		t.Fatalf("show: %+v", pi)
	}
	x, err := c.ProgXlated(ctx, prog)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Insns) != int(pi.BytesXlated) || len(x.Text) == 0 || !strings.Contains(strings.Join(x.Text, "\n"), "call bpf_map_lookup_elem#1") {
		t.Fatalf("xlated: %d bytes, text %q", len(x.Insns), x.Text)
	}
	// A frozen map (.rodata) refuses updates as the kernel does (EPERM).
	wantCode(t, "update of .rodata", c.MapUpdate(ctx, client.Pinned("/sys/fs/bpf/om/prog_rodata"), u32(0), make([]byte, 4), 0), codes.PermissionDenied)
	ps, err := c.ProgList(ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("prog list: %v %v", ps, err)
	}
}

// TestMapFull: inserting into a full hash map is E2BIG, ResourceExhausted.
func TestMapFull(t *testing.T) {
	ts := startServer(t, nil)
	ctx, c := ctxT(t), ts.c
	if _, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 4, MaxEntries: 2, Pin: "/sys/fs/bpf/full"}); err != nil {
		t.Fatal(err)
	}
	ref := client.Pinned("/sys/fs/bpf/full")
	for k := uint32(0); k < 2; k++ {
		if err := c.MapUpdate(ctx, ref, u32(k), u32(k), 0); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "third key in a 2-entry map", c.MapUpdate(ctx, ref, u32(2), u32(2), 0), codes.ResourceExhausted)
}

// TestExecMisuse: an Exec stream that does not start with ExecStart, or
// answers a file request with the wrong ID, is refused without harm.
func TestExecMisuse(t *testing.T) {
	ts := startServer(t, nil)
	ctx := ctxT(t)
	st, err := ts.c.API().Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Send(&api.ExecClientMessage{Msg: &api.ExecClientMessage_File{File: &api.FileReply{Id: 1}}})
	_, err = st.Recv()
	wantCode(t, "file reply first", err, codes.InvalidArgument)

	st, err = ts.c.API().Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Send(&api.ExecClientMessage{Msg: &api.ExecClientMessage_Start{Start: &api.ExecStart{Args: []string{"prog", "loadall", "x.o", "/sys/fs/bpf/x"}, Cwd: "/"}}})
	m, err := st.Recv()
	if err != nil || m.GetFile() == nil {
		t.Fatalf("expected a file request: %v %v", m, err)
	}
	st.Send(&api.ExecClientMessage{Msg: &api.ExecClientMessage_File{File: &api.FileReply{Id: 99}}})
	for err == nil {
		_, err = st.Recv()
	}
	wantCode(t, "wrong file reply ID", err, codes.InvalidArgument)
	// The service is unharmed and the state unchanged.
	if ps, err := ts.c.ProgList(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("after misuse: %v %v", ps, err)
	}
}

// TestMapInMap creates a hash of maps with an inner array spec and stores
// an inner map by ID, as bpf() stores one by file descriptor.
func TestMapInMap(t *testing.T) {
	ts := startServer(t, nil)
	ctx, c := ctxT(t), ts.c
	inner := &api.MapCreateRequest{Type: uint32(maps.Array), KeySize: 4, ValueSize: 4, MaxEntries: 1}
	outer, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.HashOfMaps), KeySize: 4, ValueSize: 4, MaxEntries: 2, Pin: "/sys/fs/bpf/mim/outer", Inner: inner})
	if err != nil {
		t.Fatal(err)
	}
	in := proto.Clone(inner).(*api.MapCreateRequest)
	in.Pin = "/sys/fs/bpf/mim/inner"
	im, err := c.MapCreate(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MapUpdate(ctx, client.ID(outer.Id), u32(7), u32(im.Id), 0); err != nil {
		t.Fatal(err)
	}
	v, err := c.MapLookup(ctx, client.ID(outer.Id), u32(7))
	if err != nil || le64(v) != uint64(im.Id) {
		t.Fatalf("lookup of the inner map: %v %v, want ID %d", v, err, im.Id)
	}
	// The outer map keeps the inner one alive without its own pin.
	if _, err := c.Unpin(ctx, "/sys/fs/bpf/mim/inner", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MapShow(ctx, client.ID(im.Id)); err != nil {
		t.Fatalf("inner map after unpinning it: %v", err)
	}
	wantCode(t, "inner map of the wrong kind", c.MapUpdate(ctx, client.ID(outer.Id), u32(8), u32(outer.Id), 0), codes.InvalidArgument)
}
