package cli

import (
	"io"
	"io/fs"
	"os"

	"github.com/bpfhost/bpfhost/internal/state"
)

// Env is where a command line runs: its standard streams, the files it
// names (object files, data_in, data_out...) and, inside a service, the
// service's open state directory.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Files opens the files the command names (nil: the local file system).
	// A service reads and writes them through its client, so they are the
	// client's files, accessed with the client's rights.
	Files Files
	// Cwd resolves relative pin paths ("": the process's directory).
	Cwd string
	// Getenv reads BPFHOST_ENGINE (nil: os.Getenv).
	Getenv func(string) string
	// State is a service's open state directory. The command uses it
	// instead of opening one, commits into it on success and rolls it back
	// on failure; the caller serialises commands.
	State *state.State
	// Forward, when set and State is nil, may run the command elsewhere (in
	// the service that owns root); done reports whether it did, and status
	// is then the command's exit status. err reports a failure to run it
	// there at all, printed as the command's error.
	Forward func(root string, args []string, env *Env) (status int, done bool, err error)
}

// Files is the file access of a command.
type Files interface {
	ReadFile(name string) ([]byte, error)
	WriteFile(name string, data []byte, perm fs.FileMode) error
}

// osFiles is the local file system.
type osFiles struct{}

// ReadFile reads a local file.
func (osFiles) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// WriteFile writes a local file.
func (osFiles) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return os.WriteFile(name, data, perm)
}
