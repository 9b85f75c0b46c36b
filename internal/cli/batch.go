package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// maxBatchArgs is bpftool's BATCH_ARG_NB_MAX.
const maxBatchArgs = 4096

// splitBatchLine splits a batch line into words as bpftool's make_args:
// blanks separate words, a word starting with ' or " extends to the same
// quote (no escapes).
func splitBatchLine(line string, cmdNb int) ([]string, error) {
	const ws = " \t\r\n"
	var out []string
	cp := line
	for {
		cp = strings.TrimLeft(cp, ws)
		if cp == "" {
			return out, nil
		}
		if len(out) >= maxBatchArgs-1 {
			return nil, errorf("too many arguments to command %d", cmdNb)
		}
		if q := cp[0]; q == '\'' || q == '"' {
			end := strings.IndexByte(cp[1:], q)
			if end < 0 {
				return nil, errorf("unterminated quoted string in command %d", cmdNb)
			}
			out = append(out, cp[1:1+end])
			cp = cp[2+end:]
			continue
		}
		end := strings.IndexAny(cp, ws)
		if end < 0 {
			return append(out, cp), nil
		}
		out = append(out, cp[:end])
		cp = cp[end+1:]
	}
}

// doBatch runs the commands of a file, one per line, stopping at the first
// that fails. The state is committed after every successful command, as
// each would stand on its own against the kernel.
func (c *cli) doBatch(args []string) error {
	switch {
	case len(args) < 2:
		return errorf("too few parameters for batch")
	case len(args) > 2:
		return errorf("too many parameters for batch")
	case !isPrefix(args[0], "file"):
		return errorf("expected 'file', got: %s", args[0])
	}
	if c.inBatch {
		return errorf("recursive batch files are not supported")
	}
	name := args[1]
	var r io.Reader
	if name == "-" {
		r = c.stdin
	} else {
		b, err := c.files.ReadFile(name)
		if err != nil {
			return errorf("Can't open file (%s): %s", name, strerror(osErrno(err)))
		}
		r = bytes.NewReader(b)
	}
	c.inBatch = true
	defer func() { c.inBatch = false }()
	if c.json {
		c.jw.startArray()
		defer c.jw.endArray()
	}
	br := bufio.NewReader(r)
	commands, lineNo := 0, 0
	for {
		line, rerr := br.ReadString('\n')
		if line == "" && rerr != nil {
			if rerr != io.EOF {
				return errorf("reading batch file failed: %s", strerror(osErrno(rerr)))
			}
			break
		}
		lineNo++
		first := lineNo
		// Continuation lines: a backslash before the newline joins the next.
		for strings.HasSuffix(strings.TrimRight(line, "\n"), "\\") && strings.HasSuffix(line, "\n") {
			next, err := br.ReadString('\n')
			if next == "" && err != nil {
				return errorf("missing continuation line on command %d", commands)
			}
			lineNo++
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\\") + next
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		words, err := splitBatchLine(line, commands)
		if err != nil {
			return err
		}
		if len(words) == 0 {
			continue
		}
		if c.json {
			c.jw.startObject()
			c.jw.name("command")
			c.jw.startArray()
			for _, w := range words {
				c.jw.str(w)
			}
			c.jw.endArray()
			c.jw.name("output")
		}
		err = c.dispatch(mainCommands(), words, mainUsage)
		if err == nil && c.st != nil {
			err = c.commit()
		}
		if err != nil {
			c.report(err)
			if c.json {
				c.jw.endObject()
			} else {
				c.out.Flush()
				fmt.Fprintf(c.stderr, "Error: batch file %s: command on line %d failed\n", name, first)
			}
			return errSilent
		}
		if c.json {
			c.jw.endObject()
		}
		commands++
	}
	if !c.json {
		fmt.Fprintf(c.out, "processed %d commands\n", commands)
	}
	return nil
}
