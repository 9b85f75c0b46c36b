// Command xdp-firewall loads the XDP firewall of bpf/firewall.c (compiled to
// bpf/firewall.o by testdata/progs/build.sh) into bpfhost, fills its blocklists, runs it on every frame of
// a capture and prints each verdict, then the firewall's counters.
//
//	go run ./examples/xdp-firewall                  # the shipped frames/sample.pcap
//	go run ./examples/xdp-firewall -pcap my.pcap    # your own capture (Ethernet)
//	go run ./examples/xdp-firewall -frames dir      # raw frames, one per .bin file
//	go run ./examples/xdp-firewall -block-port 22   # change the load-time setting
package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The object and the capture are embedded so that the example runs from any
// directory; -pcap and -frames read other inputs.
var (
	//go:embed bpf/firewall.o
	object []byte
	//go:embed frames/sample.pcap
	samplePcap []byte
)

// Keys and values of the firewall's maps, laid out as in firewall.c.
type (
	lpmKeyV4 struct {
		PrefixLen uint32
		Addr      [4]byte
	}
	lpmKeyV6 struct {
		PrefixLen uint32
		Addr      [16]byte
	}
	counter struct {
		Packets, Bytes uint64
	}
	sourceKey struct {
		Family uint8
		_      [3]uint8
		Addr   [16]byte
	}
	sourceStats struct {
		Packets, Bytes    uint64
		LastVerdict, Rule uint32
	}
)

// blocklist is what the example blocks, with the rule IDs the firewall
// reports for matches.
var blocklist = []struct {
	prefix string
	rule   uint32
}{
	{"192.0.2.0/24", 1},
	{"203.0.113.7/32", 2},
	{"2001:db8:bad::/48", 3},
}

var verdictNames = []string{"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"}

func verdictName(v uint32) string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict %d", v)
}

func main() {
	pcapPath := flag.String("pcap", "", "read frames from this pcap file (default: the shipped frames/sample.pcap)")
	framesDir := flag.String("frames", "", "read raw frames from the .bin files of this directory instead")
	blockPort := flag.Uint("block-port", 23, "TCP/UDP destination port to drop (0: none), set at load time")
	engine := flag.String("engine", "", `engine: "interpreter", "jit" or "auto" (default: $BPFHOST_ENGINE, then auto)`)
	flag.Parse()
	if err := run(os.Stdout, *pcapPath, *framesDir, uint16(*blockPort), *engine); err != nil {
		fmt.Fprintln(os.Stderr, "xdp-firewall:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, pcapPath, framesDir string, blockPort uint16, engine string) error {
	frames, source, err := readFrames(pcapPath, framesDir)
	if err != nil {
		return err
	}

	// Load the object, fix the port setting, create maps and programs.
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(object))
	if err != nil {
		return fmt.Errorf("reading firewall.o: %w", err)
	}
	if err := spec.Variables["blocked_port"].Set(blockPort); err != nil {
		return err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Engine: engine})
	if err != nil {
		return fmt.Errorf("loading firewall.o: %w", err)
	}
	defer coll.Close()
	prog := coll.Programs["xdp_firewall"]

	if err := fillBlocklist(coll); err != nil {
		return err
	}
	var portRule uint32
	if err := spec.Variables["port_rule_id"].Get(&portRule); err != nil {
		return err
	}
	fmt.Fprintf(w, "loaded %s (%s program) from firewall.o; %d frames from %s\n", prog.Name(), prog.Type(), len(frames), source)
	fmt.Fprintf(w, "blocking sources")
	for _, b := range blocklist {
		fmt.Fprintf(w, " %s (rule %d)", b.prefix, b.rule)
	}
	if blockPort != 0 {
		fmt.Fprintf(w, " and destination port %d (rule %d)", blockPort, portRule)
	}
	fmt.Fprintf(w, "\n\n%3s %5s  %-50s %s\n", "#", "bytes", "frame", "verdict")

	for i, f := range frames {
		ret, err := prog.Run(&ebpf.RunOptions{Data: f})
		if err != nil {
			return fmt.Errorf("frame %d: %w", i+1, err)
		}
		text, key, isIP := describe(f)
		// The firewall records the rule that matched in the source's entry.
		why := ""
		var st sourceStats
		if isIP && coll.Maps["sources"].Lookup(key, &st) == nil && st.Rule != 0 {
			why = fmt.Sprintf("  (rule %d)", st.Rule)
		}
		fmt.Fprintf(w, "%3d %5d  %-50s %s%s\n", i+1, len(f), text, verdictName(ret), why)
	}
	return printMaps(w, coll)
}

