//go:build linux

package service

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSystemdUnit(t *testing.T) {
	got := systemdUnit("/usr/bin/bpfhost", []string{"serve", "--root", "/var/lib/my bpf", "--group", "bpf"})
	if !strings.Contains(got, "\nExecStart=/usr/bin/bpfhost serve --root \"/var/lib/my bpf\" --group bpf\n") ||
		!strings.Contains(got, "\n[Install]\nWantedBy=multi-user.target\n") {
		t.Fatalf("unit:\n%s", got)
	}
	if q := systemdQuote(`a$b%c"d`); q != `"a$$b%%c\"d"` {
		t.Fatalf("quote: %s", q)
	}
	p := launchdPlist("/usr/local/bin/bpfhost", []string{"serve", "--group", "a&b"})
	if !strings.Contains(p, "<string>/usr/local/bin/bpfhost</string>\n\t\t<string>serve</string>\n\t\t<string>--group</string>\n\t\t<string>a&amp;b</string>\n") {
		t.Fatalf("plist:\n%s", p)
	}
}

// TestInstallFiles writes and removes the unit file without touching
// systemd (--no-start), and checks --dry-run writes nothing.
func TestInstallFiles(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := InstallMain([]string{"install", "--dir", dir, "--root", "/var/lib/x", "--dry-run"}, &out, &errb); code != 0 {
		t.Fatalf("dry run: %s", errb.String())
	}
	if !strings.Contains(out.String(), "would run: systemctl enable --now bpfhost.service") {
		t.Fatalf("dry run output:\n%s", out.String())
	}
	unit := filepath.Join(dir, "bpfhost.service")
	if _, err := os.Stat(unit); err == nil {
		t.Fatal("dry run wrote the unit")
	}
	if code := InstallMain([]string{"install", "--dir", dir, "--root", "/var/lib/x", "--no-start"}, &out, &errb); code != 0 {
		t.Fatalf("install: %s", errb.String())
	}
	b, err := os.ReadFile(unit)
	if err != nil || !strings.Contains(string(b), " serve --root /var/lib/x\n") {
		t.Fatalf("unit: %s %v", b, err)
	}
	if code := InstallMain([]string{"uninstall", "--dir", dir, "--no-start"}, &out, &errb); code != 0 {
		t.Fatalf("uninstall: %s", errb.String())
	}
	if _, err := os.Stat(unit); err == nil {
		t.Fatal("unit still there")
	}
	if code := InstallMain([]string{"bogus"}, &out, &errb); code != 1 {
		t.Fatal("bogus verb accepted")
	}
}
