package diffscan

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/locklint/locklint/parse"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// ReadMessages splits one input's bytes into messages and decodes them.
// source names the input in the messages and diagnostics.
//
// What the input is, tried in this order:
//
//   - an mbox: the first non-blank line is a "From " separator (mboxo,
//     mboxrd, b4's "From git@z ...", git format-patch's "From <sha>
//     Mon Sep 17 00:00:00 2001"). A "From " line starts a new message when
//     it follows a blank line and looks like a separator (a date, or mail
//     headers on the next line); format-patch's line always does. The
//     blank line before a separator is not part of the message, and body
//     lines ">From ", ">>From ", ... lose one '>' (mboxrd).
//   - one message (.eml, a format-patch file without its "From " line):
//     the first non-blank line is a mail header such as "From:",
//     "Subject:", "Date:", "Message-ID:", "Received:", "Return-Path:",
//     "Delivered-To:", "MIME-Version:" or "Content-Type:".
//   - a web page (see LooksLikeHTML): its text (HTMLText) is read as
//     above; a header block shown by the archive (two or more header lines
//     among the first lines) is taken as the message's headers, and the
//     page's <title> is the Subject when nothing else gives one. Line
//     numbers still count lines of the page.
//   - anything else: one Message with no headers, Body the whole text,
//     Line and BodyLine 1.
//
// Input with a UTF-16 byte-order mark is converted to UTF-8 first; a
// UTF-8 byte-order mark is dropped.
//
// Each message's headers are unfolded (a fold becomes one space) and
// RFC 2047-decoded; MessageID and InReplyTo lose their angle brackets
// (InReplyTo falls back to the last References id).
//
// The body is text: MIME parts are read recursively (multipart/*,
// message/rfc822); the parts kept are text/plain, the patch types
// (text/x-patch, text/x-diff, application/x-patch, ...) and attachments
// named *.patch or *.diff (and, for a message that is not multipart, any
// text/* type), in order, each ending in a newline, joined with one blank
// line between them. text/html parts are dropped when the message has a
// text/plain part, else turned into text with HTMLText; other parts are
// skipped (a warning when nothing is left). Quoted-printable and base64
// are undone, charsets converted to UTF-8, format=flowed (with DelSp)
// unwrapped. CRLF line ends become LF when every line of the message (or
// of a decoded part) has one; stray CRs stay. U+00A0 becomes a space. A
// non-empty Body ends in "\n". For a plain single-part message, Body's
// lines are the input's lines from BodyLine on, one for one. Empty input
// gives one empty Message.
//
// Diagnostics have Input source, the line when known, and Message the
// message's Subject, else "message N" (N = Index+1) when the input has
// more than one message, else "". Warnings (Error false) say what was kept undecoded or
// repaired: malformed quoted-printable (the lines that fail are kept as
// they are), an unknown charset or transfer encoding (bytes kept), text
// after base64 data (kept), a multipart body without a usable boundary
// (read as text), a header whose encoded words do not decode (kept), a
// message without a text part. Errors (Error true): base64 that does not
// decode (the raw text is kept as the body); MIME parts nested more than
// maxMIMEDepth deep (not read; said once per message). Diagnostics of one
// message that say the same thing are folded into the first, with a
// count. ReadMessages does not panic on any input.
func ReadMessages(source string, data []byte) ([]*Message, []Diag) {
	r := &reader{source: source}
	data = fromUTF16(data)
	s := strings.TrimPrefix(string(data), "\ufeff")
	lines := splitLines(s, nil)
	r.nlines = len(lines)
	if r.nlines == 0 {
		r.nlines = 1
	}
	var ms []*Message
	if k := mboxStart(lines); k >= 0 {
		ms = r.readMbox(lines, k)
	} else if k := headerStart(lines); k >= 0 {
		ms = []*Message{r.readMessage(lines[k:], 0, lines[k].n, false)}
	} else if LooksLikeHTML(data) {
		ms = r.readHTML(s)
	} else {
		ms = []*Message{r.bare(lines)}
	}
	return ms, r.finishDiags(len(ms))
}

