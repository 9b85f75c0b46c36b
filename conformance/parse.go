// Package conformance reads the test vectors of the public eBPF conformance
// suite (bpf_conformance): the line-based .data format and the uBPF-style
// assembly its programs are written in.
package conformance

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bpfhost/bpfhost/isa"
)

// ErrUnknownSection is wrapped by Parse's error when a file has a section
// the format does not define; the suite's rule is that a runner skips such
// files rather than guessing what they mean.
var ErrUnknownSection = errors.New("unknown section")

// Line is one source line of an assembly section.
type Line struct {
	// N is the 1-based line number in the .data file.
	N int
	// Text is the line with its comment removed.
	Text string
}

// File is a parsed .data test file.
type File struct {
	// Name is the file name (for messages).
	Name string
	// Asm holds the lines of the "-- asm" section; HasAsm says it was present.
	Asm    []Line
	HasAsm bool
	// Raw holds the program of the "-- raw" section, which replaces Asm.
	Raw    []isa.Instruction
	HasRaw bool
	// Mem is the input memory ("-- mem").
	Mem []byte
	// Result is the expected r0 ("-- result"); HasResult says it was given.
	Result    uint64
	HasResult bool
	// Error is the expected error text ("-- error"); HasError says the
	// section was present (its text may be empty).
	Error    string
	HasError bool
}

// ParseFile reads and parses the .data file at path.
func ParseFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, filepath.Base(path))
}

// Parse reads a .data file. Errors name the file and the line.
func Parse(r io.Reader, name string) (*File, error) {
	t := &File{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	section := "" // "" before the first section and in informational ones
	seen := map[string]bool{}
	var errLines []string
	var rawTok []string
	rawLine := 0
	n := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "--") {
			header := strings.TrimPrefix(trimmed, "--")
			if i := strings.IndexByte(header, '#'); i >= 0 {
				header = header[:i]
			}
			header = strings.TrimSpace(header)
			switch header {
			case "asm", "raw", "mem", "result", "error":
				if seen[header] {
					return nil, fail("duplicate %q section", header)
				}
				seen[header] = true
				section = header
			case "c", "no register offset":
				section = "" // informational
			default:
				return nil, fmt.Errorf("%s:%d: %w %q", name, n, ErrUnknownSection, header)
			}
			switch section {
			case "asm":
				t.HasAsm = true
			case "raw":
				t.HasRaw = true
				rawLine = n
			case "error":
				t.HasError = true
			}
			continue
		}
		if section == "error" {
			if s := strings.TrimSpace(line); s != "" {
				errLines = append(errLines, s)
			}
			continue
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		switch section {
		case "asm":
			t.Asm = append(t.Asm, Line{N: n, Text: line})
		case "raw":
			rawTok = append(rawTok, strings.Fields(line)...)
		case "mem":
			for _, tok := range strings.Fields(line) {
				b, err := strconv.ParseUint(strings.TrimPrefix(tok, "0x"), 16, 8)
				if err != nil {
					return nil, fail("memory byte %q is not a hex byte", tok)
				}
				t.Mem = append(t.Mem, byte(b))
			}
		case "result":
			if t.HasResult {
				return nil, fail("more than one result value")
			}
			v, err := parseResult(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			t.Result, t.HasResult = v, true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t.Error = strings.Join(errLines, "\n")
	if t.HasRaw {
		raw, err := parseRaw(rawTok)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: raw section: %w", name, rawLine, err)
		}
		t.Raw = raw
	}
	return t, nil
}

// parseResult reads an expected r0: hex with 0x, or decimal (a negative
// decimal is its 64-bit two's complement).
func parseResult(s string) (uint64, error) {
	fields := strings.Fields(s)
	if len(fields) != 1 {
		return 0, fmt.Errorf("result %q is not a single number", s)
	}
	s = fields[0]
	if h, ok := cutHex(s); ok {
		v, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return 0, fmt.Errorf("result %q is not a 64-bit hex number", s)
		}
		return v, nil
	}
	if strings.HasPrefix(s, "-") {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("result %q is not a 64-bit number", s)
		}
		return uint64(v), nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("result %q is not a 64-bit number", s)
	}
	return v, nil
}

// cutHex strips a 0x or 0X prefix.
func cutHex(s string) (string, bool) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:], true
	}
	return s, false
}

// parseRaw decodes a raw section. Two spellings occur in the suite: one
// 64-bit word per instruction slot written as 0x-prefixed hex (the value's
// low byte is the opcode, as when the slot is loaded little-endian), or the
// slot bytes in order as two-digit hex.
func parseRaw(tokens []string) ([]isa.Instruction, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	var code []byte
	if _, words := cutHex(tokens[0]); words {
		for _, tok := range tokens {
			h, ok := cutHex(tok)
			if !ok {
				return nil, fmt.Errorf("token %q: expected a 0x-prefixed 64-bit word like the others", tok)
			}
			v, err := strconv.ParseUint(h, 16, 64)
			if err != nil {
				return nil, fmt.Errorf("token %q is not a 64-bit hex word", tok)
			}
			code = binary.LittleEndian.AppendUint64(code, v)
		}
	} else {
		for _, tok := range tokens {
			if len(tok) > 2 {
				return nil, fmt.Errorf("token %q: expected a two-digit hex byte like the others", tok)
			}
			v, err := strconv.ParseUint(tok, 16, 8)
			if err != nil {
				return nil, fmt.Errorf("token %q is not a hex byte", tok)
			}
			code = append(code, byte(v))
		}
	}
	return isa.Decode(code)
}

// Program returns the file's program: the raw section if there is one,
// otherwise the assembled asm section.
func (t *File) Program() ([]isa.Instruction, error) {
	switch {
	case t.HasRaw:
		return t.Raw, nil
	case t.HasAsm:
		insns, err := AssembleLines(t.Asm)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		return insns, nil
	default:
		return nil, fmt.Errorf("%s: no asm or raw section", t.Name)
	}
}
