//go:build unix

package service

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// runCLIProcess runs a bpfhost command line (this test binary as a helper)
// on root; with a service running it reaches the service.
func runCLIProcess(t *testing.T, root string, args ...string) string {
	t.Helper()
	cli := exec.Command(os.Args[0], append([]string{"--root", root}, args...)...)
	cli.Env = append(os.Environ(), envHelper+"=cli")
	out, err := cli.CombinedOutput()
	if err != nil {
		t.Fatalf("bpfhost %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestLinkSurvivesKill9 creates and pins an XDP link through the API,
// kills the service with SIGKILL, restarts it and finds the link with its
// ID and program (through the API and `link show`); detaching and
// unpinning then remove it, and the program stays.
func TestLinkSurvivesKill9(t *testing.T) {
	root := t.TempDir()
	cmd, c := serveProcess(t, root)
	defer func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}()
	ctx := ctxT(t)
	if _, err := c.ObjectLoad(ctx, testObject(t), "/sys/fs/bpf/o", client.ObjectLoadOptions{ObjectName: "prog.o"}); err != nil {
		t.Fatal(err)
	}
	prog := client.Pinned("/sys/fs/bpf/o/xdp_count")
	pi, err := c.ProgShow(ctx, prog)
	if err != nil {
		t.Fatal(err)
	}
	li, err := c.AttachXDP(ctx, prog, 7001, "/sys/fs/bpf/lk")
	if err != nil {
		t.Fatal(err)
	}
	if li.ProgId != pi.Id || li.Type != "xdp" || li.Ifindex != 7001 || li.AttachType != "xdp" || len(li.Pinned) != 1 || li.Pinned[0] != "/sys/fs/bpf/lk" {
		t.Fatalf("new link %v", li)
	}
	if _, err := c.AttachXDP(ctx, prog, 7001, "/sys/fs/bpf/lk2"); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("second XDP link on the interface: %v", err)
	}
	if _, err := c.LinkAttach(ctx, &api.LinkAttachRequest{Program: prog, Type: "xdp", Ifindex: 7002}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("link nothing holds: %v", err)
	}
	if _, err := c.LinkAttach(ctx, &api.LinkAttachRequest{Program: prog, Type: "raw_tracepoint", Hook: "nobody_defined_this", Held: true}); status.Code(err) != codes.NotFound {
		t.Fatalf("link to an undefined hook: %v", err)
	}
	want := "[{\"id\":" + itoa(li.Id) + ",\"type\":\"xdp\",\"prog_id\":" + itoa(pi.Id) + ",\"pinned\":[\"/sys/fs/bpf/lk\"]}]\n"
	if out := runCLIProcess(t, root, "-jf", "link", "show"); out != want {
		t.Fatalf("link show through the service:\n%s\nwant\n%s", out, want)
	}

	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	c.Close()
	cmd, c = serveProcess(t, root)
	links, err := c.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].Id != li.Id || links[0].ProgId != pi.Id || links[0].Ifindex != 7001 || links[0].Detached {
		t.Fatalf("links after SIGKILL and restart: %v, want %v", links, li)
	}
	if out := runCLIProcess(t, root, "-jf", "link", "show"); out != want {
		t.Fatalf("link show after the restart:\n%s\nwant\n%s", out, want)
	}
	// The interface is still taken by the restored link.
	if _, err := c.AttachXDP(ctx, prog, 7001, "/sys/fs/bpf/lk2"); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("XDP link on the interface after the restart: %v", err)
	}
	// New links do not reuse the ID.
	li2, err := c.AttachXDP(ctx, prog, 7003, "")
	if err != nil || li2.Id <= li.Id || !li2.Held {
		t.Fatalf("held link after the restart: %v, %v", li2, err)
	}
	if _, err := c.LinkDetach(ctx, client.ID(li2.Id)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LinkShow(ctx, client.ID(li2.Id)); status.Code(err) != codes.NotFound {
		t.Fatalf("detached held link: %v", err)
	}
	d, err := c.LinkDetach(ctx, client.Pinned("/sys/fs/bpf/lk"))
	if err != nil || !d.Detached || d.Id != li.Id {
		t.Fatalf("detach: %v, %v", d, err)
	}
	if n, err := c.Unpin(ctx, "/sys/fs/bpf/lk", false); err != nil || n != 1 {
		t.Fatalf("unpin: %d, %v", n, err)
	}
	if links, err := c.Links(ctx); err != nil || len(links) != 0 {
		t.Fatalf("links after detach and unpin: %v, %v", links, err)
	}
	if _, err := c.ProgShow(ctx, prog); err != nil {
		t.Fatalf("the program after its link went: %v", err)
	}
	c.Close()
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
