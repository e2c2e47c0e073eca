package check

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// runSrc parses src and runs the default rules over it.
func runSrc(t *testing.T, name, src string) []Finding {
	t.Helper()
	f, err := parse.ParseFile(context.Background(), name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return Run(set, []*parse.File{f})
}

// leaky is a function with a lock-balance error at its line 5, on the
// line given.
func leaky(name string) string {
	return "int " + name + "(int x)\n{\n\tspin_lock(&l);\n\tif (x)\n\t\treturn -EINVAL;\n\tspin_unlock(&l);\n\treturn 0;\n}\n"
}

// TestDeepCFGs runs the engine over control flow as deep as the code is
// long: an else-if chain of 100,000 branches with a lock-balance error
// after it, a chain of 20,000 functions each
// calling the next (summaries are made callee first), and a function that
// takes thousands of different locks. None may overflow the stack, and the
// ordinary functions around them keep their findings.
func TestDeepCFGs(t *testing.T) {
	const n = 100000
	var sb strings.Builder
	sb.WriteString(leaky("before"))
	sb.WriteString("int chain(int x)\n{\n\tif (x == 0)\n\t\tg(0);\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "\telse if (x == %d)\n\t\tg(%d);\n", i, i)
	}
	sb.WriteString("\tspin_lock(&m);\n\tif (x)\n\t\treturn -EINVAL;\n\tspin_unlock(&m);\n\treturn 0;\n}\n")
	const calls = 20000
	for i := 0; i < calls; i++ {
		fmt.Fprintf(&sb, "static int c%d(struct s *p)\n{\n\treturn c%d(p);\n}\n", i, i+1)
	}
	fmt.Fprintf(&sb, "static int c%d(struct s *p)\n{\n\tspin_lock(&p->lock);\n\treturn 0;\n}\n", calls)
	sb.WriteString("int many(int x)\n{\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&sb, "\tif (x == %d)\n\t\tspin_lock(&l%d);\n", i, i)
	}
	sb.WriteString("\treturn 0;\n}\n")
	sb.WriteString(leaky("after"))
	src := sb.String()
	got := map[string]bool{}
	for _, f := range runSrc(t, "deep.c", src) {
		got[fmt.Sprintf("%s:%d:%s", f.Function, f.Line, f.Rule)] = true
	}
	// the returns that keep the lock: before's, chain's, after's
	var rets []int
	for i, line := range strings.Split(src, "\n") {
		if line == "\t\treturn -EINVAL;" {
			rets = append(rets, i+1)
		}
	}
	chainRet, afterRet := rets[1], rets[len(rets)-1]
	for _, want := range []string{"before:5:lock-balance", fmt.Sprintf("chain:%d:lock-balance", chainRet), fmt.Sprintf("after:%d:lock-balance", afterRet)} {
		if !got[want] {
			t.Errorf("missing %s; got %v", want, got)
		}
	}
}