// fromUTF16 converts input that starts with a UTF-16 byte-order mark (a
// file saved by a Windows editor) to UTF-8; other input is returned as is.
func fromUTF16(data []byte) []byte {
	if len(data) < 2 || !(data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff) {
		return data
	}
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}

// IsMaildir reports whether dir has cur/ and new/ subdirectories.
func IsMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// ReadMaildir reads the messages in dir/cur and dir/new (not dir/tmp),
// files in order of file name (maildir names start with the delivery
// time), skipping dot files. Each file is read with ReadMessages with its
// path as source. A file that cannot be read (or is not a regular file,
// or is over parse.MaxInputBytes) is an error Diag; the error
// result is for a dir/cur or dir/new that cannot be listed.
func ReadMaildir(dir string) ([]*Message, []Diag, error) {
	type entry struct{ name, path string }
	var files []entry
	for _, sub := range []string{"cur", "new"} {
		d := filepath.Join(dir, sub)
		des, err := os.ReadDir(d)
		if err != nil {
			return nil, nil, err
		}
		for _, de := range des {
			if de.IsDir() || strings.HasPrefix(de.Name(), ".") {
				continue
			}
			files = append(files, entry{de.Name(), filepath.Join(d, de.Name())})
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].name != files[j].name {
			return files[i].name < files[j].name
		}
		return files[i].path < files[j].path
	})
	var ms []*Message
	var ds []Diag
	for _, f := range files {
		// a maildir is someone else's: a FIFO or a huge file in it is an
		// error naming it, not a hang or the machine's memory
		data, err := parse.ReadInput(f.path)
		if err != nil {
			ds = append(ds, Diag{Input: f.path, Error: true, Text: "cannot read the message: " + err.Error()})
			continue
		}
		m, d := ReadMessages(f.path, data)
		ms = append(ms, m...)
		ds = append(ds, d...)
	}
	return ms, ds, nil
}

// rawLine is one input line with its "\n" (none on a last line without
// one) and its 1-based line number in the input.
type rawLine struct {
	s string
	n int
}

// splitLines cuts s into lines; nums, when given, is the input line of
// each line (for text extracted from a page), else lines count from 1.
func splitLines(s string, nums []int) []rawLine {
	var out []rawLine
	for len(s) > 0 {
		k := strings.IndexByte(s, '\n')
		var l string
		if k < 0 {
			l, s = s, ""
		} else {
			l, s = s[:k+1], s[k+1:]
		}
		n := len(out) + 1
		if nums != nil {
			switch {
			case len(out) < len(nums):
				n = nums[len(out)]
			case len(nums) > 0:
				n = nums[len(nums)-1]
			default:
				n = 1
			}
		}
		out = append(out, rawLine{l, n})
	}
	return out
}

// trimEOL is the line without "\n" or "\r\n".
func trimEOL(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

func isBlank(l rawLine) bool { return strings.TrimSpace(l.s) == "" }

func joinLines(ls []rawLine) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.s)
	}
	return b.String()
}

// reader holds what one ReadMessages call collects.
type reader struct {
	source  string
	nlines  int // lines in the input, at least 1
	diags   []Diag
	about   []*Message // the message of each of diags
	skipped []string   // parts of the current message that were not text
	tooDeep bool       // the current message has parts below maxMIMEDepth
}

func (r *reader) diag(m *Message, line int, isErr bool, format string, args ...any) {
	if line > r.nlines {
		line = r.nlines
	}
	r.diags = append(r.diags, Diag{Input: r.source, Line: line, Error: isErr, Text: fmt.Sprintf(format, args...)})
	r.about = append(r.about, m)
}

