package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
)

// defaultOutSize is the output buffer of `prog run` when no size is given:
// large enough for any frame a program can produce from its input.
const defaultOutSize = 65536 + 4096

// detectCommonPrefix refuses an argument that abbreviates several keywords
// of the same family, as bpftool does ("data" could be data_in or data_out).
func detectCommonPrefix(arg string, words ...string) error {
	var match []string
	for _, w := range words {
		if isPrefix(arg, w) {
			match = append(match, w)
		}
	}
	if len(match) >= 2 {
		return errorf("ambiguous prefix: '%s' could be '%s'", arg, strings.Join(match, "' or '"))
	}
	return nil
}

func (c *cli) progRun(args []string) error {
	if err := needArgs(args, 4, "run"); err != nil {
		return err
	}
	id, args, err := c.parseProg(args)
	if err != nil {
		return err
	}
	var dataIn, dataOut, ctxIn, ctxOut string
	var haveDataIn, haveDataOut, haveCtxIn, haveCtxOut bool
	var dataSizeOut, ctxSizeOut uint32
	repeat := uint32(1)
	for len(args) > 0 {
		a := args[0]
		if err := detectCommonPrefix(a, "data_in", "data_out", "data_size_out"); err != nil {
			return err
		}
		if err := detectCommonPrefix(a, "ctx_in", "ctx_out", "ctx_size_out"); err != nil {
			return err
		}
		var kw string
		for _, w := range []string{"data_in", "data_out", "data_size_out", "ctx_in", "ctx_out", "ctx_size_out", "repeat"} {
			if isPrefix(a, w) {
				kw = w
				break
			}
		}
		if kw == "" {
			return errorf("expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '%s'?", a)
		}
		if err := needArgs(args[1:], 1, a); err != nil {
			return err
		}
		v := args[1]
		args = args[2:]
		switch kw {
		case "data_in":
			dataIn, haveDataIn = v, true
		case "data_out":
			dataOut, haveDataOut = v, true
		case "ctx_in":
			ctxIn, haveCtxIn = v, true
		case "ctx_out":
			ctxOut, haveCtxOut = v, true
		case "data_size_out":
			n, ok := parseU32(v)
			if !ok {
				return errorf("can't parse %s as output data size", v)
			}
			dataSizeOut = n
		case "ctx_size_out":
			n, ok := parseU32(v)
			if !ok {
				return errorf("can't parse %s as output context size", v)
			}
			ctxSizeOut = n
		case "repeat":
			n, ok := parseU32(v)
			if !ok {
				return errorf("can't parse %s as repeat number", v)
			}
			repeat = n
		}
		if haveDataIn && haveCtxIn && dataIn == "-" && ctxIn == "-" {
			return errorf("cannot use standard input for both data_in and ctx_in")
		}
	}
	opts := &ebpf.RunOptions{Repeat: repeat}
	if haveDataIn {
		if opts.Data, err = c.readRunInput(dataIn); err != nil {
			return err
		}
		if dataSizeOut == 0 {
			dataSizeOut = uint32(max(len(opts.Data), defaultOutSize))
		}
		opts.DataOut = make([]byte, 0, dataSizeOut)
	}
	if haveCtxIn {
		if opts.Context, err = c.readRunInput(ctxIn); err != nil {
			return err
		}
		if ctxSizeOut == 0 {
			ctxSizeOut = uint32(max(len(opts.Context), 4096))
		}
		opts.ContextOut = make([]byte, 0, ctxSizeOut)
	}
	prog, _, _ := c.st.Program(id)
	if err := c.st.EnableTrace(); err != nil {
		return errorf("%v", err)
	}
	ret, err := prog.Run(opts)
	c.st.CountRun(id, repeat, opts.Duration)
	if err != nil {
		return errorf("failed to run program: %s", errnoMessage(err))
	}
	if c.json {
		c.jw.startObject()
	}
	var outErr error
	if haveDataOut {
		outErr = errors.Join(outErr, c.runOutput(opts.DataOut, dataOut, "data_out"))
	}
	if haveCtxOut && haveCtxIn {
		outErr = errors.Join(outErr, c.runOutput(opts.ContextOut, ctxOut, "ctx_out"))
	}
	dur := uint64(opts.Duration.Nanoseconds())
	if c.json {
		c.jw.uintField("retval", uint64(ret))
		c.jw.uintField("duration", dur)
		c.jw.endObject()
	} else {
		avg := ""
		if repeat > 1 {
			avg = " (average)"
		}
		fmt.Fprintf(c.out, "Return value: %d, duration%s: %dns\n", ret, avg, dur)
	}
	if outErr != nil {
		c.out.Flush()
		fmt.Fprintf(c.stderr, "Error: %v\n", outErr)
		return errSilent
	}
	return nil
}

// readRunInput reads data_in or ctx_in ("-" is standard input).
func (c *cli) readRunInput(name string) ([]byte, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(c.stdin)
	} else {
		b, err = c.files.ReadFile(name)
	}
	if err != nil {
		return nil, errorf("failed to open %s: %s", name, errnoMessage(osErrno(err)))
	}
	if len(b) > 1<<24 {
		return nil, errorf("input file %s is too big (%d bytes)", name, len(b))
	}
	return b, nil
}

// runOutput writes data_out or ctx_out ("-" prints it).
func (c *cli) runOutput(data []byte, name, key string) error {
	if name == "-" {
		if c.json {
			c.jw.name(key)
			c.jw.intBytes(data)
		} else {
			hexDump(c.out, data)
		}
		return nil
	}
	if err := c.files.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("failed to open %s: %s", name, errnoMessage(osErrno(err)))
	}
	return nil
}

// osErrno turns file system errors into the errno text the C library gives.
func osErrno(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return maps.ENOENT
	case errors.Is(err, os.ErrPermission):
		return maps.Errno(13)
	case errors.Is(err, os.ErrExist):
		return maps.EEXIST
	}
	return err
}
