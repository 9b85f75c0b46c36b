package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/internal/progtest"
)

// TestOutput pins the example's output: it is the first command of the
// README, so any change must be deliberate.
func TestOutput(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, "", "", 23, ""); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != wantOutput {
		t.Errorf("output changed:\n%s\nwant:\n%s", got, wantOutput)
	}
}

// TestShippedFrames checks that frames/ holds what gen writes: the pcap and
// the raw files both carry progtest.FirewallFrames, in order.
func TestShippedFrames(t *testing.T) {
	want := progtest.FirewallFrames()
	fromPcap, _, err := readFrames("", "")
	if err != nil {
		t.Fatal(err)
	}
	fromBin, _, err := readFrames("", "frames")
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][][]byte{"sample.pcap": fromPcap, "*.bin": fromBin} {
		if len(got) != len(want) {
			t.Fatalf("%s holds %d frames, want %d (run go run ./examples/xdp-firewall/gen)", name, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i].Data) {
				t.Errorf("%s frame %d (%s) differs from the generator's", name, i+1, want[i].Name)
			}
		}
	}
	bins, _ := filepath.Glob(filepath.Join("frames", "*.bin"))
	for i, p := range bins {
		if !strings.HasPrefix(filepath.Base(p), fmt.Sprintf("%02d-", i+1)) {
			t.Errorf("unexpected frame file %s", p)
		}
	}
}

// TestBadInput checks that unreadable inputs are errors naming the input.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pcap")
	if err := os.WriteFile(bad, []byte("not a pcap"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ pcap, frames string }{{bad, ""}, {"", dir}, {filepath.Join(dir, "missing.pcap"), ""}} {
		err := run(&bytes.Buffer{}, c.pcap, c.frames, 23, "")
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("run(%q, %q) = %v, want an error naming the input", c.pcap, c.frames, err)
		}
	}
}

const wantOutput = `loaded xdp_firewall (xdp program) from firewall.o; 12 frames from frames/sample.pcap
blocking sources 192.0.2.0/24 (rule 1) 203.0.113.7/32 (rule 2) 2001:db8:bad::/48 (rule 3) and destination port 23 (rule 100)

  # bytes  frame                                              verdict
  1    60  TCP 198.51.100.10:40000 > 10.0.0.1:80              XDP_PASS
  2    60  UDP 198.51.100.10:53000 > 10.0.0.53:53             XDP_PASS
  3    60  TCP 198.51.100.20:41000 > 10.0.0.1:23              XDP_DROP  (rule 100)
  4    60  TCP 192.0.2.77:42000 > 10.0.0.1:443                XDP_DROP  (rule 1)
  5    60  UDP 203.0.113.7:5000 > 10.0.0.1:5001               XDP_DROP  (rule 2)
  6    60  TCP 203.0.113.8:43000 > 10.0.0.1:22                XDP_PASS
  7    74  TCP [2001:db8:1::10]:44000 > [2001:db8::1]:443     XDP_PASS
  8    62  UDP [2001:db8:bad:1::5]:6000 > [2001:db8::1]:53    XDP_DROP  (rule 3)
  9    60  ICMP 198.51.100.10 > 10.0.0.1                      XDP_PASS
 10    60  ARP who-has 10.0.0.1 tell 10.0.0.7                 XDP_PASS
 11    44  IPv4 198.51.100.30 > 10.0.0.1, truncated           XDP_DROP
 12    72  TCP 198.51.100.10:40001 > 10.0.0.1:80              XDP_PASS

verdicts (per-CPU array, summed over CPUs):
  XDP_DROP       5 packets    286 bytes
  XDP_PASS       7 packets    446 bytes

sources (LRU hash):
  192.0.2.77             1 packets     60 bytes  last XDP_DROP  rule 1
  198.51.100.10          4 packets    252 bytes  last XDP_PASS  rule -
  198.51.100.20          1 packets     60 bytes  last XDP_DROP  rule 100
  198.51.100.30          1 packets     44 bytes  last XDP_DROP  rule -
  203.0.113.7            1 packets     60 bytes  last XDP_DROP  rule 2
  203.0.113.8            1 packets     60 bytes  last XDP_PASS  rule -
  2001:db8:1::10         1 packets     74 bytes  last XDP_PASS  rule -
  2001:db8:bad:1::5      1 packets     62 bytes  last XDP_DROP  rule 3
`