// finishDiags names the messages in the diagnostics, now that their
// subjects and number are known: the subject, else "message N" (N =
// Index+1) when the input has more than one message, else "".
func (r *reader) finishDiags(n int) []Diag {
	r.foldRepeats()
	for i, m := range r.about {
		switch {
		case m == nil:
		case m.Subject != "":
			r.diags[i].Message = m.Subject
		case n > 1:
			r.diags[i].Message = fmt.Sprintf("message %d", m.Index+1)
		}
	}
	return r.diags
}

// foldRepeats keeps one of the diagnostics of a message that say the
// same thing, with how many more there were: a message of 5,000 parts
// with the same fault printed it 5,000 times.
func (r *reader) foldRepeats() {
	type key struct {
		m    *Message
		err  bool
		text string
	}
	first := map[key]int{}
	more := map[int]int{}
	var diags []Diag
	var about []*Message
	for i, d := range r.diags {
		k := key{r.about[i], d.Error, d.Text}
		if j, ok := first[k]; ok {
			more[j]++
			continue
		}
		first[k] = len(diags)
		diags = append(diags, d)
		about = append(about, r.about[i])
	}
	for j, n := range more {
		diags[j].Text += fmt.Sprintf(" (and %d more times in this message)", n)
	}
	r.diags, r.about = diags, about
}

// bare is the one Message of input without headers.
func (r *reader) bare(lines []rawLine) *Message {
	m := &Message{Source: r.source, Line: 1, BodyLine: 1}
	if len(lines) > 0 {
		m.Line, m.BodyLine = lines[0].n, lines[0].n
	}
	m.Body = finishBody(crlfToLF(joinLines(lines)))
	return m
}

// --- mbox -----------------------------------------------------------------

var (
	gitFromRE = regexp.MustCompile(`^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$`)
	// a time and a year, in either order, as in asctime dates
	fromDateRE = regexp.MustCompile(`\d{1,2}:\d{2}(:\d{2})?.*\b\d{4}\b|\b\d{4}\b.*\d{1,2}:\d{2}`)
	hex40RE    = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// isFromLine reports whether lines[i] is an mbox "From " separator.
func isFromLine(lines []rawLine, i int) bool {
	t := trimEOL(lines[i].s)
	if !strings.HasPrefix(t, "From ") {
		return false
	}
	if gitFromRE.MatchString(t) {
		return true
	}
	f := strings.Fields(t[5:])
	if len(f) == 0 {
		return false
	}
	next := i+1 < len(lines) && isHeaderLine(trimEOL(lines[i+1].s))
	if len(f) == 1 {
		return next
	}
	if !fromDateRE.MatchString(t) {
		return false
	}
	tok := f[0]
	if tok == "-" || tok == "MAILER-DAEMON" || strings.Contains(tok, "@") || hex40RE.MatchString(tok) {
		return true
	}
	return next
}

// mboxStart is the index of the first line when the input is an mbox,
// else -1.
func mboxStart(lines []rawLine) int {
	for i, l := range lines {
		if isBlank(l) {
			continue
		}
		if isFromLine(lines, i) {
			return i
		}
		return -1
	}
	return -1
}

func (r *reader) readMbox(lines []rawLine, start int) []*Message {
	seps := []int{start}
	for i := start + 1; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i].s, "From ") {
			continue
		}
		if gitFromRE.MatchString(trimEOL(lines[i].s)) || (isBlank(lines[i-1]) && isFromLine(lines, i)) {
			seps = append(seps, i)
		}
	}
	var ms []*Message
	for k, s := range seps {
		end := len(lines)
		if k+1 < len(seps) {
			end = seps[k+1]
		}
		entry := lines[s+1 : end]
		if len(entry) > 0 && isBlank(entry[len(entry)-1]) {
			entry = entry[:len(entry)-1]
		}
		ms = append(ms, r.readMessage(entry, k, lines[s].n, true))
	}
	return ms
}

// --- headers --------------------------------------------------------------

type header struct {
	name  string // lower case
	value string // unfolded, not decoded
	n     int    // line of the header
}

type headers []header

