// Package client is the Go client of the bpfhost service (package service):
// typed methods mirroring the bpfhost.v1 RPCs (package api), and Exec, which
// runs a bpfhost command line in the service with this process's files and
// standard streams.
//
//	c, err := client.Dial("/var/lib/bpfhost") // a state directory or a socket
//	defer c.Close()
//	v, err := c.MapLookup(ctx, client.Pinned("/sys/fs/bpf/fw/counters"), key)
//
// Errors are gRPC status errors (status.Code(err) is codes.NotFound for a
// missing key or object, codes.PermissionDenied for a caller who is not an
// administrator, ...).
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/bpfhost/bpfhost/api"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// InfoFile is the file, inside a state directory, where a running service
// says how to reach it.
const InfoFile = "service.json"

// DefaultSocket is the socket's name inside the state directory when the
// service is not told another path (Unix; see DefaultEndpoint).
const DefaultSocket = "bpfhost.sock"

// ServiceInfo is the content of InfoFile.
type ServiceInfo struct {
	PID    int    `json:"pid"`
	Socket string `json:"socket"`
	// Started is the service's start time, Unix nanoseconds.
	Started int64 `json:"started"`
}

// ReadServiceInfo reads the InfoFile of the state directory root.
func ReadServiceInfo(root string) (*ServiceInfo, error) {
	b, err := os.ReadFile(filepath.Join(root, InfoFile))
	if err != nil {
		return nil, err
	}
	var si ServiceInfo
	if err := json.Unmarshal(b, &si); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(root, InfoFile), err)
	}
	if si.Socket == "" {
		return nil, fmt.Errorf("%s names no socket", filepath.Join(root, InfoFile))
	}
	return &si, nil
}

// ErrNoService says that no service answers for a state directory.
var ErrNoService = errors.New("no bpfhost service is running")

// Client is a connection to a service.
type Client struct {
	conn *grpc.ClientConn
	api  api.BpfhostClient
	// Socket is the socket the client is connected to.
	Socket string
}

// Dial connects to a service: target is a state directory (whose InfoFile
// names the socket) or the socket itself. It fails with ErrNoService when
// nothing listens there.
func Dial(target string) (*Client, error) {
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		si, err := ReadServiceInfo(target)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s: %w", target, ErrNoService)
			}
			return nil, err
		}
		target = si.Socket
	}
	return DialSocket(target)
}

// DialSocket connects to the service listening on the Unix socket path
// (on Windows also a named pipe, \\.\pipe\...).
// A connection is tried at once, so that a stale socket fails here.
func DialSocket(path string) (*Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	probe, err := dialEndpoint(ctx, path)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%s: %w (%v)", path, ErrNoService, err)
	}
	probe.Close()
	conn, err := grpc.NewClient("passthrough:///bpfhost",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return dialEndpoint(ctx, path)
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, api: api.NewBpfhostClient(conn), Socket: path}, nil
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// API returns the generated client, for calls this package does not wrap.
func (c *Client) API() api.BpfhostClient { return c.api }

// ID names an object by ID.
func ID(id uint32) *api.ObjectRef { return &api.ObjectRef{Id: id} }

// Pinned names an object by pin path; a relative path is taken against the
// current directory, as the command line does.
func Pinned(path string) *api.ObjectRef { return &api.ObjectRef{Pinned: absPin(path)} }

func absPin(p string) string {
	if p == "" || filepath.IsAbs(p) || (len(p) > 0 && p[0] == '/') {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
