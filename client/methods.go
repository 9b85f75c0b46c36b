package client

import (
	"context"

	"github.com/bpfhost/bpfhost/api"
	"google.golang.org/protobuf/proto"
)

// Version describes the service.
func (c *Client) Version(ctx context.Context) (*api.VersionReply, error) {
	return c.api.Version(ctx, &api.VersionRequest{})
}

// ObjectLoadOptions are the options of ObjectLoad.
type ObjectLoadOptions struct {
	// ObjectName is the object's file name (libbpf names global-data maps
	// after it); default "object.o".
	ObjectName string
	// PinMaps, when set, is where the maps are pinned by name.
	PinMaps string
	// Type overrides the program type.
	Type string
}

// ObjectLoad loads an ELF object in the service (which verifies and links
// it) and pins its programs in pinDir, as `prog loadall` does.
func (c *Client) ObjectLoad(ctx context.Context, object []byte, pinDir string, opts ObjectLoadOptions) (*api.ObjectLoadReply, error) {
	return c.api.ObjectLoad(ctx, &api.ObjectLoadRequest{Object: object, ObjectName: opts.ObjectName,
		PinDir: absPin(pinDir), PinMaps: absPin(opts.PinMaps), Type: opts.Type})
}

// ProgList describes every program.
func (c *Client) ProgList(ctx context.Context) ([]*api.ProgInfo, error) {
	r, err := c.api.ProgList(ctx, &api.ProgListRequest{})
	if err != nil {
		return nil, err
	}
	return r.Progs, nil
}

// ProgShow describes one program.
func (c *Client) ProgShow(ctx context.Context, prog *api.ObjectRef) (*api.ProgInfo, error) {
	return c.api.ProgShow(ctx, prog)
}

// RunOptions are a test run's inputs (BPF_PROG_TEST_RUN).
type RunOptions struct {
	Data, Context []byte
	// WantData and WantContext ask for the outputs, of at most DataSizeOut
	// and ContextSizeOut bytes (0: a default of 64 KiB or the input's size).
	WantData, WantContext       bool
	DataSizeOut, ContextSizeOut uint32
	Repeat                      uint32
}

// ProgRun runs a program: the reply has its return value, outputs and the
// average duration of one run.
func (c *Client) ProgRun(ctx context.Context, prog *api.ObjectRef, o RunOptions) (*api.ProgRunReply, error) {
	return c.api.ProgRun(ctx, &api.ProgRunRequest{Prog: prog, DataIn: o.Data, CtxIn: o.Context,
		DataSizeOut: o.DataSizeOut, CtxSizeOut: o.ContextSizeOut, Repeat: o.Repeat,
		WantDataOut: o.WantData, WantCtxOut: o.WantContext})
}

// ProgXlated returns a program's linked instructions.
func (c *Client) ProgXlated(ctx context.Context, prog *api.ObjectRef) (*api.ProgXlatedReply, error) {
	return c.api.ProgXlated(ctx, prog)
}

// MapList describes every map.
func (c *Client) MapList(ctx context.Context) ([]*api.MapInfo, error) {
	r, err := c.api.MapList(ctx, &api.MapListRequest{})
	if err != nil {
		return nil, err
	}
	return r.Maps, nil
}

// MapShow describes one map.
func (c *Client) MapShow(ctx context.Context, m *api.ObjectRef) (*api.MapInfo, error) {
	return c.api.MapShow(ctx, m)
}

// MapCreate creates a map pinned at req.Pin (made absolute here).
func (c *Client) MapCreate(ctx context.Context, req *api.MapCreateRequest) (*api.MapInfo, error) {
	r := proto.Clone(req).(*api.MapCreateRequest)
	r.Pin = absPin(r.Pin)
	return c.api.MapCreate(ctx, r)
}

// MapLookup returns the value under key (per-CPU maps: every CPU's value,
// each padded to 8 bytes).
func (c *Client) MapLookup(ctx context.Context, m *api.ObjectRef, key []byte) ([]byte, error) {
	r, err := c.api.MapLookup(ctx, &api.MapElemRequest{Map: m, Key: key})
	if err != nil {
		return nil, err
	}
	return r.Value, nil
}

// Update flags, as bpf()'s.
const (
	UpdateAny     = 0
	UpdateNoExist = 1
	UpdateExist   = 2
)

// MapUpdate stores value under key. When it returns, the value is in the
// map's file-backed memory and survives a crash of the service.
func (c *Client) MapUpdate(ctx context.Context, m *api.ObjectRef, key, value []byte, flags uint64) error {
	_, err := c.api.MapUpdate(ctx, &api.MapElemRequest{Map: m, Key: key, Value: value, Flags: flags})
	return err
}

// MapDelete removes key.
func (c *Client) MapDelete(ctx context.Context, m *api.ObjectRef, key []byte) error {
	_, err := c.api.MapDelete(ctx, &api.MapElemRequest{Map: m, Key: key})
	return err
}

// MapNextKey returns the key after key (nil: the first key); the error has
// code NotFound after the last.
func (c *Client) MapNextKey(ctx context.Context, m *api.ObjectRef, key []byte) ([]byte, error) {
	r, err := c.api.MapNextKey(ctx, &api.MapElemRequest{Map: m, Key: key})
	if err != nil {
		return nil, err
	}
	return r.NextKey, nil
}

// MapDump returns every element.
func (c *Client) MapDump(ctx context.Context, m *api.ObjectRef) ([]*api.MapEntry, error) {
	r, err := c.api.MapDump(ctx, m)
	if err != nil {
		return nil, err
	}
	return r.Entries, nil
}

// Pin pins an object ("map" or "prog") at a further path.
func (c *Client) Pin(ctx context.Context, obj *api.ObjectRef, kind, path string) error {
	_, err := c.api.Pin(ctx, &api.PinRequest{Object: obj, Kind: kind, Path: absPin(path)})
	return err
}

// Unpin removes a pin (recursive: and every pin below it) and returns how
// many it removed.
func (c *Client) Unpin(ctx context.Context, path string, recursive bool) (int, error) {
	r, err := c.api.Unpin(ctx, &api.UnpinRequest{Path: absPin(path), Recursive: recursive})
	if err != nil {
		return 0, err
	}
	return int(r.Removed), nil
}
