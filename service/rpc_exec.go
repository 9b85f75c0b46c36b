package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/internal/cli"
	"github.com/bpfhost/bpfhost/internal/state"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Exec runs one command line against the service's state, with the client's
// files, standard streams and directory: the same code as the embedded
// command line, so every command behaves the same either way.
func (s *Server) Exec(stream api.Bpfhost_ExecServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	start := first.GetStart()
	if start == nil {
		return invalid("Exec: the first message must be ExecStart")
	}
	if start.Cwd != "" && !strings.HasPrefix(start.Cwd, "/") && !isWindowsAbs(start.Cwd) {
		return invalid("Exec: cwd %q is not absolute", start.Cwd)
	}
	rf := &remoteFiles{stream: stream}
	out := &streamWriter{rf: rf}
	errw := &streamWriter{rf: rf, stderr: true}
	env := &cli.Env{Stdin: &remoteStdin{rf: rf}, Stdout: out, Stderr: errw, Files: rf, Cwd: start.Cwd,
		Getenv: func(k string) string {
			if k == cli.EnvEngine {
				return start.Engine
			}
			return ""
		}}
	s.mu.Lock()
	env.State = s.st
	code := cli.Run(start.Args, env)
	s.mu.Unlock()
	if rf.err != nil {
		return rf.err
	}
	return stream.Send(&api.ExecServerMessage{Msg: &api.ExecServerMessage_ExitStatus{ExitStatus: int32(code)}})
}

func isWindowsAbs(p string) bool { return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') }

// remoteFiles reads and writes the client's files through the Exec stream.
// The command runs in one goroutine, so requests and replies alternate.
type remoteFiles struct {
	stream api.Bpfhost_ExecServer
	mu     sync.Mutex
	id     uint64
	err    error // the stream broke: the command's result cannot be sent
}

func (r *remoteFiles) send(m *api.ExecServerMessage) error {
	if r.err != nil {
		return r.err
	}
	if err := r.stream.Send(m); err != nil {
		r.err = err
	}
	return r.err
}

// call sends a file request and waits for its reply.
func (r *remoteFiles) call(req *api.FileRequest) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.id++
	req.Id = r.id
	if err := r.send(&api.ExecServerMessage{Msg: &api.ExecServerMessage_File{File: req}}); err != nil {
		return nil, err
	}
	m, err := r.stream.Recv()
	if err != nil {
		r.err = err
		return nil, err
	}
	rep := m.GetFile()
	if rep == nil || rep.Id != req.Id {
		r.err = status.Error(codes.InvalidArgument, "Exec: expected the reply to file request")
		return nil, r.err
	}
	if rep.Error != "" || rep.Errno != 0 {
		return nil, fileError(req.Name, rep)
	}
	return rep.Data, nil
}

// fileError rebuilds the client's error so that the command prints the
// errno text it would print locally.
func fileError(name string, rep *api.FileReply) error {
	var base error
	switch rep.Errno {
	case 2:
		base = fs.ErrNotExist
	case 13, 1:
		base = fs.ErrPermission
	case 17:
		base = fs.ErrExist
	default:
		// The client's own text, which the command prints as it would
		// print the local error.
		return errors.New(rep.Error)
	}
	return &fs.PathError{Op: "open", Path: name, Err: base}
}

// ReadFile reads a file of the client.
func (r *remoteFiles) ReadFile(name string) ([]byte, error) {
	return r.call(&api.FileRequest{Op: api.FileRequest_READ, Name: name})
}

// WriteFile writes a file of the client.
func (r *remoteFiles) WriteFile(name string, data []byte, perm fs.FileMode) error {
	_, err := r.call(&api.FileRequest{Op: api.FileRequest_WRITE, Name: name, Data: data, Perm: uint32(perm)})
	return err
}

// remoteStdin is the client's standard input, read whole on first use
// (commands read it whole: data_in -, batch file -).
type remoteStdin struct {
	rf   *remoteFiles
	buf  *bytes.Reader
	err  error
	done bool
}

