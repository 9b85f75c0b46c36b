package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/bpfhost/bpfhost/ebpf"
)

// verifyUsage is the help of bpfhost's own verify command.
func verifyUsage(c *cli) {
	fmt.Fprintf(c.stderr, "Usage: %s verify OBJ [program NAME] [type TYPE]\n"+
		"       Verify the programs of OBJ without loading them; the type comes\n"+
		"       from each section name unless TYPE is given. -j prints JSON,\n"+
		"       -d the full verifier log. Fails when any program is refused.\n", c.bin)
}

// doVerify runs the verifier over an object's programs, as loading would,
// without creating maps or programs (so no state directory is needed).
func (c *cli) doVerify(args []string) error {
	if len(args) == 0 || args[0] == "help" {
		return &usageError{verifyUsage}
	}
	file := args[0]
	var opts ebpf.VerifySpecOptions
	for args = args[1:]; len(args) > 0; args = args[2:] {
		if len(args) < 2 {
			return errorf("'%s' needs an argument", args[0])
		}
		switch a := args[0]; {
		case isPrefix(a, "program"):
			opts.Program = args[1]
		case isPrefix(a, "type"):
			opts.Type = args[1]
		default:
			return errorf("unknown keyword '%s' (program NAME, type TYPE)", a)
		}
	}
	if c.debug {
		opts.LogLevel = 2
	}
	obj, err := c.files.ReadFile(file)
	if err != nil {
		return errorf("%v", err)
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return errorf("%v", err)
	}
	vs, err := ebpf.VerifySpec(spec, opts)
	if err != nil {
		return errorf("%s: %v", file, err)
	}
	refused := 0
	if c.json {
		c.jw.startArray()
	}
	for _, v := range vs {
		if v.Err != nil {
			refused++
		}
		if c.json {
			c.jsonVerdict(v)
			continue
		}
		c.printVerdict(v)
	}
	if c.json {
		c.jw.endArray()
	}
	if refused > 0 {
		if !c.json {
			c.out.Flush()
			fmt.Fprintf(c.stderr, "Error: %d of %d programs refused\n", refused, len(vs))
		}
		return errSilent
	}
	return nil
}

func (c *cli) jsonVerdict(v ebpf.ProgramVerdict) {
	c.jw.startObject()
	c.jw.strField("name", v.Name)
	c.jw.strField("section", v.Section)
	c.jw.strField("type", v.Type)
	c.jw.boolField("verified", v.Err == nil)
	if v.Err != nil {
		c.jw.strField("error", errorText(v.Err))
	}
	c.jw.intField("insns", int64(v.Insns))
	c.jw.intField("processed", int64(v.Processed))
	c.jw.intField("duration_ns", v.Duration.Nanoseconds())
	if c.debug && v.Result != nil {
		c.jw.strField("log", v.Result.Log)
	}
	c.jw.endObject()
}

// errorText is the error of a verdict: for a refusal the message with its
// log (the refused instruction, source line, state and reason).
func errorText(err error) string {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	return err.Error()
}

func (c *cli) printVerdict(v ebpf.ProgramVerdict) {
	if v.Err == nil {
		fmt.Fprintf(c.out, "%s: %s (section %s): verified, %d insns, processed %d in %v\n",
			v.Name, v.Type, v.Section, v.Insns, v.Processed, v.Duration)
		if c.debug && v.Result != nil {
			c.out.WriteString(v.Result.Log)
		}
		return
	}
	typ := v.Type
	if typ == "" {
		typ = "unknown type"
	}
	fmt.Fprintf(c.out, "%s: %s (section %s): REFUSED: %s\n", v.Name, typ, v.Section, indent(errorText(v.Err)))
}

// indent indents the continuation lines of a multi-line message.
func indent(s string) string { return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") }

// verifierLogLevel is the verifier log level of loads: -d asks for the
// full log, as bpftool's -d does.
func (c *cli) verifierLogLevel() int {
	if c.debug {
		return 2
	}
	return 0
}