// fillBlocklist writes the blocklist into the two LPM tries.
func fillBlocklist(coll *ebpf.Collection) error {
	for _, b := range blocklist {
		p := netip.MustParsePrefix(b.prefix)
		var err error
		if p.Addr().Is4() {
			err = coll.Maps["blocklist_v4"].Update(lpmKeyV4{uint32(p.Bits()), p.Addr().As4()}, b.rule, ebpf.UpdateAny)
		} else {
			err = coll.Maps["blocklist_v6"].Update(lpmKeyV6{uint32(p.Bits()), p.Addr().As16()}, b.rule, ebpf.UpdateAny)
		}
		if err != nil {
			return fmt.Errorf("blocking %s: %w", b.prefix, err)
		}
	}
	return nil
}

func printMaps(w io.Writer, coll *ebpf.Collection) error {
	fmt.Fprintf(w, "\nverdicts (per-CPU array, summed over CPUs):\n")
	for v := range uint32(len(verdictNames)) {
		var perCPU []counter
		if err := coll.Maps["verdicts"].Lookup(v, &perCPU); err != nil {
			return err
		}
		var sum counter
		for _, c := range perCPU {
			sum.Packets += c.Packets
			sum.Bytes += c.Bytes
		}
		if sum.Packets > 0 {
			fmt.Fprintf(w, "  %-12s %3d packets %6d bytes\n", verdictName(v), sum.Packets, sum.Bytes)
		}
	}

	type source struct {
		key   sourceKey
		stats sourceStats
	}
	var srcs []source
	var s source
	it := coll.Maps["sources"].Iterate()
	for it.Next(&s.key, &s.stats) {
		srcs = append(srcs, s)
	}
	if err := it.Err(); err != nil {
		return err
	}
	// Hash order is not meaningful: sort by family, then address.
	sort.Slice(srcs, func(i, j int) bool {
		a, b := srcs[i].key, srcs[j].key
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		return bytes.Compare(a.Addr[:], b.Addr[:]) < 0
	})
	fmt.Fprintf(w, "\nsources (LRU hash):\n")
	for _, s := range srcs {
		addr := netip.AddrFrom16(s.key.Addr)
		if s.key.Family == 4 {
			addr = netip.AddrFrom4([4]byte(s.key.Addr[:4]))
		}
		rule := "-"
		if s.stats.Rule != 0 {
			rule = fmt.Sprint(s.stats.Rule)
		}
		fmt.Fprintf(w, "  %-20s %3d packets %6d bytes  last %-9s rule %s\n", addr, s.stats.Packets, s.stats.Bytes, verdictName(s.stats.LastVerdict), rule)
	}
	return nil
}

// readFrames returns the frames to run and where they came from.
func readFrames(pcapPath, framesDir string) ([][]byte, string, error) {
	if framesDir != "" {
		paths, err := filepath.Glob(filepath.Join(framesDir, "*.bin"))
		if err != nil {
			return nil, "", err
		}
		if len(paths) == 0 {
			return nil, "", fmt.Errorf("no .bin files in %s", framesDir)
		}
		sort.Strings(paths)
		var frames [][]byte
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, "", err
			}
			frames = append(frames, b)
		}
		return frames, framesDir, nil
	}
	data, source := samplePcap, "frames/sample.pcap"
	if pcapPath != "" {
		b, err := os.ReadFile(pcapPath)
		if err != nil {
			return nil, "", err
		}
		data, source = b, pcapPath
	}
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", source, err)
	}
	if lt := r.LinkType(); lt != layers.LinkTypeEthernet {
		return nil, "", fmt.Errorf("%s: link type %s, the firewall needs Ethernet frames", source, lt)
	}
	var frames [][]byte
	for {
		b, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: packet %d: %w", source, len(frames)+1, err)
		}
		frames = append(frames, b)
	}
	return frames, source, nil
}
