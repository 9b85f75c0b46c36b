// Package cli implements the bpfhost command line: bpftool's grammar, output
// (plain and JSON, byte for byte where the information exists) and error
// conventions, over objects kept in a state directory (internal/state)
// instead of the kernel. A script written for bpftool runs unchanged with
// bpfhost in its place.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/bpfhost/bpfhost/internal/state"
)

// Version is the bpfhost version reported by `version`.
const Version = "0.1.0"

// EnvEngine names the environment variable that selects the engine.
const EnvEngine = "BPFHOST_ENGINE"

// cmdError is a failure reported as bpftool reports it: "Error: msg" on
// stderr, or {"error":"msg"} in JSON mode.
type cmdError struct{ msg string }

func (e *cmdError) Error() string { return e.msg }

func errorf(format string, args ...any) error { return &cmdError{fmt.Sprintf(format, args...)} }

// usageError asks for a usage text (on stderr; "null" in JSON mode) and a
// failing exit status, as bpftool's usage() does.
type usageError struct{ help func(*cli) }

func (e *usageError) Error() string { return "usage" }

// silentError fails the command after it printed its own output (a lookup
// that found nothing prints "Not found" or null, and still fails).
var errSilent = errors.New("already reported")

// cli is the state of one invocation.
type cli struct {
	bin         string
	stdin       io.Reader
	out         *bufio.Writer
	stderr      io.Writer
	json        bool
	pretty      bool
	debug       bool
	bpffs       bool
	engine      string
	root        string
	cpus        int
	jw          *jsonWriter
	st          *state.State
	inBatch     bool
	versionFlag bool
	helpFlag    bool
	files       Files
	env         *Env
	// unsafeSkipVerifier loads programs unverified (checked interpreter).
	unsafeSkipVerifier bool
}

// Main runs the command line args (without the program name) and returns
// the exit status: 0 on success, 1 on every error. When a service owns the
// state directory the command runs there (see Forward); otherwise here.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	return Run(args, &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Forward: ForwardToService})
}

// Run runs the command line args in env and returns the exit status.
func Run(args []string, env *Env) (status int) {
	stdin, stdout, stderr := env.Stdin, env.Stdout, env.Stderr
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	c := &cli{bin: "bpfhost", stdin: stdin, out: bufio.NewWriter(stdout), stderr: stderr, env: env, files: env.Files}
	if c.files == nil {
		c.files = osFiles{}
	}
	if env.State != nil {
		env.State.Cwd = env.Cwd
		defer func() { env.State.Cwd = "" }()
	}
	defer c.out.Flush()
	defer func() {
		if r := recover(); r != nil {
			c.out.Flush()
			fmt.Fprintf(stderr, "Error: internal error: %v\n", r)
			if c.debug {
				stderr.Write(debug.Stack())
			}
			status = 1
		}
		switch {
		case c.st != nil && env.State != nil:
			// A service's state outlives the command: undo instead of
			// discarding, and keep it open.
			if status != 0 {
				if err := c.st.Rollback(); err != nil {
					fmt.Fprintf(stderr, "Error: %v\n", err)
				}
			}
		case c.st != nil:
			if status != 0 {
				c.st.Abort()
			}
			c.st.Close()
		}
	}()
	rest, err := c.parseOptions(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.bin, err)
		return 1
	}
	if c.engine == "" && env.State != nil {
		// Inside a service, new programs default to the service's engine.
		c.engine = env.State.Engine
	}
	if env.State == nil && env.Forward != nil {
		c.out.Flush()
		if st, done, ferr := env.Forward(c.stateRoot(), args, env); done {
			if ferr != nil {
				if c.json {
					c.jw = newJSONWriter(c.out, c.pretty)
				}
				c.report(errorf("%s", ferr.Error()))
				if c.json {
					c.jw.finish()
				}
			}
			return st
		}
	}
	if c.json {
		c.jw = newJSONWriter(c.out, c.pretty)
	}
	err = c.run(rest)
	if err == nil && c.st != nil {
		err = c.commit()
	}
	if err != nil {
		c.report(err)
	}
	if c.json {
		c.jw.finish()
	}
	if err != nil {
		return 1
	}
	return 0
}

