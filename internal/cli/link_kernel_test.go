//go:build linux

package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf/link"
	cilium "github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	clink "github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted.
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 2 && fields[2] == "cgroup2" {
			return fields[1]
		}
	}
	return ""
}

// TestLinkShowAgainstKernel makes an XDP link (in a network namespace of
// its own, on its loopback) and a cgroup link with cilium/ebpf, pins them
// in a private BPF file system, and compares bpftool's `link show` and
// `cgroup show` outputs with bpfhost's for the same links, IDs aside.
func TestLinkShowAgainstKernel(t *testing.T) {
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		t.Skip("bpftool not installed")
	}
	fs := t.TempDir()
	if out, err := exec.Command("mount", "-t", "bpf", "bpf", fs).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a BPF file system (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", fs).Run() })
	cgRoot := cgroup2Mount()
	if cgRoot == "" {
		t.Skip("no cgroup v2 hierarchy")
	}
	cg, err := os.MkdirTemp(cgRoot, "bpfhost-test-")
	if err != nil {
		t.Skipf("cannot create a cgroup: %v", err)
	}
	t.Cleanup(func() { os.Remove(cg) })

	// The kernel side, on a thread in a new network namespace (the thread
	// is never unlocked, so it dies with the goroutine).
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- func() error {
			if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
				return err
			}
			ret := asm.Instructions{asm.Mov.Imm(asm.R0, 2), asm.Return()}
			xp, err := cilium.NewProgram(&cilium.ProgramSpec{Type: cilium.XDP, License: "GPL", Instructions: ret})
			if err != nil {
				return err
			}
			defer xp.Close()
			xl, err := clink.AttachXDP(clink.XDPOptions{Program: xp, Interface: 1})
			if err != nil {
				return err
			}
			defer xl.Close()
			if err := xl.Pin(filepath.Join(fs, "xl")); err != nil {
				return err
			}
			cp, err := cilium.NewProgram(&cilium.ProgramSpec{Name: "cgskb_fields", Type: cilium.CGroupSKB, License: "GPL",
				Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()}})
			if err != nil {
				return err
			}
			defer cp.Close()
			cl, err := clink.AttachCgroup(clink.CgroupOptions{Path: cg, Attach: cilium.AttachCGroupInetIngress, Program: cp})
			if err != nil {
				return err
			}
			defer cl.Close()
			return cl.Pin(filepath.Join(fs, "cl"))
		}()
	}()
	if err := <-errc; err != nil {
		t.Skipf("cannot make kernel links here: %v", err)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(fs, "xl")); os.Remove(filepath.Join(fs, "cl")) })

	// The same links in bpfhost, pinned at the same paths.
	root := "--root=" + t.TempDir()
	// Link IDs are the process's: the next two.
	l1, l2 := strconv.Itoa(int(link.LastID())+1), strconv.Itoa(int(link.LastID())+2)
	for _, args := range [][]string{
		{"prog", "loadall", "../../cmd/bpfhost/testdata/prog.o", "/sys/fs/bpf/p"},
		{"prog", "loadall", "../../progtype/testdata/skb.o", "/sys/fs/bpf/s"},
		{"net", "attach", "xdp", "name", "xdp_count", "dev", "lo"},
		{"link", "pin", "id", l1, filepath.Join(fs, "xl")},
		// The kernel attaches links in multi mode.
		{"cgroup", "attach", cg, "ingress", "name", "cgskb_fields", "multi"},
		{"link", "pin", "id", l2, filepath.Join(fs, "cl")},
	} {
		if out, errs, code := runCLI(t, append([]string{root}, args...)...); code != 0 {
			t.Fatalf("%v: %s%s", args, out, errs)
		}
	}
	// Numbers, with the padding that follows them (IDs differ in width).
	ids := regexp.MustCompile(`\b[0-9]+\b *`)
	norm := func(s string) string { return ids.ReplaceAllString(s, "N") }
	for _, line := range []string{
		"link show pinned {FS}/xl", "-j link show pinned {FS}/xl", "-f link show pinned {FS}/xl", "-jf link show pinned {FS}/xl",
		"-p link show pinned {FS}/xl",
		"link show pinned {FS}/cl", "-jf link show pinned {FS}/cl", "-f link show pinned {FS}/cl",
		"cgroup show {CG}", "-j cgroup show {CG}",
	} {
		args := strings.Fields(strings.NewReplacer("{FS}", fs, "{CG}", cg).Replace(line))
		kout, err := exec.Command(bpftool, args...).Output()
		if err != nil {
			t.Fatalf("bpftool %s: %v", line, err)
		}
		out, errs, code := runCLI(t, append([]string{root}, args...)...)
		if code != 0 || norm(out) != norm(string(kout)) {
			t.Errorf("%s:\nbpfhost (%d):\n%s%s\nbpftool:\n%s", line, code, out, errs, kout)
		}
	}
}