// Read reads the client's standard input.
func (r *remoteStdin) Read(p []byte) (int, error) {
	if !r.done {
		r.done = true
		b, err := r.rf.call(&api.FileRequest{Op: api.FileRequest_READ_STDIN})
		r.buf, r.err = bytes.NewReader(b), err
	}
	if r.err != nil {
		return 0, r.err
	}
	return r.buf.Read(p)
}

// streamWriter sends standard output or error to the client.
type streamWriter struct {
	rf     *remoteFiles
	stderr bool
}

// Write sends p to the client's standard output or error.
func (w *streamWriter) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	m := &api.ExecServerMessage{Msg: &api.ExecServerMessage_Stdout{Stdout: b}}
	if w.stderr {
		m = &api.ExecServerMessage{Msg: &api.ExecServerMessage_Stderr{Stderr: b}}
	}
	w.rf.mu.Lock()
	defer w.rf.mu.Unlock()
	if err := w.rf.send(m); err != nil {
		return 0, err
	}
	return len(p), nil
}

var _ io.Writer = (*streamWriter)(nil)

// memFiles serves one in-memory object file to an embedded command
// (ObjectLoad) and refuses every other file.
type memFiles struct {
	name string
	data []byte
}

// ReadFile serves the object file only.
func (m memFiles) ReadFile(name string) ([]byte, error) {
	if name == m.name {
		return m.data, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// WriteFile refuses: ObjectLoad writes no files.
func (m memFiles) WriteFile(name string, _ []byte, _ fs.FileMode) error {
	return &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
}

// ObjectLoad loads an object as `prog loadall OBJ PIN_DIR [type T]
// [pinmaps DIR]` does, from the bytes in the request.
func (s *Server) ObjectLoad(ctx context.Context, req *api.ObjectLoadRequest) (*api.ObjectLoadReply, error) {
	if len(req.Object) == 0 {
		return nil, invalid("ObjectLoad: empty object")
	}
	if err := checkPath(req.PinDir); err != nil {
		return nil, err
	}
	name := req.ObjectName
	if name == "" {
		name = "object.o"
	}
	if strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, "-") {
		return nil, invalid("ObjectLoad: object name %q must be a plain file name", name)
	}
	args := []string{"prog", "loadall", name, req.PinDir}
	if req.Type != "" {
		args = append(args, "type", req.Type)
	}
	if req.PinMaps != "" {
		if err := checkPath(req.PinMaps); err != nil {
			return nil, err
		}
		args = append(args, "pinmaps", req.PinMaps)
	}
	var out, errb bytes.Buffer
	s.mu.Lock()
	defer s.mu.Unlock()
	env := &cli.Env{Stdout: &out, Stderr: &errb, Files: memFiles{name, req.Object}, State: s.st,
		Getenv: func(string) string { return "" }}
	if code := cli.Run(args, env); code != 0 {
		msg := strings.TrimSpace(strings.ReplaceAll(errb.String(), "Error: ", ""))
		c := codes.InvalidArgument
		if strings.Contains(msg, "file exists") || strings.Contains(msg, "File exists") {
			c = codes.AlreadyExists
		}
		return nil, status.Error(c, "ObjectLoad: "+msg)
	}
	// Report what the pins now reach: the programs under PinDir and their maps.
	reply := &api.ObjectLoadReply{}
	seenMap := map[uint32]bool{}
	for _, id := range s.st.SortedProgIDs() {
		_, pm, _ := s.st.Program(id)
		if !pinnedUnder(s.st.PinsOf(state.KindProg, id), req.PinDir) {
			continue
		}
		reply.Progs = append(reply.Progs, s.progInfo(pm))
		for _, mid := range pm.MapIDs {
			if m, mm, ok := s.st.Map(mid); ok && !seenMap[mid] {
				seenMap[mid] = true
				reply.Maps = append(reply.Maps, s.mapInfo(m, mm))
			}
		}
	}
	return reply, nil
}

// pinnedUnder reports whether one of pins (as PinsOf shows them) is below dir.
func pinnedUnder(pins []string, dir string) bool {
	d := path.Clean(dir)
	for _, p := range pins {
		if path.Dir(p) == d {
			return true
		}
	}
	return false
}
