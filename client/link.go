package client

import (
	"context"

	"github.com/bpfhost/bpfhost/api"
	"google.golang.org/protobuf/proto"
)

// Links describes every link, by increasing ID.
func (c *Client) Links(ctx context.Context) ([]*api.LinkInfo, error) {
	r, err := c.api.LinkList(ctx, &api.LinkListRequest{})
	if err != nil {
		return nil, err
	}
	return r.Links, nil
}

// LinkShow describes one link.
func (c *Client) LinkShow(ctx context.Context, l *api.ObjectRef) (*api.LinkInfo, error) {
	if l != nil && l.Pinned != "" {
		l = &api.ObjectRef{Id: l.Id, Pinned: absPin(l.Pinned)}
	}
	return c.api.LinkShow(ctx, l)
}

// LinkAttach creates a link (see api.LinkAttachRequest); a relative pin
// path is taken against the client's directory.
func (c *Client) LinkAttach(ctx context.Context, req *api.LinkAttachRequest) (*api.LinkInfo, error) {
	r := proto.Clone(req).(*api.LinkAttachRequest)
	if r.PinPath != "" {
		r.PinPath = absPin(r.PinPath)
	}
	return c.api.LinkAttach(ctx, r)
}

// AttachXDP links the program prog to the interface ifindex and pins the
// link at pinPath ("" for a link held by the interface).
func (c *Client) AttachXDP(ctx context.Context, prog *api.ObjectRef, ifindex int, pinPath string) (*api.LinkInfo, error) {
	return c.LinkAttach(ctx, &api.LinkAttachRequest{Program: prog, Type: "xdp", Ifindex: uint32(ifindex), PinPath: pinPath, Held: pinPath == ""})
}

// LinkDetach detaches a link from its attach point.
func (c *Client) LinkDetach(ctx context.Context, l *api.ObjectRef) (*api.LinkInfo, error) {
	if l != nil && l.Pinned != "" {
		l = &api.ObjectRef{Id: l.Id, Pinned: absPin(l.Pinned)}
	}
	return c.api.LinkDetach(ctx, l)
}
