package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestJSONWriter checks bpftool's exact layout, pretty and compact.
func TestJSONWriter(t *testing.T) {
	write := func(j *jsonWriter) {
		j.startArray()
		j.startObject()
		j.name("key")
		j.hexBytes([]byte{1, 0})
		j.strField("s", "a\"b\\c\td\x01")
		j.name("empty")
		j.startArray()
		j.endArray()
		j.name("obj")
		j.startObject()
		j.uintField("n", 5)
		j.endObject()
		j.endObject()
		j.null()
		j.endArray()
		j.finish()
	}
	var b bytes.Buffer
	write(newJSONWriter(&b, false))
	want := `[{"key":["0x01","0x00"],"s":"a\"b\\c\td\u0001","empty":[],"obj":{"n":5}},null]` + "\n"
	if b.String() != want {
		t.Errorf("compact:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	write(newJSONWriter(&b, true))
	want = `[{
        "key": ["0x01","0x00"
        ],
        "s": "a\"b\\c\td\u0001",
        "empty": [],
        "obj": {
            "n": 5
        }
    },null
]
`
	if b.String() != want {
		t.Errorf("pretty:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestStrtoul(t *testing.T) {
	cases := []struct {
		s    string
		base int
		v    uint64
		ok   bool
	}{
		{"12", 0, 12, true}, {"0x1f", 0, 31, true}, {"010", 0, 8, true}, {"0", 0, 0, true},
		{"", 0, 0, true}, {"ff", 16, 255, true}, {"0xff", 16, 255, true}, {"ff", 0, 0, false},
		{"1a", 0, 1, false}, {"-1", 0, ^uint64(0), true}, {" 7", 0, 7, true}, {"08", 0, 0, false},
		{"0x", 0, 0, false}, {"-", 0, 0, false}, {"99999999999999999999999", 0, ^uint64(0), true},
	}
	for _, c := range cases {
		v, ok := strtoul(c.s, c.base)
		if ok != c.ok || (ok && v != c.v) {
			t.Errorf("strtoul(%q, %d) = %d, %v; want %d, %v", c.s, c.base, v, ok, c.v, c.ok)
		}
	}
}

func TestHexFormats(t *testing.T) {
	data := make([]byte, 20)
	for i := range data {
		data[i] = byte(i + 1)
	}
	var b bytes.Buffer
	fprintHex(&b, data, " ")
	if want := "01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11 12 13 14"; b.String() != want {
		t.Errorf("fprintHex:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	hexDump(&b, []byte("ABCDEFGHIJKLMNOPQRS\x00abcdefghijkl"))
	want := "0000000\t4142 4344 4546 4748 494a 4b4c 4d4e 4f50 | ABCDEFGH IJKLMNOP\n" +
		"0000010\t5152 5300 6162 6364 6566 6768 696a 6b6c | QRS.abcd efghijkl\n"
	b.Reset()
	// bpftool puts the mid-line space after the 8th byte even when the line ends there.
	hexDump(&b, []byte("ABCDEFGH"))
	if w := "0000000\t4142 4344 4546 4748                     | ABCDEFGH \n"; b.String() != w {
		t.Errorf("hexDump of 8 bytes:\n%q\nwant\n%q", b.String(), w)
	}
	b.Reset()
	hexDump(&b, []byte("ABCDEFGHIJKLMNOPQRS\x00abcdefghijkl"))
	if b.String() != want {
		t.Errorf("hexDump:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSplitBatchLine(t *testing.T) {
	got, err := splitBatchLine("  map show 'pinned x' \"a b\"\tid\n", 0)
	if err != nil || !reflect.DeepEqual(got, []string{"map", "show", "pinned x", "a b", "id"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := splitBatchLine("map 'x", 3); err == nil || err.Error() != "unterminated quoted string in command 3" {
		t.Fatalf("unterminated: %v", err)
	}
}

func TestLibbpfNames(t *testing.T) {
	for _, c := range []struct{ file, section, want string }{
		{"/x/prog.o", ".rodata", "prog.rodata"},
		{"prog.bpf.o", ".bss", "prog.bss"},
		{"a_very_long_object_name_here.o", ".rodata", "a_very_l.rodata"},
		{"a_very_long_object_name_here.o", ".bss", "a_very_l.bss"},
		{"x-y.o", ".data", "x_y.data"},
		{"prog.o", ".rodata.str1.1", ".rodata.str1.1"},
	} {
		if got := libbpfInternalMapName(libbpfObjectName(c.file), c.section); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.file, c.section, got, c.want)
		}
	}
	if got := sanitizePinPath("/sys/fs/bpf/m/prog.rodata"); got != "/sys/fs/bpf/m/prog_rodata" {
		t.Errorf("sanitizePinPath: %q", got)
	}
}

func TestOptions(t *testing.T) {
	c := &cli{}
	rest, err := c.parseOptions([]string{"map", "-jp", "show", "--engine=interpreter", "--root", "/r", "--cpus=3", "-", "--", "-j"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.json || !c.pretty || c.engine != "interpreter" || c.root != "/r" || c.cpus != 3 {
		t.Fatalf("options %+v", c)
	}
	if !reflect.DeepEqual(rest, []string{"map", "show", "-", "-j"}) {
		t.Fatalf("rest %q", rest)
	}
	for _, bad := range [][]string{{"-x"}, {"--cpus=0"}, {"--engine"}, {"--pre=1"}, {"--jsonx"}} {
		if _, err := (&cli{}).parseOptions(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Unique prefixes of long options work, as with getopt_long.
	c = &cli{}
	if _, err := c.parseOptions([]string{"--pre"}); err != nil || !c.pretty {
		t.Fatalf("--pre: %v", err)
	}
}

func TestMainStatus(t *testing.T) {
	var out, errb bytes.Buffer
	if st := Main([]string{"-j", "help"}, nil, &out, &errb); st != 0 || out.String() != "null\n" {
		t.Fatalf("help: %d %q %q", st, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if st := Main([]string{"bogus"}, nil, &out, &errb); st != 1 || !strings.HasPrefix(errb.String(), "Usage: bpfhost") {
		t.Fatalf("bogus: %d %q", st, errb.String())
	}
}
