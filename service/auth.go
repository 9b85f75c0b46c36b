package service

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/user"
	"slices"
	"strconv"

	"google.golang.org/grpc/credentials"
)

// Auth admits administrators: uid 0, the user the service runs as, and the
// members of one group (primary or supplementary). It is checked on every
// call against the peer credentials the kernel recorded for the connection
// (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS), which a client cannot
// forge.
type Auth struct {
	// GID is the administrators' group (-1: none).
	GID int
	// Group is its name, for messages.
	Group string
	self  int
}

// NewAuth admits root, the service's own user and the members of group (a
// name or a numeric ID; "" for none).
func NewAuth(group string) (*Auth, error) {
	a := &Auth{GID: -1, self: os.Geteuid()}
	if group == "" {
		return a, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		if g, err = user.LookupGroupId(group); err != nil {
			return nil, fmt.Errorf("group %q: %w", group, err)
		}
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return nil, fmt.Errorf("group %q has a non-numeric ID %q", group, g.Gid)
	}
	a.GID, a.Group = gid, g.Name
	return a, nil
}

// Allowed reports whether the user uid with primary group gid may call.
func (a *Auth) Allowed(uid, gid uint32) bool {
	if uid == 0 || int64(uid) == int64(a.self) {
		return true
	}
	if a.GID < 0 {
		return false
	}
	if int64(gid) == int64(a.GID) {
		return true
	}
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return false
	}
	groups, err := u.GroupIds()
	return err == nil && slices.Contains(groups, strconv.Itoa(a.GID))
}

func (a *Auth) credentials() credentials.TransportCredentials { return peerCreds{a} }

// peerInfo is what the handshake learnt of the caller.
type peerInfo struct {
	credentials.CommonAuthInfo
	UID, GID uint32
	PID      int32
	// Known says whether the OS gave the credentials; Allowed is the
	// verdict, computed once per connection.
	Known, Allowed bool
}

// AuthType names the mechanism (credentials.AuthInfo).
func (peerInfo) AuthType() string { return "peercred" }

// peerCreds is a gRPC transport "security" that encrypts nothing (the
// socket is local) and records the kernel's peer credentials of each
// connection for the interceptors to check.
type peerCreds struct{ a *Auth }

// ServerHandshake records the connecting process's credentials and the verdict.
func (c peerCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	pi := peerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}
	if uid, gid, pid, err := peerCredentials(conn); err == nil {
		pi.UID, pi.GID, pi.PID, pi.Known = uid, gid, pid, true
		pi.Allowed = c.a.Allowed(uid, gid)
	}
	return conn, pi, nil
}

// ClientHandshake does nothing: the server identifies the client, not the reverse.
func (c peerCreds) ClientHandshake(_ context.Context, _ string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return conn, peerInfo{}, nil
}

// Info describes the protocol.
func (c peerCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "peercred"}
}

// Clone returns c (it has no mutable state).
func (c peerCreds) Clone() credentials.TransportCredentials { return c }

// OverrideServerName is a no-op: there are no server names on a local socket.
func (c peerCreds) OverrideServerName(string) error { return nil }
