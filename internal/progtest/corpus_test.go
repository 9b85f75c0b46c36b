package progtest

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
)

// engines lists the bpfhost engines to test: the interpreter, and the JIT
// once one is registered and works on this platform.
func engines() []string {
	es := []string{"interpreter"}
	if ebpf.NewJIT != nil {
		if _, err := ebpf.NewJIT(); err == nil {
			es = append(es, "jit")
		}
	}
	return es
}

// TestCorpus runs every case on bpfhost and checks return values, output
// frames and map contents exactly.
func TestCorpus(t *testing.T) {
	for _, eng := range engines() {
		for _, c := range Cases() {
			t.Run(eng+"/"+c.Name, func(t *testing.T) {
				r := hostExec(t, eng, c)
				if d := Check(c, r); len(d) > 0 {
					t.Errorf("bpfhost results differ from the expectations:\n%s", strings.Join(d, "\n"))
				}
			})
		}
	}
}

// TestCheckCatchesDifferences makes sure a wrong expectation fails: a
// changed return value, output byte and map value are all reported.
func TestCheckCatchesDifferences(t *testing.T) {
	c := parseCase()
	r, err := Exec(HostLoader, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Steps[0].Ret = Drop
	c.Steps[1].Out = append([]byte{0}, c.Steps[1].In[1:]...)
	c.Maps["counters"][0].Value = U64(99)
	if d := Check(c, r); len(d) != 3 {
		t.Errorf("Check reported %d differences, want 3: %q", len(d), d)
	}
}

// hostExec runs c on bpfhost's engine eng, skipping t while c needs a
// helper bpfhost does not offer yet.
func hostExec(t *testing.T, eng string, c *Case) *Result {
	t.Helper()
	r, err := Exec(HostLoaderWith(eng), c)
	if c.Pending(err) {
		t.Skipf("bpfhost does not offer a helper %s needs yet: %v", c.Name, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}
