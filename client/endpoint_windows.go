//go:build windows

package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"path/filepath"
	"strings"

	"github.com/Microsoft/go-winio"
)

// DefaultEndpoint is where the service for root listens unless told
// otherwise: on Windows a named pipe named after the state directory.
func DefaultEndpoint(root string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(filepath.Clean(root))))
	return `\\.\pipe\bpfhost-` + hex.EncodeToString(sum[:8])
}

// dialEndpoint connects to a named pipe or an AF_UNIX socket.
func dialEndpoint(ctx context.Context, path string) (net.Conn, error) {
	if strings.HasPrefix(path, `\\.\pipe\`) {
		return winio.DialPipeContext(ctx, path)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
