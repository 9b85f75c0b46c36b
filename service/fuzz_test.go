package service

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/maps"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// FuzzRequests calls the handlers directly (no interceptor to recover a
// panic) with requests built from the input: every answer must be a
// reply or a status error other than Internal or Unknown.
//
//	go test -fuzz FuzzRequests ./service
func FuzzRequests(f *testing.F) {
	ts := startServer(f, nil)
	ctx := context.Background()
	if _, err := ts.c.ObjectLoad(ctx, testObject(f), "/sys/fs/bpf/f", client.ObjectLoadOptions{ObjectName: "prog.o", PinMaps: "/sys/fs/bpf/fm"}); err != nil {
		f.Fatal(err)
	}
	for _, typ := range []maps.Type{maps.Hash, maps.Array, maps.PerCPUHash, maps.LPMTrie, maps.Queue, maps.LRUHash} {
		req := &api.MapCreateRequest{Type: uint32(typ), KeySize: 4, ValueSize: 8, MaxEntries: 4, Pin: "/sys/fs/bpf/fz/" + typ.String()}
		if typ == maps.Queue {
			req.KeySize = 0
		}
		if typ == maps.LPMTrie {
			req.KeySize, req.Flags = 8, 1
		}
		if _, err := ts.c.MapCreate(ctx, req); err != nil {
			f.Fatalf("%v: %v", typ, err)
		}
	}
	f.Add([]byte{0, 1, 4, 1, 2, 3, 4})
	f.Add([]byte{1, 3, 4, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{5, 2, 0})
	f.Add([]byte{7, 9, 64, 1, 2, 3})
	s := ts.srv
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 3 {
			return
		}
		op, id, n := in[0]%10, uint32(in[1]%24), int(in[2])
		rest := in[3:]
		key := rest[:min(n%32, len(rest))]
		val := rest[len(key):]
		flags := uint64(0)
		if len(val) >= 8 {
			flags = binary.LittleEndian.Uint64(val) % 4
		}
		ref := &api.ObjectRef{Id: id}
		if id == 23 {
			ref = &api.ObjectRef{Pinned: string(key)}
		}
		var err error
		switch op {
		case 0:
			_, err = s.MapLookup(ctx, &api.MapElemRequest{Map: ref, Key: key})
		case 1:
			_, err = s.MapUpdate(ctx, &api.MapElemRequest{Map: ref, Key: key, Value: val, Flags: flags})
		case 2:
			_, err = s.MapDelete(ctx, &api.MapElemRequest{Map: ref, Key: key})
		case 3:
			_, err = s.MapNextKey(ctx, &api.MapElemRequest{Map: ref, Key: key})
		case 4:
			_, err = s.MapDump(ctx, ref)
		case 5:
			_, err = s.MapShow(ctx, ref)
		case 6:
			_, err = s.ProgShow(ctx, ref)
		case 7:
			_, err = s.ProgRun(ctx, &api.ProgRunRequest{Prog: ref, DataIn: val, CtxIn: key, Repeat: uint32(n % 4), WantDataOut: n&1 != 0, WantCtxOut: n&2 != 0, DataSizeOut: uint32(n)})
		case 8:
			_, err = s.ProgXlated(ctx, ref)
		case 9:
			_, err = s.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(n % 40), KeySize: uint32(len(key)), ValueSize: uint32(len(val) % 64), MaxEntries: uint32(id), Pin: "/sys/fs/bpf/fz/new"})
			if err == nil {
				_, err = s.Unpin(ctx, &api.UnpinRequest{Path: "/sys/fs/bpf/fz/new"})
			}
		}
		if c := status.Code(err); c == codes.Internal || c == codes.Unknown {
			t.Fatalf("op %d on %v: %v", op, ref, err)
		}
	})
}
