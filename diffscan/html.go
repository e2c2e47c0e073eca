package diffscan

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

// LooksLikeHTML reports whether data is a web page (a message saved from a
// list archive) rather than mail or text: it starts (after white space and
// a byte-order mark) with "<!DOCTYPE html", "<html", "<head" or "<body",
// or it holds a <pre> block whose text has HTML entities ("&lt;", "&amp;",
// "&#62;", ...) and no diff header line comes before that <pre> (so a
// patch that adds a <pre> to an HTML file is not taken for a page).
func LooksLikeHTML(data []byte) bool {
	head := data
	if len(head) > 2048 {
		head = head[:2048]
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\f"))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if bytes.HasPrefix(head, []byte(p)) {
			return true
		}
	}
	if bytes.HasPrefix(head, []byte("<?xml")) && bytes.Contains(head, []byte("<html")) {
		return true
	}
	loc := preOpenRE.FindIndex(data)
	if loc == nil {
		return false
	}
	if diffLineRE.Match(data[:loc[0]]) {
		return false
	}
	// The <pre must start its line or follow another tag.
	ls := bytes.LastIndexByte(data[:loc[0]], '\n') + 1
	before := bytes.TrimRight(data[ls:loc[0]], " \t")
	if len(before) > 0 && before[len(before)-1] != '>' {
		return false
	}
	end := preCloseRE.FindIndex(data[loc[1]:])
	if end == nil {
		return false
	}
	return entityRE.Match(data[loc[1] : loc[1]+end[0]])
}

var (
	preOpenRE  = regexp.MustCompile(`(?i)<pre[\s>]`)
	preCloseRE = regexp.MustCompile(`(?i)</pre\s*>`)
	entityRE   = regexp.MustCompile(`(?i)&(lt|gt|amp|quot|apos|nbsp|#[0-9]{1,7}|#x[0-9a-f]{1,6});`)
	diffLineRE = regexp.MustCompile(`(?m)^(diff --git |--- |\+\+\+ |@@ -|Index: )`)
	titleRE    = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title\s*>`)
	metaCSRE   = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)`)
)

// HTMLText extracts the text of a web page: the contents of its <pre>
// blocks when it has any (each block ending in a newline), else the whole
// document without <head>. Tags are removed, <br> becomes a newline (and,
// outside <pre>, block elements such as <p>, <div>, <tr>, <li> start a new
// line), <script> and <style> are dropped, comments too, and entities are
// decoded with html.UnescapeString ("&lt;" is "<", "&nbsp;" is U+00A0).
// A '<' that does not start a tag is kept as text.
func HTMLText(s string) string {
	t, _ := htmlExtract(s)
	return t
}

// htmlOut collects extracted text and the input line of each of its lines.
type htmlOut struct {
	b     strings.Builder
	lines []int // 1-based input line where each output line starts
	open  bool  // the current output line has been recorded in lines
	empty bool  // the current output line has no characters yet
}

func (o *htmlOut) write(t string, line int) {
	for len(t) > 0 {
		if !o.open {
			o.lines = append(o.lines, line)
			o.open = true
			o.empty = true
		}
		nl := strings.IndexByte(t, '\n')
		if nl < 0 {
			o.b.WriteString(t)
			o.empty = false
			return
		}
		o.b.WriteString(t[:nl+1])
		o.open = false
		t = t[nl+1:]
	}
}

// newline ends the current output line (starting one if none is open).
func (o *htmlOut) newline(line int) { o.write("\n", line) }

// breakLine ends the current output line unless it is empty.
func (o *htmlOut) breakLine(line int) {
	if o.open && !o.empty {
		o.write("\n", line)
	}
}

// blockTags start a new line outside <pre>.
var blockTags = map[string]bool{
	"p": true, "div": true, "tr": true, "li": true, "ul": true, "ol": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "hr": true, "blockquote": true, "dt": true, "dd": true,
	"dl": true, "pre": true, "title": true, "address": true, "article": true,
	"section": true, "header": true, "footer": true, "nav": true, "tbody": true,
	"thead": true, "center": true, "form": true,
}

// htmlExtract is HTMLText that also gives, for each line of the text, the
// input line it starts on.
func htmlExtract(s string) (string, []int) {
	sc := &tagScanner{s: s, gt: -1}
	o := &htmlOut{}
	preMode := preOpenRE.MatchString(s)
	emit := !preMode
	inPre := 0
	line := 1
	skipNL := false // drop a newline right after <pre>, or <br> outside <pre>
	noClose := map[string]bool{}
	i := 0
	n := len(s)
	for i < n {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = n
			} else {
				j += i
			}
			seg := s[i:j]
			for len(seg) > 0 {
				nl := strings.IndexByte(seg, '\n')
				piece := seg
				if nl >= 0 {
					piece = seg[:nl]
				}
				if emit {
					if skipNL && nl >= 0 && strings.TrimRight(piece, " \t\r") == "" {
						// The newline right after <pre> is not content,
						// nor one after <br> outside <pre>.
					} else {
						if piece != "" {
							o.write(html.UnescapeString(piece), line)
						}
						if nl >= 0 {
							o.newline(line)
						}
					}
				}
				skipNL = false
				if nl < 0 {
					break
				}
				line++
				seg = seg[nl+1:]
			}
			i = j
			continue
		}
		// A tag, a comment, a declaration, or a literal '<'.
		end, name, closing, ok := sc.scan(i)
		if !ok {
			if emit {
				o.write("<", line)
			}
			skipNL = false
			i++
			continue
		}
		tagText := s[i:end]
		line += strings.Count(tagText, "\n")
		i = end
		switch {
		case name == "script" || name == "style" || (!preMode && (name == "head" || name == "title")):
			if closing || noClose[name] {
				break
			}
			if strings.HasSuffix(strings.TrimRight(tagText, " \t\r\n>"), "/") {
				break
			}
			k := sc.indexFold(i, "</"+name)
			if k < 0 {
				noClose[name] = true // nor after any later one
				break
			}
			line += strings.Count(s[i:k], "\n")
			i = k
		case name == "pre" && preMode:
			if closing {
				if inPre > 0 {
					inPre--
				}
				if inPre == 0 {
					if emit {
						o.breakLine(line)
					}
					emit = false
				}
			} else {
				inPre++
				emit = true
				skipNL = true
				continue
			}
		case name == "br":
			if emit {
				o.newline(line)
			}
			if !preMode {
				skipNL = true
				continue
			}
		case blockTags[name] && !preMode:
			o.breakLine(line)
		}
		skipNL = false
	}
	return o.b.String(), o.lines
}

