package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatted checks bpftool's BTF formatting of every kind of value:
// enum names, signed integers, typedefs, strings, byte arrays that are not
// strings, nested structs, unions, pointers (bare hex in plain text, a
// number in JSON) and bit fields (bare hex in plain text, a string in JSON).
func TestFormatted(t *testing.T) {
	h := newHost(t)
	obj, err := filepath.Abs(filepath.Join("testdata", "types.o"))
	if err != nil {
		t.Fatal(err)
	}
	h.write("z.bin", make([]byte, 64))
	h.ok("prog loadall " + obj + " /sys/fs/bpf/tp pinmaps /sys/fs/bpf/tm")
	h.ok("prog run pinned /sys/fs/bpf/tp/xdp_types data_in z.bin")
	expectEqual(t, "plain", h.ok("map dump pinned /sys/fs/bpf/tm/types"), `[{
        "key": 0,
        "value": {
            "col": "BLUE",
            "neg": -5,
            "big": -1234567890123,
            "td": 65535,
            "name": "hello",
            "raw": [1,97,127,0
            ],
            "arr": [1,2,4294967295
            ],
            "in": {
                "c": 65,
                "sc": -1,
                "uc": 255,
                "b": true
            },
            "un": {
                "u": 131073,
                "s": [1,2
                ]
            },
            "ptr": 0x1234,
            "bf1": 0x5,
            "bf2": 0x11,
            "sbf": 0xd,
            "last": 42
        }
    }
]
`)
	out := h.ok("-j map lookup pinned /sys/fs/bpf/tm/types key 0 0 0 0")
	expectEqual(t, "json formatted", out[strings.Index(out, `"formatted":`):],
		`"formatted":{"key":0,"value":{"col":"BLUE","neg":-5,"big":-1234567890123,"td":65535,"name":"hello","raw":[1,97,127,0],"arr":[1,2,4294967295],`+
			`"in":{"c":65,"sc":-1,"uc":255,"b":true},"un":{"u":131073,"s":[1,2]},"ptr":4660,"bf1":"0x5","bf2":"0x11","sbf":"0xd","last":42}}}`+"\n")
}
