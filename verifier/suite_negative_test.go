package verifier

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestNegativeSuite verifies every program of testdata/negative: each is a
// distinct unsafe pattern and must be refused with its expected reason.
func TestNegativeSuite(t *testing.T) {
	cases := loadSuite(t, "testdata/negative/*.s")
	ok := 0
	for _, c := range cases {
		if c.want == "" {
			t.Errorf("%s:%d %s: no @want", c.file, c.line, c.name)
			continue
		}
		insns, _, err := c.assemble()
		if err != nil {
			t.Errorf("%s:%d %s: %v", c.file, c.line, c.name, err)
			continue
		}
		opts, err := suiteOptions(c)
		if err != nil {
			t.Errorf("%s:%d %s: %v", c.file, c.line, c.name, err)
			continue
		}
		res, verr := Verify(insns, opts)
		switch {
		case verr == nil:
			t.Errorf("%s:%d %s: accepted, want refusal %q\n%s", c.file, c.line, c.name, c.want, tail(res.Log, 20))
		case !errors.Is(verr, ErrRefused):
			t.Errorf("%s:%d %s: error %v is not a refusal", c.file, c.line, c.name, verr)
		case !strings.Contains(verr.Error(), c.want):
			t.Errorf("%s:%d %s: refused with %q, want %q", c.file, c.line, c.name, verr, c.want)
		default:
			ok++
		}
	}
	fmt.Printf("negative suite: %d/%d refused with the expected reason\n", ok, len(cases))
}