// tagScanner finds the ends of tags in s, in time linear in s overall.
type tagScanner struct {
	s     string
	lower string // s with ASCII letters lower-cased, made when needed
	gt    int    // a known offset of '>' (-1: none yet; len(s): no more)
}

// nextGT is the offset of the first '>' at or after p, or -1.
func (sc *tagScanner) nextGT(p int) int {
	if sc.gt >= p {
		if sc.gt == len(sc.s) {
			return -1
		}
		return sc.gt
	}
	k := strings.IndexByte(sc.s[p:], '>')
	if k < 0 {
		sc.gt = len(sc.s)
		return -1
	}
	sc.gt = p + k
	return sc.gt
}

// indexFold is the offset of the first ASCII-case-insensitive match of
// needle (lower case) at or after p, or -1.
func (sc *tagScanner) indexFold(p int, needle string) int {
	if sc.lower == "" {
		b := []byte(sc.s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		sc.lower = string(b)
	}
	k := strings.Index(sc.lower[p:], needle)
	if k < 0 {
		return -1
	}
	return p + k
}

// maxQuotedTag bounds the quote-aware search for the end of a tag; past
// it the first '>' ends the tag.
const maxQuotedTag = 4096

// scan reads the markup that starts at s[i] == '<': a tag, a comment or a
// declaration. It returns the offset after it, the tag's lower-case name
// ("" for comments and declarations) and whether it is a closing tag; ok
// is false when s[i] does not start markup.
func (sc *tagScanner) scan(i int) (end int, name string, closing, ok bool) {
	s := sc.s
	n := len(s)
	if i+1 >= n {
		return 0, "", false, false
	}
	c := s[i+1]
	switch {
	case strings.HasPrefix(s[i:], "<!--"):
		k := strings.Index(s[i+4:], "-->")
		if k < 0 {
			return n, "", false, true
		}
		return i + 4 + k + 3, "", false, true
	case c == '!' || c == '?':
		k := sc.nextGT(i)
		if k < 0 {
			return 0, "", false, false
		}
		return k + 1, "", false, true
	}
	j := i + 1
	if c == '/' {
		closing = true
		j++
	}
	if j >= n || !isASCIILetter(s[j]) {
		return 0, "", false, false
	}
	k := j
	for k < n && (isASCIILetter(s[k]) || (s[k] >= '0' && s[k] <= '9') || s[k] == '-' || s[k] == ':') {
		k++
	}
	name = strings.ToLower(s[j:k])
	if k < n && s[k] != '>' && s[k] != '/' && s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && s[k] != '\r' {
		return 0, "", false, false
	}
	first := sc.nextGT(k)
	if first < 0 {
		return 0, "", false, false
	}
	// Find the closing '>', skipping quoted attribute values.
	var quote byte
	limit := min(n, k+maxQuotedTag)
	for p := k; p < limit; p++ {
		b := s[p]
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			// only an attribute value: after '='
			q := p - 1
			for q >= k && (s[q] == ' ' || s[q] == '\t') {
				q--
			}
			if q >= k && s[q] == '=' {
				quote = b
			}
		case b == '>':
			return p + 1, name, closing, true
		}
	}
	// An unbalanced quote or a very long tag: the first '>' ends it.
	return first + 1, name, closing, true
}

func isASCIILetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// htmlTitle is a page's <title>, cleaned into a subject: tags dropped,
// entities decoded, white space collapsed, an archive's own prefix before
// "Re: [PATCH ...]" (as "LKML: Name: ") and a " - MARC" suffix removed.
func htmlTitle(s string) string {
	m := titleRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	t := HTMLText("<div>" + m[1] + "</div>")
	t = strings.Join(strings.Fields(strings.ReplaceAll(t, "\u00a0", " ")), " ")
	t = strings.TrimSuffix(t, " - MARC")
	if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
		t = t[1 : len(t)-1]
	}
	if loc := titleSubjectRE.FindStringIndex(t); loc != nil && loc[0] > 0 {
		t = t[loc[0]:]
	}
	return strings.TrimSpace(t)
}

var titleSubjectRE = regexp.MustCompile(`(?i)((re|aw|sv|fwd):\s*)*\[[^\]]*patch[^\]]*\]`)
