//go:build !windows

package client

import (
	"context"
	"net"
	"path/filepath"
)

// DefaultEndpoint is where the service for root listens unless told
// otherwise: the socket DefaultSocket inside it.
func DefaultEndpoint(root string) string { return filepath.Join(root, DefaultSocket) }

// dialEndpoint connects to a Unix domain socket.
func dialEndpoint(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
