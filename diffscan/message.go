package diffscan

// Message is one mail message, decoded: headers unfolded and decoded
// (RFC 2047), the body's text parts concatenated and converted to UTF-8
// (quoted-printable and base64 undone, charsets converted). Input that has
// no mail headers at all (a bare diff, a page saved from an archive) is one
// Message with empty headers.
type Message struct {
	// Source is the input path ("-" for stdin) and Index the message's
	// position in it, from 0.
	Source string
	Index  int
	// Line is the line of the input where the message starts (1-based);
	// BodyLine where its body starts. Diagnostics use them.
	Line, BodyLine int

	Subject   string
	From      string
	Date      string
	MessageID string // without angle brackets
	InReplyTo string // without angle brackets

	// Body is the decoded text. Lines end in "\n" (CRLF already undone
	// here only when the whole message used CRLF; repair handles strays).
	Body string
}

// Subject is what a patch subject line says.
type Subject struct {
	// Tags are the bracketed prefix words other than the version and
	// index: "PATCH", "RFC", "net-next", ...
	Tags []string
	// Version is the series version (v5 -> 5), 1 when not given.
	Version int
	// Index and Total are from "3/14"; both 0 when absent.
	Index, Total int
	// Reply is set for "Re:" (any case, repeated, "AW:", "SV:" too).
	Reply bool
	// Title is the subject without "Re:" and the bracketed prefixes.
	Title string
	// Patch is set when a bracketed prefix names PATCH (or RFC PATCH).
	Patch bool
}

// Cover reports whether a subject is a cover letter: index 0 of a series.
func (s Subject) Cover() bool { return s.Patch && s.Index == 0 && s.Total > 0 }