// parseOptions takes the global options out of args, wherever they are (as
// GNU getopt permutes bpftool's argv), and returns the other arguments.
func (c *cli) parseOptions(args []string) ([]string, error) {
	getenv := os.Getenv
	if c.env != nil && c.env.Getenv != nil {
		getenv = c.env.Getenv
	}
	switch c.engine = getenv(EnvEngine); c.engine {
	case "", "interpreter", "jit", "auto":
	default:
		return nil, fmt.Errorf("invalid engine '%s' in %s (interpreter, jit or auto)", c.engine, EnvEngine)
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			long, ok := matchLong(name)
			if !ok {
				return nil, fmt.Errorf("unrecognized option '%s'", a)
			}
			if long.arg {
				if !hasVal {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("option '--%s' requires an argument", long.name)
					}
					i++
					val = args[i]
				}
			} else if hasVal {
				return nil, fmt.Errorf("option '--%s' doesn't allow an argument", long.name)
			}
			if err := c.setOption(long.short, val); err != nil {
				return nil, err
			}
			continue
		}
		for k := 1; k < len(a); k++ {
			o := a[k]
			if !strings.ContainsRune(shortOptions, rune(o)) {
				return nil, fmt.Errorf("invalid option -- '%c'", o)
			}
			var val string
			if o == 'B' || o == 'r' {
				if k+1 < len(a) {
					val = a[k+1:]
				} else if i+1 < len(args) {
					i++
					val = args[i]
				} else {
					return nil, fmt.Errorf("option requires an argument -- '%c'", o)
				}
				k = len(a)
			}
			if err := c.setOption(o, val); err != nil {
				return nil, err
			}
		}
	}
	return rest, nil
}

// shortOptions are bpftool's single-letter options (those without meaning
// here are accepted and ignored so that scripts keep working).
const shortOptions = "VhpjfLmndlB"

type longOption struct {
	name  string
	short byte
	arg   bool
}

var longOptions = []longOption{
	{"json", 'j', false}, {"pretty", 'p', false}, {"debug", 'd', false}, {"version", 'V', false},
	{"help", 'h', false}, {"bpffs", 'f', false}, {"mapcompat", 'm', false}, {"nomount", 'n', false},
	{"use-loader", 'L', false}, {"legacy", 'l', false}, {"base-btf", 'B', true},
	{"engine", 'e', true}, {"root", 'r', true}, {"cpus", 'c', true},
	{"unsafe-skip-verifier", 'U', false},
}

