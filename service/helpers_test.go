package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/internal/cli"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The test binary doubles as helper processes (a service to kill, a client
// run as another user), selected by this environment variable.
const envHelper = "BPFHOST_SERVICE_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(envHelper) {
	case "serve":
		os.Exit(Main(os.Args[1:], os.Stderr))
	case "client":
		os.Exit(helperClient(os.Args[1:]))
	case "cli":
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// testServer is an in-process service over a temporary state directory.
type testServer struct {
	srv    *Server
	root   string
	socket string
	c      *client.Client
}

// startServer serves a fresh state directory in this process.
func startServer(t testing.TB, auth *Auth) *testServer {
	t.Helper()
	return startServerWith(t, Options{Auth: auth})
}

// startServerWith serves a fresh state directory with opts (Root is set here).
func startServerWith(t testing.TB, opts Options) *testServer {
	t.Helper()
	root := t.TempDir()
	opts.Root = root
	auth := opts.Auth
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(root, client.DefaultSocket)
	l, err := listen(sock, auth)
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	go srv.Serve(l)
	c, err := client.DialSocket(sock)
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, root: root, socket: sock, c: c}
	t.Cleanup(func() {
		c.Close()
		srv.Stop()
	})
	return ts
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantCode fails unless err is a status with code want.
func wantCode(t testing.TB, what string, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("%s: code %v (%v), want %v", what, got, err, want)
	}
}

func testObject(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "cmd", "bpfhost", "testdata", "prog.o"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func u32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func le64(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// helperClient is the "client" helper process: it connects to the socket
// in args[0] and tries a read and a write, printing each call's code.
func helperClient(args []string) int {
	c, err := client.DialSocket(args[0])
	if err != nil {
		// The socket's permissions refused the connection itself.
		if opErr := (*net.OpError)(nil); errorsAs(err, &opErr) {
			fmt.Println("connect:", opErr.Err)
			return 0
		}
		fmt.Println("dial:", err)
		return 0
	}
	defer c.Close()
	ctx := context.Background()
	_, err = c.Version(ctx)
	fmt.Printf("version: %v %q\n", status.Code(err), status.Convert(err).Message())
	err = c.MapUpdate(ctx, client.Pinned(args[1]), u32(0), u64(666), 0)
	fmt.Printf("update: %v %q\n", status.Code(err), status.Convert(err).Message())
	_, err = c.API().Exec(ctx)
	return 0
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
