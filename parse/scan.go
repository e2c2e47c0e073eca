//go:build cgo

package parse

// scanner is a minimal C lexer for prep: it finds identifiers and
// punctuation and steps over comments, literals and preprocessor lines,
// which prep never rewrites.
type scanner struct {
	b   []byte
	pos int
	bol bool // at the start of a line (only whitespace seen)
	// comments collects the block comments inside directives (start,
	// end), for prep to blank
	comments    [][2]int
	inDirective bool
}

type token uint8

const (
	tEOF token = iota
	tIdent
	tPunct
	tOther // number, string or char literal
)

func (s *scanner) next() (token, int, int) {
	b := s.b
	if s.pos == 0 {
		s.bol = true
	}
	for s.pos < len(b) {
		c := b[s.pos]
		switch {
		case c == '\n':
			s.bol = true
			s.pos++
		case isSpace(c):
			s.pos++
		case c == '/' && s.pos+1 < len(b) && b[s.pos+1] == '*':
			s.pos = s.skipBlockComment(s.pos)
		case c == '/' && s.pos+1 < len(b) && b[s.pos+1] == '/':
			s.pos = s.skipLine(s.pos)
		case c == '#' && s.bol:
			s.inDirective = true
			s.pos = s.skipLine(s.pos)
			s.inDirective = false
		case c == '\\' && s.pos+1 < len(b) && (b[s.pos+1] == '\n' || b[s.pos+1] == '\r'):
			s.pos += 2
		default:
			s.bol = false
			start := s.pos
			switch {
			case isIdentStart(c):
				for s.pos < len(b) && isIdent(b[s.pos]) {
					s.pos++
				}
				// L"..", u8'..' prefixes belong to the literal
				if s.pos < len(b) && (b[s.pos] == '"' || b[s.pos] == '\'') && s.pos-start <= 2 {
					s.pos = s.skipQuoted(s.pos)
					return tOther, start, s.pos
				}
				return tIdent, start, s.pos
			case c >= '0' && c <= '9' || c == '.' && s.pos+1 < len(b) && b[s.pos+1] >= '0' && b[s.pos+1] <= '9':
				for s.pos < len(b) && (isIdent(b[s.pos]) || b[s.pos] == '.' ||
					(b[s.pos] == '+' || b[s.pos] == '-') && (b[s.pos-1]|0x20 == 'e' || b[s.pos-1]|0x20 == 'p')) {
					s.pos++
				}
				return tOther, start, s.pos
			case c == '"' || c == '\'':
				s.pos = s.skipQuoted(s.pos)
				return tOther, start, s.pos
			default:
				s.pos++
				return tPunct, start, s.pos
			}
		}
	}
	return tEOF, s.pos, s.pos
}

func (s *scanner) skipBlockComment(i int) int {
	for j := i + 2; j+1 < len(s.b); j++ {
		if s.b[j] == '*' && s.b[j+1] == '/' {
			return j + 2
		}
	}
	return len(s.b)
}

// skipLine skips to the end of the line, honouring backslash continuations
// and block comments that span lines.
func (s *scanner) skipLine(i int) int {
	b := s.b
	for i < len(b) {
		switch b[i] {
		case '\n':
			return i
		case '\\':
			i += 2
			continue
		case '/':
			if i+1 < len(b) && b[i+1] == '*' {
				e := s.skipBlockComment(i)
				if s.inDirective {
					s.comments = append(s.comments, [2]int{i, e})
				}
				i = e
				continue
			}
		}
		i++
	}
	return i
}

// skipQuoted skips a string or character literal starting at its quote.
// An unterminated literal ends at the line break, as compilers treat it.
func (s *scanner) skipQuoted(i int) int {
	b := s.b
	q := b[i]
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case q:
			return i + 1
		case '\n':
			return i
		}
	}
	return i
}

// skipSpace returns the index of the next byte after i that is not space
// or comment.
func (s *scanner) skipSpace(i int) int {
	b := s.b
	for i < len(b) {
		switch {
		case isSpace(b[i]):
			i++
		case b[i] == '\\' && i+1 < len(b) && b[i+1] == '\n':
			i += 2
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			i = s.skipBlockComment(i)
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			i = s.skipLine(i)
		default:
			return i
		}
	}
	return i
}

func (s *scanner) peekByte() byte {
	i := s.skipSpace(s.pos)
	if i < len(s.b) {
		return s.b[i]
	}
	return 0
}

func (s *scanner) peekOpenParen() (int, bool) {
	i := s.skipSpace(s.pos)
	return i, i < len(s.b) && s.b[i] == '('
}

// matchParen returns one past the bracket that closes the one at open,
// skipping comments and literals; false when the file ends first or a
// closing bracket of another kind or a preprocessor line gets in the way.
func (s *scanner) matchParen(open int) (int, bool) {
	b := s.b
	var stack [64]byte
	d := 0
	for i := open; i < len(b); {
		c := b[i]
		switch c {
		case '(', '[', '{':
			if d == len(stack) {
				return 0, false
			}
			stack[d] = c
			d++
		case ')', ']', '}':
			if d == 0 || stack[d-1] != openerOf(c) {
				return 0, false
			}
			d--
			if d == 0 {
				return i + 1, true
			}
		case '"', '\'':
			i = s.skipQuoted(i)
			continue
		case '/':
			if i+1 < len(b) && (b[i+1] == '*' || b[i+1] == '/') {
				i = s.skipSpace(i)
				continue
			}
		case '\n':
			// a preprocessor line inside the brackets: give up, the
			// macro is not ours to rewrite
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j < len(b) && b[j] == '#' {
				return 0, false
			}
		}
		i++
	}
	return 0, false
}

func openerOf(c byte) byte {
	switch c {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}

// matchStmtExpr checks that the `(` at open starts `({ ... })` and returns
// one past its closing `)`.
func (s *scanner) matchStmtExpr(open int) (int, bool) {
	brace := s.skipSpace(open + 1)
	if brace >= len(s.b) || s.b[brace] != '{' {
		return 0, false
	}
	end, ok := s.matchParen(open)
	if !ok {
		return 0, false
	}
	// the last thing inside must be the `}` of the block
	j := end - 2
	for j > brace && isSpace(s.b[j]) {
		j--
	}
	return end, j > brace && s.b[j] == '}'
}
