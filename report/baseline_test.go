package report

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/locklint/locklint/rules"
)

// memLines serves lines from in-memory files.
func memLines(files map[string]string) func(string, int) string {
	return func(file string, line int) string {
		lines := strings.Split(files[file], "\n")
		if line < 1 || line > len(lines) {
			return ""
		}
		return lines[line-1]
	}
}

func TestBaselineFilter(t *testing.T) {
	const before = "void f(void)\n{\n\tspin_lock(&a);\n\tspin_lock(&a);\n\treturn;\n}\n"
	old := []Finding{
		{Rule: "double-acquire", Severity: rules.Error, File: "f.c", Line: 4, Function: "f", Message: "a acquired twice"},
		{Rule: "lock-balance", Severity: rules.Error, File: "f.c", Line: 5, Function: "f", Message: "a held at return"},
		{Rule: "lock-balance", Severity: rules.Error, File: "f.c", Line: 5, Function: "f", Message: "a held at return"},
	}
	b := NewBaseline(old, memLines(map[string]string{"f.c": before}), nil)
	if len(b.Entries) != 2 || b.Entries[1].Count != 2 || b.Entries[0].Text != "spin_lock(&a);" {
		t.Fatalf("NewBaseline = %+v", b)
	}

	moved := strings.Repeat("\n", 10) + "void f(void)\n{\n\tspin_lock(&a);\n\tspin_lock(&a);\n\treturn;\n}\n"
	tests := []struct {
		name        string
		src         string
		in          []Finding
		wantKept    []int // indexes into in
		wantMatched int
	}{
		{"unchanged", before, old, nil, 3},
		{"moved 10 lines down", moved, []Finding{
			{Rule: "double-acquire", File: "f.c", Line: 14, Function: "f", Message: "a acquired twice (line 13)"},
			{Rule: "lock-balance", File: "f.c", Line: 15, Function: "f"},
			{Rule: "lock-balance", File: "f.c", Line: 15, Function: "f"},
		}, nil, 3},
		{"whitespace changes do not matter", "void f(void)\n{\n  spin_lock(&a);\n    spin_lock(&a);   \n return;\n}\n", old, nil, 3},
		{"a new finding is kept", moved, []Finding{
			{Rule: "double-acquire", File: "f.c", Line: 14, Function: "f"},
			{Rule: "sleep-under-spinlock", File: "f.c", Line: 14, Function: "f"}, // new rule
			{Rule: "double-acquire", File: "f.c", Line: 15, Function: "f"},       // other text
			{Rule: "double-acquire", File: "g.c", Line: 14, Function: "f"},       // other file
			{Rule: "double-acquire", File: "f.c", Line: 14, Function: "g"},       // other function
		}, []int{1, 2, 3, 4}, 1},
		{"a third identical finding is kept", before, []Finding{
			old[1], old[1], old[1],
		}, []int{2}, 2},
		{"counts are per key", before, []Finding{
			old[0], old[0], old[1],
		}, []int{1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := memLines(map[string]string{"f.c": tt.src, "g.c": tt.src})
			kept, matched := b.Filter(tt.in, src, nil)
			var want []Finding
			for _, i := range tt.wantKept {
				want = append(want, tt.in[i])
			}
			if len(kept) == 0 {
				kept = nil
			}
			if !reflect.DeepEqual(kept, want) || matched != tt.wantMatched {
				t.Errorf("Filter = %+v, %d\nwant %+v, %d", kept, matched, want, tt.wantMatched)
			}
		})
	}
}

func TestBaselineUnknownText(t *testing.T) {
	fs := []Finding{{Rule: "r", File: "a.c", Line: 3, Function: "f"}}
	b := NewBaseline(fs, nil, nil)
	if b.Entries[0].Text != "" {
		t.Fatalf("text %q with no line getter", b.Entries[0].Text)
	}
	moved := []Finding{{Rule: "r", File: "a.c", Line: 30, Function: "f"}}
	if kept, n := b.Filter(moved, func(string, int) string { return "" }, nil); len(kept) != 0 || n != 1 {
		t.Errorf("Filter = %v, %d; want all matched", kept, n)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.json")
	src := memLines(map[string]string{
		"b.c": "x\n\tmutex_lock(&m);\n",
		"a.c": "spin_lock(&l);\n",
	})
	fs := []Finding{
		{Rule: "sleep-under-spinlock", File: "b.c", Line: 2, Function: "g", Message: "sleeps"},
		{Rule: "lock-balance", File: "a.c", Line: 1, Function: "f", Message: "held"},
		{Rule: "lock-balance", File: "a.c", Line: 1, Function: "f", Message: "held"},
	}
	b := NewBaseline(fs, src, nil)
	if err := b.Write(path); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("read back %+v\nwrote %+v", got, b)
	}
	// stable: the same findings in another order write the same bytes
	rev := []Finding{fs[2], fs[0], fs[1]}
	if err := NewBaseline(rev, src, nil).Write(path); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if string(first) != string(second) {
		t.Errorf("not stable:\n%s\n%s", first, second)
	}
	want := `{
  "version": 1,
  "entries": [
    {
      "rule": "lock-balance",
      "file": "a.c",
      "function": "f",
      "text": "spin_lock(&l);",
      "message": "held",
      "count": 2
    },
    {
      "rule": "sleep-under-spinlock",
      "file": "b.c",
      "function": "g",
      "text": "mutex_lock(&m);",
      "message": "sleeps",
      "count": 1
    }
  ]
}
`
	if string(first) != want {
		t.Errorf("wrote\n%s\nwant\n%s", first, want)
	}
	if kept, n := got.Filter(fs, src, nil); len(kept) != 0 || n != 3 {
		t.Errorf("Filter after round trip = %v, %d", kept, n)
	}
	// an empty baseline writes an empty list, not null
	if err := NewBaseline(nil, nil, nil).Write(path); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"entries": []`) {
		t.Errorf("empty baseline: %s", data)
	}
}

func TestReadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"bad JSON", "{\n  \"version\": 1,\n  \"entries\": [,]\n}\n", "bad.json:3:15: baseline is not valid JSON"},
		{"empty", "", "bad.json: baseline is empty"},
		{"wrong type", `{"version": "1"}`, "bad.json:1:"},
		{"unknown field", `{"version": 1, "entrys": []}`, `bad.json: baseline: json: unknown field "entrys"`},
		{"version", `{"version": 2, "entries": []}`, "bad.json: baseline version 2 is not supported"},
		{"no rule", `{"version": 1, "entries": [{"file": "a.c"}]}`, "bad.json: baseline entry 1 has no rule or file"},
		{"trailing data", `{"version": 1, "entries": []} {}`, "bad.json: baseline: data after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadBaseline(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("ReadBaseline error %v, want it to name %s and contain %q", err, path, tt.want)
			}
		})
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := ReadBaseline(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSourceLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.c"), []byte("one\n\ttwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	line := SourceLines(dir)
	for _, c := range []struct {
		file string
		n    int
		want string
	}{{"a.c", 1, "one"}, {"a.c", 2, "\ttwo"}, {"a.c", 9, ""}, {"a.c", 0, ""}, {"nope.c", 1, ""}} {
		if got := line(c.file, c.n); got != c.want {
			t.Errorf("line(%q, %d) = %q, want %q", c.file, c.n, got, c.want)
		}
	}
}
