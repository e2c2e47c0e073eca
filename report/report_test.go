package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/locklint/locklint/rules"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// plainResult is a plain C run: three findings in two files, with traces.
func plainResult() *Result {
	return &Result{
		Findings: []Finding{
			{Rule: "vma-list-modify", Severity: rules.Error, Message: "write to vma->vm_start of a vma in the list without the vmlist lock",
				File: "mm/mprotect.c", Line: 124, Column: 2, Function: "mprotect_fixup_end", Status: "unknown",
				Trace: []Note{
					{File: "mm/mprotect.c", Line: 118, Note: "vmlist_modify_lock(vma->vm_mm) released here"},
					{File: "mm/mprotect.c", Line: 133, Note: "insert_vm_struct(current->mm, n) publishes the vma here"},
				}},
			{Rule: "lock-mismatch", Severity: rules.Warning, Message: "releases vmlist_modify_unlock(vma->vm_mm) but the vmlist lock held here is current->mm",
				File: "mm/mremap.c", Line: 147, Column: 1, Function: "move_vma",
				Trace: []Note{{File: "mm/mremap.c", Line: 130, Note: "vmlist_modify_lock(current->mm) taken here"}}},
			{Rule: "sleep-under-spinlock", Severity: rules.Error, Message: "down(&mm->mmap_sem) may sleep, called while holding spinlock mm->page_table_lock",
				File: "mm/mremap.c", Line: 210, Column: 3, Function: "move_page_tables",
				Trace: []Note{
					{File: "mm/mremap.c", Line: 201, Note: "spin_lock(&mm->page_table_lock) taken here"},
					{File: "include/linux/mm.h", Note: "down() is declared to sleep <might_sleep>"},
				}},
		},
		Stats: Stats{Files: 2, Functions: 20, FunctionsWithParseErrors: 1},
	}
}

// seriesResult is a [PATCH v2 n/3] series: findings in patches 1 and 3,
// several hunks, one finding outside any hunk, one the series fixes, and
// an input with diagnostics.
func seriesResult() *Result {
	p1 := &PatchRef{Index: 1, Total: 3, Version: 2, Subject: "mm/mmap: split vma_adjust", MessageID: "<20240101120000.1-v2@example.org>"}
	p3 := &PatchRef{Index: 3, Total: 3, Version: 2, Subject: "mm/mremap: move ptes without the rmap lock", MessageID: "<20240101120000.3-v2@example.org>"}
	h1 := &HunkRef{Header: "@@ -120,7 +124,10 @@", OldStart: 120, NewStart: 124}
	h2 := &HunkRef{Header: "@@ -300,6 +304,8 @@", OldStart: 300, NewStart: 304}
	h3 := &HunkRef{Header: "@@ -140,9 +140,12 @@", OldStart: 140, NewStart: 140}
	h4 := &HunkRef{Header: "@@ -205,4 +209,3 @@", OldStart: 205, NewStart: 209}
	return &Result{
		Findings: []Finding{
			{Rule: "vma-adjust-anon-vma", Severity: rules.Error, Message: "vma_adjust writes vma->vm_end without the anon_vma lock",
				File: "mm/mmap.c", Line: 126, Column: 3, Function: "__vma_adjust", Status: "introduced", Patch: p1, Hunk: h1,
				Trace: []Note{{File: "mm/mmap.c", Line: 122, Note: "anon_vma_unlock_write(anon_vma) released here"}}},
			{Rule: "lock-mismatch", Severity: rules.Warning, Message: "releases vmlist_modify_unlock(vma->vm_mm) but the vmlist lock held here is mm",
				File: "mm/mmap.c", Line: 40, Column: 1, Function: "vma_link", Status: "preexisting", Patch: p1,
				Trace: []Note{{File: "mm/mmap.c", Line: 31, Note: "vmlist_modify_lock(mm) taken here"}}},
			{Rule: "vma-list-modify", Severity: rules.Error, Message: "write to vma->vm_pgoff of a vma in the tree without mmap_lock held for write",
				File: "mm/mmap.c", Line: 306, Column: 2, Function: "split_vma", Status: "introduced", Patch: p1, Hunk: h2},
			{Rule: "mremap-move-ptes-anon-vma", Severity: rules.Error, Message: "move_ptes moves ptes (ptep_get_and_clear) without the anon_vma lock, held neither here nor by any caller",
				File: "mm/mremap.c", Line: 147, Column: 9, Function: "move_ptes", Status: "introduced", Patch: p3, Hunk: h3,
				Trace: []Note{
					{File: "mm/mremap.c", Line: 141, Note: "take_rmap_locks(vma) removed by this patch"},
					{File: "mm/mremap.c", Line: 260, Note: "caller move_page_tables does not hold it either"},
				}},
			{Rule: "order-inversion", Severity: rules.Warning, Message: "old_ptl taken while holding new_ptl, but elsewhere they are taken the other way round",
				File: "mm/mremap.c", Line: 151, Column: 2, Function: "move_ptes", Status: "unknown", Patch: p3, Hunk: h3},
			{Rule: "lock-balance", Severity: rules.Error, Message: "mm->page_table_lock acquired here is still held when the function returns",
				File: "mm/mremap.c", Line: 211, Column: 2, Function: "move_page_tables", Status: "fixed", Patch: p3, Hunk: h4},
		},
		Inputs: []Input{{
			Path: "series.mbox", Patches: 3, Hunks: 7, HunksUnrecovered: 1,
			Diagnostics: []string{
				"series.mbox:88: warning: (mm/mmap: split vma_adjust) mm/mmap.c @@ -300,6 +304,8 @@ hunk line counts repaired (header said 6, body has 7)",
				"series.mbox:412: error: (message 2) mm/rmap.c @@ -50,3 +50,4 @@ hunk body truncated; hunk dropped",
			},
		}},
		Stats: Stats{Files: 2, Functions: 14},
	}
}

