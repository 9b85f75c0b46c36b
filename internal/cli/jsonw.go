package cli

import (
	"fmt"
	"io"
	"strings"
)

// jsonWriter is a streaming JSON writer whose output is byte for byte what
// bpftool prints, pretty or not, so that scripts (and diffs) see the same
// text: values follow each other with "," and no newline, a member name
// starts a new line when pretty, and a closing bracket goes on its own line
// only if the container is not empty (hence bpftool's `[1,2,3\n    ]`).
type jsonWriter struct {
	w      io.Writer
	depth  int
	pretty bool
	sep    byte // ',' once the current container has an element
	err    error
}

func newJSONWriter(w io.Writer, pretty bool) *jsonWriter {
	return &jsonWriter{w: w, pretty: pretty}
}

func (j *jsonWriter) put(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

func (j *jsonWriter) eol() {
	if j.pretty {
		j.put("\n" + strings.Repeat("    ", j.depth))
	}
}

// eor separates this element from the previous one of its container.
func (j *jsonWriter) eor() {
	if j.sep != 0 {
		j.put(string(j.sep))
	}
	j.sep = ','
}

func (j *jsonWriter) begin(c string) {
	j.eor()
	j.put(c)
	j.depth++
	j.sep = 0
}

func (j *jsonWriter) end(c string) {
	j.depth--
	if j.sep != 0 {
		j.eol()
	}
	j.put(c)
	j.sep = ','
}

func (j *jsonWriter) startObject() { j.begin("{") }
func (j *jsonWriter) endObject()   { j.end("}") }
func (j *jsonWriter) startArray()  { j.begin("[") }
func (j *jsonWriter) endArray()    { j.end("]") }

// name starts a member of the current object.
func (j *jsonWriter) name(n string) {
	j.eor()
	j.eol()
	j.sep = 0
	j.put(quote(n))
	j.put(":")
	if j.pretty {
		j.put(" ")
	}
}

// raw writes a value already formatted as JSON.
func (j *jsonWriter) raw(v string) {
	j.eor()
	j.put(v)
}

func (j *jsonWriter) str(v string)                 { j.raw(quote(v)) }
func (j *jsonWriter) uint(v uint64)                { j.raw(fmt.Sprint(v)) }
func (j *jsonWriter) int(v int64)                  { j.raw(fmt.Sprint(v)) }
func (j *jsonWriter) bool(v bool)                  { j.raw(fmt.Sprint(v)) }
func (j *jsonWriter) null()                        { j.raw("null") }
func (j *jsonWriter) strField(n, v string)         { j.name(n); j.str(v) }
func (j *jsonWriter) uintField(n string, v uint64) { j.name(n); j.uint(v) }
func (j *jsonWriter) intField(n string, v int64)   { j.name(n); j.int(v) }
func (j *jsonWriter) boolField(n string, v bool)   { j.name(n); j.bool(v) }

// finish ends the document as bpftool does, with a newline.
func (j *jsonWriter) finish() { j.put("\n") }

// quote escapes a string the way bpftool's writer does: the C escapes for
// control characters it knows, and \u00XX for the others so the output
// stays valid JSON.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\b':
			b.WriteString(`\b`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			if c < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