// matchLong finds a long option by its name or an unambiguous prefix, as
// getopt_long does.
func matchLong(name string) (longOption, bool) {
	var found []longOption
	for _, o := range longOptions {
		if o.name == name {
			return o, true
		}
		if strings.HasPrefix(o.name, name) && name != "" {
			found = append(found, o)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return longOption{}, false
}

func (c *cli) setOption(o byte, val string) error {
	switch o {
	case 'U':
		c.unsafeSkipVerifier = true
	case 'j':
		c.json = true
	case 'p':
		c.json, c.pretty = true, true
	case 'd':
		c.debug = true
	case 'f':
		c.bpffs = true
	case 'V':
		c.versionFlag = true
	case 'h':
		c.helpFlag = true
	case 'e':
		switch val {
		case "interpreter", "jit", "auto":
			c.engine = val
		default:
			return fmt.Errorf("invalid engine '%s' (interpreter, jit or auto)", val)
		}
	case 'r':
		if val == "" {
			return fmt.Errorf("empty state directory")
		}
		c.root = val
	case 'c':
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("invalid number of CPUs '%s' (1 to 1024)", val)
		}
		c.cpus = n
	}
	return nil
}

// state opens the state directory on first use; the lock is held until the
// process ends, across all the commands of a batch.
func (c *cli) state() (*state.State, error) {
	if c.st != nil {
		return c.st, nil
	}
	if c.env != nil && c.env.State != nil {
		if c.debug {
			fmt.Fprintf(c.stderr, "bpfhost: state directory %s\n", c.env.State.Root)
		}
		if c.cpus != 0 && c.cpus != c.env.State.CPUs() {
			// The service's per-CPU values are laid out for its CPUs.
			return nil, errorf("the bpfhost service for %s runs with %d CPUs, cannot use %d", c.env.State.Root, c.env.State.CPUs(), c.cpus)
		}
		c.st = c.env.State
		return c.st, nil
	}
	root := c.stateRoot()
	if root == "" {
		_, err := state.DefaultRoot()
		return nil, errorf("no state directory: %v (set %s or use --root)", err, state.EnvRoot)
	}
	if c.debug {
		fmt.Fprintf(c.stderr, "bpfhost: state directory %s\n", root)
	}
	st, err := state.Open(root, state.Options{CPUs: c.cpus, Engine: c.engine})
	if err != nil {
		return nil, errorf("%v", err)
	}
	c.st = st
	return st, nil
}

// stateRoot is the absolute state directory the options select ("" when
// none can be found).
func (c *cli) stateRoot() string {
	root := c.root
	if root == "" {
		var err error
		if root, err = state.DefaultRoot(); err != nil {
			return ""
		}
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return root
}

func (c *cli) commit() error {
	if err := c.st.Commit(); err != nil {
		return errorf("%v", err)
	}
	return nil
}

// report prints a failure in bpftool's form.
func (c *cli) report(err error) {
	var ue *usageError
	switch {
	case errors.Is(err, errSilent):
	case errors.As(err, &ue):
		if c.json {
			c.jw.null()
		} else {
			c.out.Flush()
			ue.help(c)
		}
	default:
		msg := err.Error()
		if c.json {
			c.jw.startObject()
			c.jw.strField("error", msg)
			c.jw.endObject()
		} else {
			c.out.Flush()
			fmt.Fprintf(c.stderr, "Error: %s\n", msg)
		}
	}
}

// warn prints an informational message (bpftool's p_info): stderr, plain mode only.
func (c *cli) warn(format string, args ...any) {
	if c.json {
		return
	}
	c.out.Flush()
	fmt.Fprintf(c.stderr, format+"\n", args...)
}

// command is one entry of a bpftool command table.
type command struct {
	name string
	run  func(c *cli, args []string) error
}

// dispatch selects the first command whose name args[0] abbreviates; with
// no argument the first command runs (bpftool's cmd_select).
func (c *cli) dispatch(cmds []command, args []string, help func(*cli)) error {
	if len(args) == 0 {
		return cmds[0].run(c, args)
	}
	for _, cmd := range cmds {
		if isPrefix(args[0], cmd.name) {
			return cmd.run(c, args[1:])
		}
	}
	return &usageError{help}
}

func (c *cli) run(args []string) error {
	if c.versionFlag {
		return c.doVersion(nil)
	}
	if c.helpFlag {
		c.printHelp(mainUsage)
		return nil
	}
	return c.dispatch(mainCommands(), args, mainUsage)
}

func mainCommands() []command {
	unsupported := func(name string) command {
		return command{name, func(c *cli, args []string) error {
			return errorf("'%s' commands are not supported by bpfhost (see 'bpfhost help')", name)
		}}
	}
	return []command{
		{"help", func(c *cli, args []string) error { c.printHelp(mainUsage); return nil }},
		{"batch", (*cli).doBatch},
		{"prog", (*cli).doProg},
		{"map", (*cli).doMap},
		{"link", (*cli).doLink}, {"cgroup", (*cli).doCgroup}, unsupported("perf"), {"net", (*cli).doNet},
		unsupported("feature"), unsupported("btf"), unsupported("gen"), unsupported("struct_ops"),
		unsupported("iter"),
		{"version", (*cli).doVersion},
		// bpfhost's own: what `rm` does to pins on a BPF file system.
		{"unpin", (*cli).doUnpin},
		{"verify", (*cli).doVerify},
	}
}

// printHelp prints a usage text as bpftool's help commands do: on stderr,
// or null in JSON mode.
func (c *cli) printHelp(help func(*cli)) {
	if c.json {
		c.jw.null()
		return
	}
	c.out.Flush()
	help(c)
}

func (c *cli) doVersion(args []string) error {
	engine := c.engine
	if engine == "" {
		engine = "auto"
	}
	if c.json {
		c.jw.startObject()
		c.jw.strField("version", Version)
		c.jw.strField("libbpf_version", "1.1")
		c.jw.strField("engine", engine)
		c.jw.name("features")
		c.jw.startObject()
		c.jw.boolField("libbfd", false)
		c.jw.boolField("libbpf_strict", true)
		c.jw.boolField("skeletons", false)
		c.jw.endObject()
		c.jw.endObject()
		return nil
	}
	fmt.Fprintf(c.out, "%s v%s\nusing libbpf v1.1\nfeatures: libbpf_strict\nengine: %s\n", c.bin, Version, engine)
	return nil
}

// needArgs is bpftool's REQ_ARGS: cmd is the word the arguments follow.
func needArgs(args []string, n int, cmd string) error {
	if len(args) < n {
		return errorf("'%s' needs at least %d arguments, %d found", cmd, n, len(args))
	}
	return nil
}