func (hs headers) get(name string) string {
	for _, h := range hs {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

func (hs headers) line(name string) int {
	for _, h := range hs {
		if h.name == name {
			return h.n
		}
	}
	return 0
}

// isHeaderLine reports whether t ("\n" removed) is "Name: value".
func isHeaderLine(t string) bool {
	c := strings.IndexByte(t, ':')
	if c <= 0 || c > 76 {
		return false
	}
	for i := 0; i < c; i++ {
		b := t[i]
		if b <= ' ' || b > '~' {
			return false
		}
	}
	return true
}

// knownHeaders are the header names that, first in an input, make it a
// mail message.
var knownHeaders = map[string]bool{
	"from": true, "subject": true, "date": true, "message-id": true,
	"received": true, "return-path": true, "delivered-to": true,
	"mime-version": true, "content-type": true, "to": true, "cc": true,
	"sender": true, "reply-to": true, "in-reply-to": true, "references": true,
	"dkim-signature": true, "arc-seal": true, "arc-message-signature": true,
	"arc-authentication-results": true, "authentication-results": true,
	"x-original-to": true, "received-spf": true, "list-id": true, "list": true,
	"content-transfer-encoding": true, "user-agent": true, "envelope-to": true,
}

func knownHeader(t string) bool {
	if !isHeaderLine(t) {
		return false
	}
	name := strings.ToLower(t[:strings.IndexByte(t, ':')])
	return knownHeaders[name] || (strings.HasPrefix(name, "x-") && len(name) > 2)
}

// headerStart is the index of the first line when the input starts with
// mail headers, else -1.
func headerStart(lines []rawLine) int {
	for i, l := range lines {
		if isBlank(l) {
			continue
		}
		if knownHeader(trimEOL(l.s)) {
			return i
		}
		return -1
	}
	return -1
}

// htmlHeaderStart finds a header block an archive page shows: two known
// header lines in a row among the first lines of the text.
func htmlHeaderStart(lines []rawLine) int {
	seen := 0
	for i := 0; i < len(lines) && seen < 20; i++ {
		if isBlank(lines[i]) {
			continue
		}
		seen++
		if knownHeader(trimEOL(lines[i].s)) && i+1 < len(lines) {
			nt := trimEOL(lines[i+1].s)
			if knownHeader(nt) || (len(nt) > 0 && (nt[0] == ' ' || nt[0] == '\t') && strings.TrimSpace(nt) != "") {
				return i
			}
		}
	}
	return -1
}

// parseHeaders reads the header block at the start of lines. It ends at
// a blank line (which is consumed) or at the first line that is neither a
// header nor a continuation (which starts the body). body is the index of
// the body's first line.
func parseHeaders(lines []rawLine) (hs headers, body int) {
	var val strings.Builder // the value of the last header, being unfolded
	end := func() {
		if len(hs) > 0 {
			hs[len(hs)-1].value = val.String()
		}
		val.Reset()
	}
	for i, l := range lines {
		t := trimEOL(l.s)
		if strings.TrimSpace(t) == "" {
			end()
			return hs, i + 1
		}
		if (t[0] == ' ' || t[0] == '\t') && len(hs) > 0 {
			if val.Len() > 0 {
				val.WriteByte(' ')
			}
			val.WriteString(strings.TrimSpace(t))
			continue
		}
		if !isHeaderLine(t) {
			end()
			return hs, i
		}
		end()
		c := strings.IndexByte(t, ':')
		hs = append(hs, header{strings.ToLower(t[:c]), "", l.n})
		val.WriteString(strings.TrimSpace(t[c+1:]))
	}
	end()
	return hs, len(lines)
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(input), nil
}}

// decodeHeader undoes RFC 2047 encoded words; on failure the value is kept
// as it is and a warning given.
func (r *reader) decodeHeader(m *Message, hs headers, name string) string {
	v := hs.get(name)
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		r.diag(m, hs.line(name), false, "%s header: cannot decode %q (%v); kept as is", name, v, err)
		return v
	}
	return d
}

var angleIDRE = regexp.MustCompile(`<([^<>]*)>`)

