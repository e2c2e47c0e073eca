package report

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/locklint/locklint/rules"
)

func TestScanSuppressions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Suppression // File is filled in as "a.c"
	}{
		{"none", "int x;\n// locklint is a linter\n", nil},
		{"prose mention is not a directive",
			"// see the locklint: manual\nint x;\n", nil},
		{"trailing line comment", "int x;\nspin_lock(&l); // locklint: ignore lock-balance -- released by the caller\n",
			[]Suppression{{Line: 2, Target: 2, Rules: []string{"lock-balance"}, Reason: "released by the caller"}}},
		{"standalone line comment applies to next line",
			"\t// locklint: ignore double-acquire -- nested class\n\tspin_lock(&l);\n",
			[]Suppression{{Line: 1, Target: 2, Rules: []string{"double-acquire"}, Reason: "nested class"}}},
		{"trailing block comment", "spin_lock(&l); /* locklint: ignore a,b -- see commit 1234 */\n",
			[]Suppression{{Line: 1, Target: 1, Rules: []string{"a", "b"}, Reason: "see commit 1234"}}},
		{"standalone block comment", "x;\n/* locklint: ignore a, b -- r */\ny;\n",
			[]Suppression{{Line: 2, Target: 3, Rules: []string{"a", "b"}, Reason: "r"}}},
		{"block comment before code on its line",
			"/* locklint: ignore a -- r */ spin_lock(&l);\n",
			[]Suppression{{Line: 1, Target: 1, Rules: []string{"a"}, Reason: "r"}}},
		{"multi-line block comment applies after its end",
			"/*\n * locklint: ignore all -- checked by hand\n * more words\n */\nspin_lock(&l);\n",
			[]Suppression{{Line: 2, Target: 5, Rules: []string{"all"}, Reason: "checked by hand"}}},
		{"ignore all", "// locklint: ignore all -- generated code\nx;\n",
			[]Suppression{{Line: 1, Target: 2, Rules: []string{"all"}, Reason: "generated code"}}},
		{"no space after colon, CRLF", "x; //locklint:ignore a -- r\r\n",
			[]Suppression{{Line: 1, Target: 1, Rules: []string{"a"}, Reason: "r"}}},
		{"missing reason", "x; // locklint: ignore a\n",
			[]Suppression{{Line: 1, Target: 1, Rules: []string{"a"},
				Problem: `suppression of a has no reason: a reason is required after " -- ", as in "locklint: ignore a -- why this is safe"`}}},
		{"empty reason", "x; // locklint: ignore a --   \n",
			[]Suppression{{Line: 1, Target: 1, Rules: []string{"a"},
				Problem: `suppression of a has no reason: a reason is required after " -- ", as in "locklint: ignore a -- why this is safe"`}}},
		{"unknown directive", "x; // locklint: disable a -- r\n",
			[]Suppression{{Line: 1, Target: 1,
				Problem: `unknown locklint directive "disable"; the syntax is "locklint: ignore RULE[,RULE...] -- REASON"`}}},
		{"no rule", "x; // locklint: ignore -- r\n",
			[]Suppression{{Line: 1, Target: 1, Reason: "r",
				Problem: `suppression names no rule; the syntax is "locklint: ignore RULE[,RULE...] -- REASON"`}}},
		{"space-separated rules", "x; // locklint: ignore a b -- r\n",
			[]Suppression{{Line: 1, Target: 1, Reason: "r",
				Problem: `"a b" is not a rule id; the syntax is "locklint: ignore RULE[,RULE...] -- REASON"`}}},
		{"two on separate lines",
			"// locklint: ignore a -- r1\nx;\ny; // locklint: ignore b -- r2\n",
			[]Suppression{
				{Line: 1, Target: 2, Rules: []string{"a"}, Reason: "r1"},
				{Line: 3, Target: 3, Rules: []string{"b"}, Reason: "r2"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.want {
				tt.want[i].File = "a.c"
			}
			got := ScanSuppressions("a.c", []byte(tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ScanSuppressions(%q)\n got %+v\nwant %+v", tt.src, got, tt.want)
			}
		})
	}
}

func TestApplySuppressions(t *testing.T) {
	const src = `void f(void)
{
	spin_lock(&a); // locklint: ignore lock-balance -- released in g()
	// locklint: ignore double-acquire,order-inversion -- nested, see lockdep class
	spin_lock(&b);
	/* locklint: ignore all -- legacy driver */
	mutex_lock(&m);
	x(); // locklint: ignore sleep-under-spinlock -- no longer needed
	y(); // locklint: ignore lock-balance
}
`
	find := func(rule string, line int) Finding {
		return Finding{Rule: rule, Severity: rules.Error, File: "f.c", Line: line, Message: rule}
	}
	tests := []struct {
		name     string
		in       []Finding
		wantKept []Finding
		// problems as "rule line message-prefix"
		wantProblems []string
	}{
		{
			name: "same line, next line, all",
			in: []Finding{
				find("lock-balance", 3),
				find("double-acquire", 5),
				find("order-inversion", 5),
				find("lock-balance", 7),
				find("sleep-under-spinlock", 7),
			},
			wantProblems: []string{
				"unused-suppression 8 suppression of sleep-under-spinlock is not used; remove it",
				"bad-suppression 9 suppression of lock-balance has no reason",
			},
		},
		{
			name: "wrong rule, wrong line, other file and missing reason are kept",
			in: []Finding{
				find("double-acquire", 3), // line 3 suppresses lock-balance only
				find("lock-balance", 4),   // the comment line itself, not its target
				find("lock-balance", 9),   // the suppression without a reason does not suppress
				{Rule: "lock-balance", File: "g.c", Line: 3},
			},
			wantKept: []Finding{
				find("double-acquire", 3),
				find("lock-balance", 4),
				find("lock-balance", 9),
				{Rule: "lock-balance", File: "g.c", Line: 3},
			},
			wantProblems: []string{
				"unused-suppression 3 suppression of lock-balance is not used; remove it",
				"unused-suppression 4 suppression of double-acquire is not used; remove it",
				"unused-suppression 4 suppression of order-inversion is not used; remove it",
				"unused-suppression 6 suppression of all is not used; remove it",
				"unused-suppression 8 suppression of sleep-under-spinlock is not used; remove it",
				"bad-suppression 9 suppression of lock-balance has no reason",
			},
		},
		{
			name: "one id of two used",
			in: []Finding{
				find("lock-balance", 3), find("double-acquire", 5), find("x", 7), find("sleep-under-spinlock", 8),
			},
			wantProblems: []string{
				"unused-suppression 4 suppression of order-inversion is not used; remove it",
				"bad-suppression 9 suppression of lock-balance has no reason",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sups := ScanSuppressions("f.c", []byte(src))
			if len(sups) != 5 {
				t.Fatalf("scanned %d suppressions, want 5: %+v", len(sups), sups)
			}
			kept, problems := ApplySuppressions(tt.in, sups)
			if len(kept) == 0 {
				kept = nil
			}
			if !reflect.DeepEqual(kept, tt.wantKept) {
				t.Errorf("kept\n got %+v\nwant %+v", kept, tt.wantKept)
			}
			var got []string
			for _, p := range problems {
				if p.File != "f.c" {
					t.Errorf("problem %+v: file %q, want f.c", p, p.File)
				}
				want := rules.Warning
				if p.Rule == RuleBadSuppression {
					want = rules.Error
				}
				if p.Severity != want {
					t.Errorf("problem %+v: severity %q, want %q", p, p.Severity, want)
				}
				got = append(got, p.Rule+" "+strconv.Itoa(p.Line)+" "+p.Message)
			}
			if len(got) != len(tt.wantProblems) {
				t.Fatalf("problems\n got %q\nwant %q", got, tt.wantProblems)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.wantProblems[i]) {
					t.Errorf("problem %d\n got %q\nwant prefix %q", i, got[i], tt.wantProblems[i])
				}
			}
			for _, s := range sups {
				usedAny := false
				for _, p := range problems {
					if p.Line == s.Line && p.Rule == RuleUnusedSuppression {
						usedAny = true
					}
				}
				if s.Problem != "" && s.Used {
					t.Errorf("bad suppression at line %d marked used", s.Line)
				}
				if s.Problem == "" && !s.Used && !usedAny {
					t.Errorf("suppression at line %d neither used nor reported", s.Line)
				}
			}
		})
	}
}

func BenchmarkScanSuppressionsNone(b *testing.B) {
	src := []byte(strings.Repeat("\tspin_lock(&foo->lock); /* a comment */\n", 20000))
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ { // not b.Loop: the module builds with Go 1.23
		ScanSuppressions("x.c", src)
	}
}
