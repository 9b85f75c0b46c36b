//go:build linux

package maps

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func rssKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestLargeMapsStayLazy checks that creating a large, empty map does not
// touch its off-heap storage: programs often declare big hash maps and use
// a few entries, and the operating system only backs pages once written.
func TestLargeMapsStayLazy(t *testing.T) {
	before := rssKB(t)
	m := mustNew(t, Spec{Name: "big", Type: Hash, KeySize: 16, ValueSize: 1024, MaxEntries: 1 << 17}, Options{})
	grown := rssKB(t) - before
	// The off-heap part is ~130 MiB; of the index only the bucket heads
	// (512 KiB: each names its own chain's end) and the Go-heap free queue
	// and bitmap (~0.5 MiB) are touched.
	if grown > 16<<10 {
		t.Fatalf("creating the map grew RSS by %d KiB", grown)
	}
	m.Update(make([]byte, 16), make([]byte, 1024), UpdateAny)
}