// cleanID is the first message id in v, without angle brackets.
func cleanID(v string) string {
	if m := angleIDRE.FindStringSubmatch(v); m != nil {
		return strings.TrimSpace(m[1])
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], "<>")
}

// --- one message ----------------------------------------------------------

// readMessage reads one message: its headers and body are lines; start is
// the line where it starts (an mbox entry's "From " line).
func (r *reader) readMessage(lines []rawLine, idx, start int, mbox bool) *Message {
	m := &Message{Source: r.source, Index: idx, Line: start}
	if allCRLFLines(lines) {
		cp := make([]rawLine, len(lines))
		for i, l := range lines {
			cp[i] = rawLine{strings.TrimSuffix(l.s, "\r\n") + "\n", l.n}
			if !strings.HasSuffix(l.s, "\n") {
				cp[i].s = l.s
			}
		}
		lines = cp
	}
	hs, bi := parseHeaders(lines)
	body := lines[bi:]
	switch {
	case len(body) > 0:
		m.BodyLine = body[0].n
	case len(lines) > 0:
		m.BodyLine = lines[len(lines)-1].n + 1
	default:
		m.BodyLine = start + 1
	}
	if m.BodyLine > r.nlines {
		m.BodyLine = r.nlines
	}
	if mbox {
		body = unescapeMboxrd(body)
	}
	// Date and Message-ID, then the subject: diagnostics name the message
	// by them.
	m.Date = strings.TrimSpace(hs.get("date"))
	m.MessageID = cleanID(hs.get("message-id"))
	m.Subject = strings.TrimSpace(r.decodeHeader(m, hs, "subject"))
	m.From = strings.TrimSpace(r.decodeHeader(m, hs, "from"))
	m.InReplyTo = cleanID(hs.get("in-reply-to"))
	if m.InReplyTo == "" {
		if refs := angleIDRE.FindAllStringSubmatch(hs.get("references"), -1); len(refs) > 0 {
			m.InReplyTo = strings.TrimSpace(refs[len(refs)-1][1])
		}
	}
	m.Body = finishBody(r.decodeBody(m, hs, body))
	return m
}

// allCRLFLines reports whether every line that ends in "\n" ends in
// "\r\n" (and at least one does).
func allCRLFLines(lines []rawLine) bool {
	seen := false
	for _, l := range lines {
		if strings.HasSuffix(l.s, "\n") {
			if !strings.HasSuffix(l.s, "\r\n") {
				return false
			}
			seen = true
		}
	}
	return seen
}

