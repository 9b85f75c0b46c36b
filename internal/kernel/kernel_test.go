package kernel

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestSumPerCPU(t *testing.T) {
	vals := [][]byte{
		{1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0},
	}
	got, err := SumPerCPU(vals, 16)
	if err != nil {
		t.Fatal(err)
	}
	// Lane 0: 1+2; lane 1: wraps to 1.
	want := []byte{3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("SumPerCPU = %x, want %x", got, want)
	}
	if _, err := SumPerCPU(vals, 12); err == nil || !strings.Contains(err.Error(), "12") {
		t.Errorf("value size 12: err = %v, want an error naming the size", err)
	}
}

func TestSortEntries(t *testing.T) {
	es := []Entry{{Key: []byte{2}}, {Key: []byte{1, 5}}, {Key: []byte{1}}}
	SortEntries(es)
	if !bytes.Equal(es[0].Key, []byte{1}) || !bytes.Equal(es[1].Key, []byte{1, 5}) || !bytes.Equal(es[2].Key, []byte{2}) {
		t.Errorf("SortEntries order: %v", es)
	}
}

func TestLoadErrors(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	obj := filepath.Join("..", "..", "testdata", "progs", "globals.o")
	if _, err := Load(filepath.Join(t.TempDir(), "missing.o"), nil); err == nil || !strings.Contains(err.Error(), "missing.o") {
		t.Errorf("missing object: err = %v, want one naming the file", err)
	}
	if _, err := Load(obj, map[string]any{"no_such_var": uint32(1)}); err == nil || !strings.Contains(err.Error(), "no_such_var") {
		t.Errorf("unknown variable: err = %v, want one naming it", err)
	}
	c, err := Load(obj, map[string]any{"min_len": uint32(50)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.Run("nope", make([]byte, 60), nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown program: err = %v", err)
	}
	if _, err := c.Dump("nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown map: err = %v", err)
	}
	ret, out, err := c.Run("xdp_globals", make([]byte, 40), nil)
	if err != nil || ret != 1 || len(out) != 40 {
		t.Errorf("40-byte frame under min_len 50: ret %d, %d bytes out, err %v; want XDP_DROP (1), 40, nil", ret, len(out), err)
	}
}
