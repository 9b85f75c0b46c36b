package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/bpfhost/bpfhost/api"
)

// ExecIO is where a command run by Exec reads and writes: its standard
// streams, its directory and its engine setting. Files it names are opened
// here, by this process, with this process's rights.
type ExecIO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Cwd is the directory relative paths are taken against ("": the
	// current directory).
	Cwd string
	// Engine is the BPFHOST_ENGINE setting to pass on.
	Engine string
}

// Exec runs a bpfhost command line (args without the program name) in the
// service and returns its exit status. The error is set only when the
// command could not run to its end (refused, connection lost).
func (c *Client) Exec(ctx context.Context, args []string, eio ExecIO) (int, error) {
	cwd, local := eio.Cwd, ""
	if cwd == "" {
		var err error
		if cwd, err = os.Getwd(); err != nil {
			return 1, err
		}
	} else {
		local = cwd // relative file names are taken against it here
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.api.Exec(ctx)
	if err != nil {
		return 1, err
	}
	if err := stream.Send(&api.ExecClientMessage{Msg: &api.ExecClientMessage_Start{Start: &api.ExecStart{
		Args: args, Cwd: cwd, Engine: eio.Engine}}}); err != nil {
		return 1, recvErr(stream, err)
	}
	for {
		m, err := stream.Recv()
		if err != nil {
			if err == io.EOF {
				return 1, errors.New("service ended the command without an exit status")
			}
			return 1, err
		}
		switch x := m.Msg.(type) {
		case *api.ExecServerMessage_Stdout:
			if eio.Stdout != nil {
				eio.Stdout.Write(x.Stdout)
			}
		case *api.ExecServerMessage_Stderr:
			if eio.Stderr != nil {
				eio.Stderr.Write(x.Stderr)
			}
		case *api.ExecServerMessage_ExitStatus:
			return int(x.ExitStatus), nil
		case *api.ExecServerMessage_File:
			rep := serveFile(x.File, local, eio.Stdin)
			if err := stream.Send(&api.ExecClientMessage{Msg: &api.ExecClientMessage_File{File: rep}}); err != nil {
				return 1, recvErr(stream, err)
			}
		}
	}
}

// recvErr returns the status that ended a stream whose Send failed.
func recvErr(stream api.Bpfhost_ExecClient, err error) error {
	if err == io.EOF {
		if _, rerr := stream.Recv(); rerr != nil && rerr != io.EOF {
			return rerr
		}
	}
	return err
}

// serveFile performs a file request of the service here; relative names
// are taken against cwd ("": the current directory).
func serveFile(req *api.FileRequest, cwd string, stdin io.Reader) *api.FileReply {
	rep := &api.FileReply{Id: req.Id}
	var err error
	name := req.Name
	if cwd != "" && name != "" && !isAbs(name) {
		name = cwd + string(os.PathSeparator) + name
	}
	switch req.Op {
	case api.FileRequest_READ:
		rep.Data, err = os.ReadFile(name)
	case api.FileRequest_WRITE:
		err = os.WriteFile(name, req.Data, fs.FileMode(req.Perm&0o777))
	case api.FileRequest_READ_STDIN:
		if stdin != nil {
			rep.Data, err = io.ReadAll(stdin)
		}
	default:
		err = fmt.Errorf("unknown file operation %v", req.Op)
	}
	if err != nil {
		rep.Error = err.Error()
		rep.Errno = errnoOf(err)
	}
	return rep
}

func isAbs(p string) bool {
	return len(p) > 0 && (p[0] == '/' || p[0] == '\\' || (len(p) > 2 && p[1] == ':'))
}

// errnoOf returns the Linux errno number of the common file errors.
func errnoOf(err error) uint32 {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 2
	case errors.Is(err, fs.ErrPermission):
		return 13
	case errors.Is(err, fs.ErrExist):
		return 17
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return uint32(en)
	}
	return 5 // EIO
}