func defaultRules(t *testing.T) *rules.Set {
	t.Helper()
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

type goldenCase struct {
	file string // under testdata/golden
	r    *Result
	o    Options
}

func goldenCases(t *testing.T) []goldenCase {
	set := defaultRules(t)
	var cases []goldenCase
	for _, format := range Formats() {
		for _, in := range []struct {
			name string
			r    *Result
		}{{"plain", plainResult()}, {"series", seriesResult()}} {
			cases = append(cases, goldenCase{in.name + "." + format, in.r, Options{Format: format, Rules: set, Version: "1.2.3-test"}})
		}
	}
	cases = append(cases,
		goldenCase{"series-fixed.text", seriesResult(), Options{Format: "text", ShowFixed: true}},
		goldenCase{"series-color.text", seriesResult(), Options{Format: "text", Color: true, ShowFixed: true}},
		goldenCase{"plain-color.text", plainResult(), Options{Color: true}},
		goldenCase{"series-fixed.sarif", seriesResult(), Options{Format: "sarif", Rules: set, ShowFixed: true}},
	)
	return cases
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.r, c.o); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", c.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report -update)", err)
			}
			if got := buf.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test ./report -update rewrites it):\n%s", c.file, firstDiff(string(want), string(got)))
			}
		})
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return "(no line differs)"
}

func TestFormats(t *testing.T) {
	got := append([]string(nil), Formats()...)
	var want []string
	for f := range writers {
		want = append(want, f)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Formats() = %v, writers = %v", got, want)
	}
	if Formats()[0] != "text" {
		t.Errorf("default format first: got %q", Formats()[0])
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, plainResult(), Options{Format: "yaml"})
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Fatalf("Write with format yaml: err = %v, want an unknown-format error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q for an unknown format", buf.String())
	}
}

func TestWriteDefaultIsText(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, plainResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, plainResult(), Options{Format: "text"}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("format \"\" wrote\n%s\nformat text wrote\n%s", a.String(), b.String())
	}
}

