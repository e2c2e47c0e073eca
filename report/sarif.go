package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/locklint/locklint/rules"
)

const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/locklint/locklint"
	// fingerprintKey names locklint's partial fingerprint in results.
	fingerprintKey = "locklint/v1"
	srcRoot        = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string                `json:"name"`
	Version        string                `json:"version"`
	InformationURI string                `json:"informationUri"`
	Rules          []sarifRuleDescriptor `json:"rules"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	DefaultConfiguration *sarifRuleConfig   `json:"defaultConfiguration,omitempty"`
	Properties           *sarifRuleProperty `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Source string `json:"source,omitempty"`
	Kind   string `json:"kind,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string              `json:"ruleId"`
	RuleIndex           int                 `json:"ruleIndex"`
	Level               string              `json:"level"`
	Message             sarifMessage        `json:"message"`
	Locations           []sarifLocation     `json:"locations"`
	CodeFlows           []sarifCodeFlow     `json:"codeFlows,omitempty"`
	PartialFingerprints map[string]string   `json:"partialFingerprints"`
	BaselineState       string              `json:"baselineState,omitempty"`
	Properties          sarifResultProperty `json:"properties"`
}

type sarifResultProperty struct {
	Status string     `json:"status"`
	Patch  *jsonPatch `json:"patch,omitempty"`
	Hunk   *jsonHunk  `json:"hunk,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *sarifMessage          `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type sarifCodeFlow struct {
	ThreadFlows []sarifThreadFlow `json:"threadFlows"`
}

type sarifThreadFlow struct {
	Locations []sarifThreadFlowLocation `json:"locations"`
}

type sarifThreadFlowLocation struct {
	Location sarifLocation `json:"location"`
}

// sarifLevel maps a severity to a sarif level.
func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

// sarifBaseline maps a finding's status to a sarif baselineState.
func sarifBaseline(status string) string {
	switch status {
	case StatusIntroduced:
		return "new"
	case StatusPreexisting:
		return "unchanged"
	case StatusFixed:
		return "absent"
	}
	return ""
}

// writeSARIF writes one SARIF 2.1.0 run: a descriptor for every rule in
// effect, a result per finding, and the input diagnostics as tool
// execution notifications.
func writeSARIF(w io.Writer, r *Result, o Options) error {
	set, err := ruleSet(o)
	if err != nil {
		return err
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	descs := map[string]sarifRuleDescriptor{}
	for _, id := range RuleIDs(set) {
		descs[id] = ruleDescriptor(id, ruleEntries(set, id))
	}
	// A finding of a rule the set does not know still needs a descriptor
	// for its ruleIndex.
	for i := range r.Findings {
		f := &r.Findings[i]
		if _, ok := descs[f.Rule]; !ok {
			descs[f.Rule] = sarifRuleDescriptor{ID: f.Rule, Name: camel(f.Rule),
				DefaultConfiguration: &sarifRuleConfig{Level: sarifLevel(f.Severity)}}
		}
	}
	ids := make([]string, 0, len(descs))
	for id := range descs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "locklint", Version: version, InformationURI: informationURI,
			Rules: make([]sarifRuleDescriptor, 0, len(ids))}},
		Results: []sarifResult{},
	}
	for i, id := range ids {
		index[id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, descs[id])
	}

	for i := range r.Findings {
		f := &r.Findings[i]
		if fixed(f) && !o.ShowFixed {
			continue
		}
		loc := sarifLocation{PhysicalLocation: physical(f.File, f.Line, max(f.Column, 1))}
		if f.Function != "" {
			loc.LogicalLocations = []sarifLogicalLocation{{Name: f.Function, Kind: "function"}}
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifMessage{Text: f.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{fingerprintKey: fingerprint(f)},
			BaselineState:       sarifBaseline(f.Status),
			Properties:          sarifResultProperty{Status: status(f)},
		}
		if len(f.Trace) > 0 {
			tf := sarifThreadFlow{}
			for _, n := range f.Trace {
				tf.Locations = append(tf.Locations, sarifThreadFlowLocation{Location: sarifLocation{
					PhysicalLocation: physical(n.File, n.Line, 0),
					Message:          &sarifMessage{Text: n.Note},
				}})
			}
			res.CodeFlows = []sarifCodeFlow{{ThreadFlows: []sarifThreadFlow{tf}}}
		}
		if p := f.Patch; p != nil {
			res.Properties.Patch = &jsonPatch{Index: p.Index, Total: p.Total, Subject: p.Subject, MessageID: p.MessageID}
		}
		if h := f.Hunk; h != nil {
			res.Properties.Hunk = &jsonHunk{Header: h.Header, OldStart: h.OldStart, NewStart: h.NewStart}
		}
		run.Results = append(run.Results, res)
	}

	var notes []sarifNotification
	for _, in := range r.Inputs {
		for _, s := range in.Diagnostics {
			d := parseDiag(in, s)
			n := sarifNotification{Level: "warning", Message: sarifMessage{Text: d.Text}}
			if d.Error {
				n.Level = "error"
			}
			if d.File != "" && d.File != "-" {
				n.Locations = []sarifLocation{{PhysicalLocation: physical(d.File, d.Line, 0)}}
			}
			notes = append(notes, n)
		}
	}
	if len(notes) > 0 {
		run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: notes}}
	}

	return encodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// ruleDescriptor describes a rule from its entries (one per era).