// crlfToLF turns CRLF into LF when every line of s ends in CRLF.
func crlfToLF(s string) string {
	nl := strings.Count(s, "\n")
	if nl > 0 && strings.Count(s, "\r\n") == nl {
		return strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

var mboxrdRE = regexp.MustCompile(`^>+From `)

// unescapeMboxrd drops one '>' from body lines ">From ", ">>From ", ...
func unescapeMboxrd(body []rawLine) []rawLine {
	var out []rawLine
	for i, l := range body {
		if strings.HasPrefix(l.s, ">") && mboxrdRE.MatchString(l.s) {
			if out == nil {
				out = append([]rawLine(nil), body...)
			}
			out[i].s = l.s[1:]
		}
	}
	if out == nil {
		return body
	}
	return out
}

// finishBody turns non-breaking spaces into spaces and makes a non-empty
// body end in a newline.
func finishBody(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// --- MIME -----------------------------------------------------------------

// piece is one decoded text part of a message.
type piece struct {
	text  string
	html  bool // text/html, not converted yet
	plain bool // text/plain
}

// maxMIMEDepth bounds how deep MIME parts are read. Real mail nests
// about 5 deep (a forwarded message in a multipart/mixed in a
// multipart/alternative ...); each level copies its part's lines, so the
// bound also bounds the work at 16 times the message. A part below it is
// not read, and an error says so (once per message): it may hold a patch.
const maxMIMEDepth = 16

// decodeBody decodes a message body into text: every kept part
// (text/plain, a patch type, an attachment named *.patch or *.diff; a
// top-level single part of any text/* type) in order, each ending in a
// newline, with a blank line between parts. text/html parts are dropped
// when the message has a text/plain part, else turned into text with
// HTMLText.
func (r *reader) decodeBody(m *Message, hs headers, body []rawLine) string {
	r.skipped, r.tooDeep = nil, false
	ps := r.decodeEntity(m, hs, body, 0, true)
	plain := false
	for _, p := range ps {
		if p.plain {
			plain = true
		}
	}
	var texts []string
	for _, p := range ps {
		t := p.text
		if p.html {
			if plain {
				continue
			}
			t = HTMLText(t)
		}
		if t == "" {
			continue
		}
		if !strings.HasSuffix(t, "\n") {
			t += "\n"
		}
		texts = append(texts, t)
	}
	if len(ps) == 0 && !r.tooDeep && strings.TrimSpace(joinLines(body)) != "" {
		line := m.BodyLine
		r.diag(m, line, false, "no text part in the message (%s); body left empty", strings.Join(r.skipped, ", "))
	}
	return strings.Join(texts, "\n")
}

// patchTypes are the content types of attached patches.
var patchTypes = map[string]bool{
	"text/x-patch": true, "text/x-diff": true, "text/diff": true, "text/patch": true,
	"application/x-patch": true, "application/x-diff": true,
	"application/patch": true, "application/diff": true,
}

// parseContentType is mime.ParseMediaType made lenient: on a syntax error
// it takes the part before ';' as the type and reads "key=value" params
// itself.
func parseContentType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	t, params, err := mime.ParseMediaType(v)
	if err == nil {
		return t, params
	}
	parts := strings.Split(v, ";")
	t = strings.ToLower(strings.TrimSpace(parts[0]))
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return t, params
}

func (r *reader) decodeEntity(m *Message, hs headers, body []rawLine, depth int, top bool) []piece {
	ct, params := parseContentType(hs.get("content-type"))
	if ct == "" || !strings.Contains(ct, "/") {
		ct = "text/plain"
	}
	cte := strings.ToLower(strings.TrimSpace(hs.get("content-transfer-encoding")))
	if i := strings.IndexAny(cte, " \t;("); i >= 0 {
		cte = cte[:i]
	}
	line := m.BodyLine
	if len(body) > 0 {
		line = body[0].n
	}
	if (strings.HasPrefix(ct, "multipart/") || ct == "message/rfc822" || ct == "message/global") && depth >= maxMIMEDepth {
		if !r.tooDeep {
			r.tooDeep = true
			r.diag(m, line, true, "MIME parts nested more than %d deep: the %s part here and all it holds are not read (it may hold a patch)", maxMIMEDepth, ct)
		}
		return nil
	}
	if strings.HasPrefix(ct, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			r.diag(m, line, false, "%s without a boundary; body read as text", ct)
		} else if parts, ok := splitMultipart(body, boundary); !ok {
			r.diag(m, line, false, "%s boundary %q never appears; body read as text", ct, boundary)
		} else {
			var ps []piece
			for _, p := range parts {
				ph, pi := parseHeaders(p)
				ps = append(ps, r.decodeEntity(m, ph, p[pi:], depth+1, false)...)
			}
			return ps
		}
		ct, params = "text/plain", map[string]string{}
	}
	if ct == "message/rfc822" || ct == "message/global" {
		inner := body
		if cte == "quoted-printable" || cte == "base64" {
			inner = splitLines(string(r.decodeCTE(m, cte, body, line)), nil)
			for i := range inner {
				inner[i].n = line
			}
		}
		ih, ii := parseHeaders(inner)
		return r.decodeEntity(m, ih, inner[ii:], depth+1, false)
	}

	_, dparams := parseContentType(hs.get("content-disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	lname := strings.ToLower(strings.TrimSpace(filename))
	isHTML := false
	switch {
	case patchTypes[ct], strings.HasSuffix(lname, ".patch"), strings.HasSuffix(lname, ".diff"):
	case ct == "text/plain":
	case ct == "text/html":
		isHTML = true
	case top && strings.HasPrefix(ct, "text/"):
	default:
		what := ct
		if filename != "" {
			what += " " + filename
		}
		r.skipped = append(r.skipped, what)
		return nil
	}
	data := r.decodeCTE(m, cte, body, line)
	text := crlfToLF(r.toUTF8(m, data, params["charset"], line))
	if ct == "text/plain" && strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	return []piece{{text, isHTML, ct == "text/plain"}}
}

// splitMultipart cuts a multipart body at its boundary lines. ok is false
// when no boundary line appears. The preamble and epilogue are dropped; a
// missing closing boundary ends the last part at the end of the body.
func splitMultipart(body []rawLine, boundary string) (parts [][]rawLine, ok bool) {
	delim := "--" + boundary
	var cur []rawLine
	in := false
	for _, l := range body {
		t := strings.TrimRight(trimEOL(l.s), " \t")
		if strings.HasPrefix(t, delim) {
			switch t[len(delim):] {
			case "--":
				if in {
					parts = append(parts, endPart(cur))
				}
				return parts, true
			case "":
				if in {
					parts = append(parts, endPart(cur))
				}
				cur, in, ok = nil, true, true
				continue
			}
		}
		if in {
			cur = append(cur, l)
		}
	}
	if in {
		parts = append(parts, cur)
	}
	return parts, ok
}

// endPart drops the line break before a boundary line from a part: it
// belongs to the boundary (RFC 2046).
func endPart(p []rawLine) []rawLine {
	if len(p) == 0 {
		return p
	}
	last := p[len(p)-1]
	last.s = strings.TrimSuffix(strings.TrimSuffix(last.s, "\n"), "\r")
	if last.s == "" {
		return p[:len(p)-1]
	}
	out := append(p[:len(p)-1:len(p)-1], last)
	return out
}

// decodeCTE undoes a Content-Transfer-Encoding.
func (r *reader) decodeCTE(m *Message, cte string, body []rawLine, line int) []byte {
	raw := joinLines(body)
	switch cte {
	case "", "7bit", "8bit", "binary":
		return []byte(raw)
	case "quoted-printable":
		return r.decodeQP(m, body, raw, line)
	case "base64":
		return r.decodeBase64(m, body, raw, line)
	}
	r.diag(m, line, false, "unknown Content-Transfer-Encoding %q; body kept as is", cte)
	return []byte(raw)
}

// decodeQP decodes quoted-printable. Where the decoder fails, the body is
// decoded line by line and the lines that fail are kept as they are, with
// a warning.
func (r *reader) decodeQP(m *Message, body []rawLine, raw string, line int) []byte {
	out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(raw)))
	if err == nil {
		return out
	}
	var b bytes.Buffer
	bad, first := 0, 0
	for _, l := range body {
		d, lerr := io.ReadAll(quotedprintable.NewReader(strings.NewReader(l.s)))
		if lerr != nil {
			if bad == 0 {
				first = l.n
			}
			bad++
			b.WriteString(l.s)
			continue
		}
		b.Write(d)
	}
	if first == 0 {
		first = line
	}
	r.diag(m, first, false, "malformed quoted-printable (%v): %d line(s) kept undecoded", err, bad)
	return b.Bytes()
}

func isBase64Line(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// decodeBase64 decodes base64, ignoring white space. Text after the
// base64 lines (a list's footer) is kept as it is, with a warning. On
// failure the raw text is kept, with an error.
func (r *reader) decodeBase64(m *Message, body []rawLine, raw string, line int) []byte {
	var enc strings.Builder
	end := len(body) // the first line that is not base64
	last := -1       // the last base64 line
	for i, l := range body {
		t := strings.Join(strings.Fields(l.s), "")
		if t == "" {
			continue
		}
		if !isBase64Line(t) {
			end = i
			break
		}
		enc.WriteString(t)
		last = i
	}
	s := enc.String()
	if s == "" && end < len(body) {
		r.diag(m, body[end].n, true, "base64 body does not decode (no base64 data); kept the raw text")
		return []byte(raw)
	}
	dec, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		var err2 error
		dec, err2 = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		if err2 != nil {
			r.diag(m, line, true, "base64 body does not decode (%v); kept the raw text", err)
			return []byte(raw)
		}
	}
	if end < len(body) {
		tail := joinLines(body[last+1:])
		if strings.TrimSpace(tail) != "" {
			r.diag(m, body[end].n, false, "text after the base64 data kept as is")
			if len(dec) > 0 && dec[len(dec)-1] != '\n' {
				dec = append(dec, '\n')
			}
			dec = append(dec, tail...)
		}
	}
	return dec
}

// toUTF8 converts text in charset to UTF-8; an unknown charset keeps the
// bytes, with a warning.
func (r *reader) toUTF8(m *Message, data []byte, charset string, line int) string {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`))
	switch cs {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown", "unknown", "default":
		return string(data)
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		r.diag(m, line, false, "unknown charset %q; bytes kept unconverted", charset)
		return string(data)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		r.diag(m, line, false, "cannot convert from charset %q (%v); bytes kept unconverted", charset, err)
		return string(data)
	}
	return string(out)
}

// unflow undoes format=flowed (RFC 3676): space-stuffing is removed and a
// line ending in a space joins the next line of the same quote depth (its
// trailing space deleted too with DelSp=yes). The signature separator
// "-- " is never joined. Quote marks are kept as they were on the first
// line of each joined paragraph.
func unflow(s string, delsp bool) string {
	var out strings.Builder
	var para strings.Builder
	prefix := ""
	depth := -1 // quote depth of the open paragraph, -1 when none
	flush := func() {
		if depth >= 0 {
			out.WriteString(prefix)
			out.WriteString(para.String())
			out.WriteByte('\n')
			para.Reset()
			depth = -1
		}
	}
	ends := strings.HasSuffix(s, "\n")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if s == "" {
		return ""
	}
	for _, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		d := 0
		for d < len(l) && l[d] == '>' {
			d++
		}
		content := l[d:]
		p := l[:d]
		if strings.HasPrefix(content, " ") {
			content = content[1:]
			if d > 0 {
				p += " "
			}
		}
		if depth >= 0 && d != depth {
			flush()
		}
		if depth < 0 {
			depth = d
			prefix = p
		}
		flowed := content != "-- " && strings.HasSuffix(content, " ")
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		para.WriteString(content)
		if !flowed {
			flush()
		}
	}
	flush()
	t := out.String()
	if !ends {
		t = strings.TrimSuffix(t, "\n")
	}
	return t
}

// --- web pages ------------------------------------------------------------

func (r *reader) readHTML(s string) []*Message {
	if !utf8.ValidString(s) {
		if m := metaCSRE.FindStringSubmatch(s); m != nil && !strings.HasPrefix(strings.ToLower(m[1]), "utf-16") {
			if enc, err := htmlindex.Get(m[1]); err == nil {
				if out, err := enc.NewDecoder().String(s); err == nil {
					s = out
				}
			}
		}
	}
	text, nums := htmlExtract(s)
	lines := splitLines(text, nums)
	for i := range lines {
		if lines[i].n > r.nlines {
			lines[i].n = r.nlines
		}
	}
	var ms []*Message
	if k := mboxStart(lines); k >= 0 {
		ms = r.readMbox(lines, k)
	} else if k := htmlHeaderStart(lines); k >= 0 {
		ms = []*Message{r.readMessage(lines[k:], 0, lines[k].n, false)}
	} else {
		ms = []*Message{r.bare(lines)}
	}
	if len(ms) == 1 && ms[0].Subject == "" {
		ms[0].Subject = htmlTitle(s)
	}
	return ms
}