func TestWriteNilAndEmpty(t *testing.T) {
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := Write(&buf, nil, Options{Format: f}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if buf.Len() == 0 && f != "github" {
			t.Errorf("%s: wrote nothing for an empty result", f)
		}
	}
	var buf bytes.Buffer
	Write(&buf, &Result{}, Options{Format: "json"})
	var v map[string]any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if f, ok := v["findings"].([]any); !ok || len(f) != 0 {
		t.Errorf("findings = %#v, want []", v["findings"])
	}
	if in, ok := v["inputs"].([]any); !ok || len(in) != 0 {
		t.Errorf("inputs = %#v, want []", v["inputs"])
	}
}

func TestSummary(t *testing.T) {
	for _, c := range []struct {
		r    *Result
		want string
	}{
		{&Result{}, "0 errors, 0 warnings in 0 files"},
		{&Result{Findings: []Finding{{Severity: rules.Error}, {Severity: rules.Warning}}, Stats: Stats{Files: 1}},
			"1 error, 1 warning in 1 file"},
		{&Result{Findings: []Finding{{Severity: rules.Error}, {Severity: rules.Error}, {Severity: rules.Error, Status: "fixed"}},
			Inputs: []Input{{Patches: 1, Hunks: 1}}, Stats: Stats{Files: 3}},
			"2 errors, 0 warnings in 3 files, 1 patch, 1 hunk (0 unrecovered), 1 fixed"},
		{&Result{Inputs: []Input{{Patches: 2, Hunks: 5, HunksUnrecovered: 1}, {Patches: 1, Hunks: 2}}},
			"0 errors, 0 warnings in 0 files, 3 patches, 7 hunks (1 unrecovered, not checked)"},
	} {
		if got := summary(c.r); got != c.want {
			t.Errorf("summary = %q, want %q", got, c.want)
		}
	}
}