func ruleDescriptor(id string, entries []*rules.Rule) sarifRuleDescriptor {
	d := sarifRuleDescriptor{ID: id, Name: camel(id)}
	if len(entries) == 0 {
		return d
	}
	first := entries[0]
	d.ShortDescription = &sarifMessage{Text: first.Message}
	var full []string
	for _, r := range entries {
		s := describe(r)
		if len(entries) > 1 && len(r.When) > 0 {
			s = "When the input calls " + strings.Join(r.When, ", ") + ", " + s
		} else {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		full = append(full, s)
	}
	d.FullDescription = &sarifMessage{Text: strings.Join(full, " ")}
	d.Help = &sarifMessage{Text: strings.TrimRight(helpText(entries), "\n") + "\n", Markdown: helpMarkdown(entries)}
	d.DefaultConfiguration = &sarifRuleConfig{Level: sarifLevel(first.Severity)}
	d.Properties = &sarifRuleProperty{Source: first.Source, Kind: first.Kind}
	return d
}

// describe says in a sentence or two what a rule checks and which
// document it comes from.
func describe(r *rules.Rule) string {
	pats := func(ps []rules.Pattern) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.Src)
		}
		return strings.Join(s, ", ")
	}
	locks := "the " + strings.Join(r.Locks, " or ") + " lock"
	var what string
	switch r.Kind {
	case rules.KindGuarded:
		access := "writes to"
		if r.Reads {
			access = "reads and writes of"
		}
		what = fmt.Sprintf("checks that %s %s are made holding %s", access, strings.Join(r.Fields, ", "), locks)
	case rules.KindRequires:
		what = fmt.Sprintf("checks that calls to %s are made holding %s", pats(r.Calls), locks)
	case rules.KindOrder:
		what = fmt.Sprintf("checks that the locks %s are taken in that order", strings.Join(r.Order, " -> "))
	case rules.KindForbidUnder:
		what = fmt.Sprintf("checks that %s are not called while holding %s", pats(r.Calls), locks)
	case rules.KindForbidCall:
		what = fmt.Sprintf("checks that %s are not called", pats(r.Calls))
	case rules.KindCallOrder:
		what = fmt.Sprintf("checks that on every path one of %s comes before %s", pats(r.First), pats(r.Calls))
	default:
		what = "built-in check: " + firstSentence(r.Explain, r.Message)
	}
	if len(r.In) > 0 {
		what += " (in " + strings.Join(r.In, ", ") + ")"
	}
	what = strings.TrimSuffix(what, ".") + "."
	if src := strings.TrimRight(strings.TrimSpace(r.Source), "."); src != "" {
		what += " Source: " + src + "."
	}
	return what
}

// firstSentence is the first sentence of text, or else fallback.
func firstSentence(text, fallback string) string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return strings.Join(strings.Fields(fallback), " ")
	}
	if i := strings.Index(text, ". "); i >= 0 {
		return text[:i+1]
	}
	return text
}

// camel turns a rule id into a sarif rule name: vma-list-modify ->
// VmaListModify.
func camel(id string) string {
	var sb strings.Builder
	up := true
	for _, c := range id {
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			up = true
		case up && c >= 'a' && c <= 'z':
			sb.WriteRune(c - 'a' + 'A')
			up = false
		default:
			sb.WriteRune(c)
			up = false
		}
	}
	return sb.String()
}

// physical is a sarif physical location; line 0 leaves out the region,
// column 0 the start column (the whole line).
func physical(file string, line, col int) *sarifPhysicalLocation {
	uri, base := sarifURI(file)
	p := &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base}}
	if line > 0 {
		p.Region = &sarifRegion{StartLine: line, StartColumn: col}
	}
	return p
}

// sarifURI is a file's uri: a relative reference against %SRCROOT% for a
// relative path, a file: uri for an absolute one.
func sarifURI(file string) (uri, base string) {
	p := filepath.ToSlash(file)
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	if path.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: p}).String(), ""
	}
	return (&url.URL{Path: p}).String(), srcRoot
}

// fingerprint is a hash of what identifies a finding across runs and
// line moves: rule, file, function and message.
func fingerprint(f *Finding) string {
	h := sha256.Sum256([]byte(f.Rule + "\x00" + filepath.ToSlash(f.File) + "\x00" + f.Function + "\x00" + f.Message))
	return hex.EncodeToString(h[:16])
}
