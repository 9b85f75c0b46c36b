package execmem

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestNeverWritableAndExecutable maps code and checks in /proc/self/maps
// that the region holds the code and is read-execute, not writable.
func TestNeverWritableAndExecutable(t *testing.T) {
	code := bytes.Repeat([]byte{0xc3}, 5000) // two pages of "ret"
	r, err := New(code)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Free()
	if r.Len() != 8192 {
		t.Errorf("mapped %d bytes, want 8192", r.Len())
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip(err)
	}
	start := fmt.Sprintf("%x-", r.Addr())
	for _, line := range strings.Split(string(maps), "\n") {
		if strings.HasPrefix(line, start) {
			if perms := strings.Fields(line)[1]; perms != "r-xp" {
				t.Errorf("code mapped %s, want r-xp: %s", perms, line)
			}
			return
		}
	}
	t.Errorf("region %#x not found in /proc/self/maps", r.Addr())
}

func TestEmptyCode(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("empty code accepted")
	}
}
