package report

import (
	"encoding/json"
	"io"
)

// jsonVersion is the version of the json format's schema.
const jsonVersion = 1

type jsonResult struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Inputs   []jsonInput   `json:"inputs"`
	Stats    jsonStats     `json:"stats"`
}

type jsonFinding struct {
	Rule     string     `json:"rule"`
	Severity string     `json:"severity"`
	Message  string     `json:"message"`
	File     string     `json:"file"`
	Line     int        `json:"line"`
	Column   int        `json:"column"`
	Function string     `json:"function"`
	Status   string     `json:"status"`
	Patch    *jsonPatch `json:"patch"`
	Hunk     *jsonHunk  `json:"hunk"`
	Trace    []jsonNote `json:"trace"`
}

type jsonPatch struct {
	Index     int    `json:"index"`
	Total     int    `json:"total"`
	Subject   string `json:"subject"`
	MessageID string `json:"message_id"`
}

type jsonHunk struct {
	Header   string `json:"header"`
	OldStart int    `json:"old_start"`
	NewStart int    `json:"new_start"`
}

type jsonNote struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Note string `json:"note"`
}

type jsonInput struct {
	Path             string   `json:"path"`
	Patches          int      `json:"patches"`
	Hunks            int      `json:"hunks"`
	HunksUnrecovered int      `json:"hunks_unrecovered"`
	HunksFragments   int      `json:"hunks_fragments"`
	Tree             *string  `json:"tree"`
	Diagnostics      []string `json:"diagnostics"`
}

type jsonStats struct {
	Files                    int   `json:"files"`
	Functions                int   `json:"functions"`
	FunctionsWithParseErrors int   `json:"functions_with_parse_errors"`
	ElapsedMS                int64 `json:"elapsed_ms"`
}

// writeJSON writes every finding, fixed ones included, and the inputs and
// stats, as one indented JSON object.
func writeJSON(w io.Writer, r *Result, o Options) error {
	out := jsonResult{
		Version:  jsonVersion,
		Findings: []jsonFinding{},
		Inputs:   []jsonInput{},
		Stats: jsonStats{
			Files:                    r.Stats.Files,
			Functions:                r.Stats.Functions,
			FunctionsWithParseErrors: r.Stats.FunctionsWithParseErrors,
			ElapsedMS:                r.Stats.ElapsedMS,
		},
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		jf := jsonFinding{
			Rule: f.Rule, Severity: string(f.Severity), Message: f.Message,
			File: f.File, Line: f.Line, Column: f.Column, Function: f.Function,
			Status: status(f), Trace: []jsonNote{},
		}
		if p := f.Patch; p != nil {
			jf.Patch = &jsonPatch{Index: p.Index, Total: p.Total, Subject: p.Subject, MessageID: p.MessageID}
		}
		if h := f.Hunk; h != nil {
			jf.Hunk = &jsonHunk{Header: h.Header, OldStart: h.OldStart, NewStart: h.NewStart}
		}
		for _, n := range f.Trace {
			jf.Trace = append(jf.Trace, jsonNote{File: n.File, Line: n.Line, Note: n.Note})
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, in := range r.Inputs {
		ji := jsonInput{Path: in.Path, Patches: in.Patches, Hunks: in.Hunks, HunksUnrecovered: in.HunksUnrecovered,
			HunksFragments: in.HunksFragments, Diagnostics: []string{}}
		if in.Tree != "" {
			tree := in.Tree
			ji.Tree = &tree
		}
		ji.Diagnostics = append(ji.Diagnostics, in.Diagnostics...)
		out.Inputs = append(out.Inputs, ji)
	}
	return encodeJSON(w, out)
}

// encodeJSON writes v indented by two spaces, with a trailing newline and
// without HTML escaping (messages hold `->` and `<`).
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
