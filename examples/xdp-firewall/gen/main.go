// Command gen writes the xdp-firewall example's frames: one raw binary file
// per frame (frames/NN-name.bin) and all of them in frames/sample.pcap, from
// the frame list of internal/progtest (the same frames the tests use).
//
//	go run ./examples/xdp-firewall/gen
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bpfhost/bpfhost/internal/progtest"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := progtest.Root()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "examples", "xdp-firewall", "frames")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "sample.pcap"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	// Fixed timestamps keep the file byte-for-byte reproducible.
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, fr := range progtest.FirewallFrames() {
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(fr.Data), Length: len(fr.Data)}
		if err := w.WritePacket(ci, fr.Data); err != nil {
			return err
		}
		name := fmt.Sprintf("%02d-%s.bin", i+1, slug(fr.Name))
		if err := os.WriteFile(filepath.Join(dir, name), fr.Data, 0o644); err != nil {
			return err
		}
	}
	return f.Close()
}

// slug turns a frame description into a file name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