// The text output says when hunks were read without their code around
// them, and says nothing when none were.
func TestTextSaysFragments(t *testing.T) {
	for _, c := range []struct {
		in   []Input
		want string
	}{
		{[]Input{{Patches: 1, Hunks: 3, HunksFragments: 2}, {Patches: 1, Hunks: 5, HunksFragments: 5}},
			"7 hunks analyzed as fragments, without the code around them"},
		{[]Input{{Patches: 1, Hunks: 1, HunksFragments: 1}}, "\n1 hunk analyzed as fragments"},
		{[]Input{{Patches: 1, Hunks: 3, Tree: "."}}, ""},
		{[]Input{{Patches: 1, Hunks: 3, Tree: ".", HunksFragments: 1}}, "1 hunk analyzed as fragments, without the code around them: their files are not in the tree"},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, &Result{Inputs: c.in}, Options{}); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); c.want == "" && strings.Contains(got, "fragments") || !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPatchHeader(t *testing.T) {
	for _, c := range []struct {
		p    PatchRef
		want string
	}{
		{PatchRef{Index: 3, Total: 14, Version: 5, Subject: "s"}, "[PATCH v5 3/14] s"},
		{PatchRef{Index: 3, Total: 14, Version: 1, Subject: "s"}, "[PATCH 3/14] s"},
		{PatchRef{Subject: "s", Version: 1}, "[PATCH] s"},
		{PatchRef{Subject: "s"}, "[PATCH] s"},
		{PatchRef{Subject: "s", Version: 3}, "[PATCH v3] s"},
	} {
		if got := patchHeader(&c.p); got != c.want {
			t.Errorf("patchHeader(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestTextHidesFixed(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, seriesResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "fixed:") || strings.Contains(buf.String(), "@@ -205,4 +209,3 @@") {
		t.Errorf("fixed finding (or its hunk) shown without ShowFixed:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "\x1b[") {
		t.Errorf("colour without Options.Color")
	}
}

func TestGitHubEscaping(t *testing.T) {
	r := &Result{Findings: []Finding{{
		Rule: "lock-balance", Severity: rules.Info, Message: "100% held\r\nacross: a, b",
		File: "drivers/a,b:c.c", Line: 7, Column: 3,
		Trace: []Note{{File: "x%.c", Line: 2, Note: "taken, here"}, {File: "y.h", Note: "declared"}},
	}}}
	var buf bytes.Buffer
	if err := Write(&buf, r, Options{Format: "github"}); err != nil {
		t.Fatal(err)
	}
	want := "::notice file=drivers/a%2Cb%3Ac.c,line=7,col=3,title=locklint lock-balance::100%25 held%0D%0Aacross: a, b%0Ax%25.c:2: note: taken, here%0Ay.h: note: declared\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
	if got, want := escapeProperty("a:b,c%d\r\ne"), "a%3Ab%2Cc%25d%0D%0Ae"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	if got, want := escapeData("a:b,c%d\r\ne"), "a:b,c%25d%0D%0Ae"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
}

func TestParseDiag(t *testing.T) {
	in := Input{Path: "s.mbox"}
	for _, c := range []struct {
		s    string
		want diag
	}{
		{"s.mbox:12: warning: (subj) a.c text", diag{File: "s.mbox", Line: 12, Text: "(subj) a.c text"}},
		{"s.mbox: error: truncated", diag{File: "s.mbox", Error: true, Text: "truncated"}},
		{"-:3: error: x: y", diag{File: "-", Line: 3, Error: true, Text: "x: y"}},
		{"something odd", diag{File: "s.mbox", Text: "something odd"}},
	} {
		if got := parseDiag(in, c.s); got != c.want {
			t.Errorf("parseDiag(%q) = %+v, want %+v", c.s, got, c.want)
		}
	}
}

func TestCheckstyleIsXML(t *testing.T) {
	for _, r := range []*Result{plainResult(), seriesResult()} {
		var buf bytes.Buffer
		if err := Write(&buf, r, Options{Format: "checkstyle"}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Version string `xml:"version,attr"`
			Files   []struct {
				Name   string `xml:"name,attr"`
				Errors []struct {
					Line     int    `xml:"line,attr"`
					Severity string `xml:"severity,attr"`
					Message  string `xml:"message,attr"`
					Source   string `xml:"source,attr"`
				} `xml:"error"`
			} `xml:"file"`
		}
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		n := 0
		for _, f := range doc.Files {
			for _, e := range f.Errors {
				if strings.HasPrefix(e.Source, "locklint.") && e.Source != "locklint.input" {
					n++
				}
			}
		}
		want := 0
		for _, f := range r.Findings {
			if f.Status != "fixed" {
				want++
			}
		}
		if n != want {
			t.Errorf("%d findings in checkstyle, want %d", n, want)
		}
		for _, f := range doc.Files {
			for _, e := range f.Errors {
				if strings.Contains(e.Message, "&mm") && !strings.Contains(buf.String(), "&amp;mm") {
					t.Errorf("& not escaped")
				}
			}
		}
	}
}

// TestSARIFSchema validates the sarif output against the SARIF 2.1.0
// JSON schema (testdata/sarif-schema-2.1.0.json, see testdata/README.md).
func TestSARIFSchema(t *testing.T) {
	sch := loadSARIFSchema(t)
	set := defaultRules(t)
	for _, c := range []struct {
		name string
		r    *Result
		o    Options
	}{
		{"plain", plainResult(), Options{Rules: set}},
		{"series", seriesResult(), Options{Rules: set}},
		{"series-fixed", seriesResult(), Options{Rules: set, ShowFixed: true, Version: "0.1.0"}},
		{"empty", &Result{}, Options{}},
		{"odd paths", &Result{Findings: []Finding{
			{Rule: "no-such-rule", Severity: rules.Info, Message: "m", File: "/abs/dir with space/a.c", Line: 1},
			{Rule: "lock-balance", Severity: rules.Error, Message: "m", File: "./weird:name#1%.c", Line: 3, Column: 0,
				Trace: []Note{{File: `dir\win.c`, Note: "no line"}}},
		}}, Options{Rules: set}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.Format = "sarif"
			var buf bytes.Buffer
			if err := Write(&buf, c.r, c.o); err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("sarif output is not valid SARIF 2.1.0: %v\n%s", err, buf.String())
			}
			checkSARIF(t, c.r, c.o, buf.Bytes())
		})
	}
}

// TestSARIFSchemaRejects makes sure the validation above can fail: the
// output with one field broken must not validate.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := loadSARIFSchema(t)
	var buf bytes.Buffer
	if err := Write(&buf, seriesResult(), Options{Format: "sarif", Rules: defaultRules(t)}); err != nil {
		t.Fatal(err)
	}
	for name, breakIt := range map[string]func(m map[string]any){
		"level":     func(m map[string]any) { result(m)["level"] = "fatal" },
		"startLine": func(m map[string]any) { loc(m)["startLine"] = 0 },
		"version":   func(m map[string]any) { delete(m, "version") },
		"message":   func(m map[string]any) { result(m)["message"] = "text" },
		"baseline":  func(m map[string]any) { result(m)["baselineState"] = "fixed" },
	} {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		breakIt(m)
		b, _ := json.Marshal(m)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err == nil {
			t.Errorf("broken %s: the schema accepted it", name)
		}
	}
}

func result(m map[string]any) map[string]any {
	return m["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
}

func loc(m map[string]any) map[string]any {
	return result(m)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
}

func loadSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// checkSARIF checks what the schema cannot: every rule is described,
// ruleIndex points at the rule, fingerprints are stable.
func checkSARIF(t *testing.T, r *Result, o Options, out []byte) {
	t.Helper()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string
					Rules   []struct {
						ID   string
						Help struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID              string
				RuleIndex           int
				PartialFingerprints map[string]string
				CodeFlows           []any
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs", len(log.Runs))
	}
	run := log.Runs[0]
	if o.Version == "" && run.Tool.Driver.Version != "dev" {
		t.Errorf("driver version %q, want dev", run.Tool.Driver.Version)
	}
	set := o.Rules
	if set == nil {
		set = defaultRules(t)
	}
	have := map[string]bool{}
	var ids []string
	for _, d := range run.Tool.Driver.Rules {
		have[d.ID] = true
		ids = append(ids, d.ID)
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("rules not sorted by id: %v", ids)
	}
	for _, r := range append(append([]*rules.Rule(nil), set.Rules...), rules.Builtins...) {
		if !have[r.ID] {
			t.Errorf("no reportingDescriptor for rule %s", r.ID)
		}
	}
	for _, d := range run.Tool.Driver.Rules {
		if len(ruleEntries(set, d.ID)) > 0 && !strings.HasPrefix(d.Help.Text, d.ID+" (") {
			t.Errorf("rule %s: help text %q", d.ID, d.Help.Text)
		}
	}
	var shown []Finding
	for _, f := range r.Findings {
		if f.Status != "fixed" || o.ShowFixed {
			shown = append(shown, f)
		}
	}
	if len(run.Results) != len(shown) {
		t.Fatalf("%d results, want %d", len(run.Results), len(shown))
	}
	for i, res := range run.Results {
		if res.RuleID != shown[i].Rule || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleId %s, ruleIndex %d -> %s", i, res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if fp := res.PartialFingerprints["locklint/v1"]; fp == "" || fp != fingerprint(&shown[i]) {
			t.Errorf("result %d: fingerprint %q", i, fp)
		}
		if (len(res.CodeFlows) > 0) != (len(shown[i].Trace) > 0) {
			t.Errorf("result %d: %d codeFlows for a trace of %d", i, len(res.CodeFlows), len(shown[i].Trace))
		}
	}
}

func TestFingerprintStable(t *testing.T) {
	a := plainResult().Findings[0]
	b := a
	b.Line, b.Column, b.Trace = 500, 7, nil
	if fingerprint(&a) != fingerprint(&b) {
		t.Errorf("fingerprint changes with the line")
	}
	b.Function = "other"
	if fingerprint(&a) == fingerprint(&b) {
		t.Errorf("fingerprint ignores the function")
	}
}

func TestColorWantedNotTerminal(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if ColorWanted(w) {
		t.Errorf("ColorWanted(pipe) = true")
	}
	if ColorWanted(nil) {
		t.Errorf("ColorWanted(nil) = true")
	}
}
