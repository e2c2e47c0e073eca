//go:build cgo

package parse

import "bytes"

// selectConfig reduces every preprocessor conditional that sits inside a
// function body (brace depth > 0) to one configuration: the first branch
// of each #if/#ifdef group (the #else of `#if 0`), with the directive
// lines removed and the other branches blanked. tree-sitter copes with
// #if around whole statements, but not with one that splits an if/else
// chain or an expression, and the damage then spreads to the functions
// after it; for those, one configuration read whole is better than two
// read in pieces. Conditionals at file level are left alone. Line breaks
// stay, so every position is unchanged.
func selectConfig(buf []byte) {
	type group struct {
		managed     bool // opened inside a body
		keep, taken bool
	}
	var stack []group
	keeping := func() bool {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].managed && !stack[i].keep {
				return false
			}
		}
		return true
	}
	depth := 0
	inComment := false
	for line := 0; line < len(buf); {
		next := line
		for next < len(buf) && buf[next] != '\n' {
			if buf[next] == '\\' && next+1 < len(buf) && buf[next+1] == '\n' {
				next++
			}
			next++
		}
		if next < len(buf) {
			next++
		}
		text := bytes.TrimLeft(buf[line:next], " \t")
		if !inComment && len(text) > 0 && text[0] == '#' {
			d := bytes.TrimLeft(text[1:], " \t")
			k := 0
			for k < len(d) && isIdent(d[k]) {
				k++
			}
			word := string(d[:k])
			arg := bytes.TrimSpace(stripComment(d[k:]))
			isZero := len(arg) == 1 && arg[0] == '0'
			// blank a directive line of a group this function manages
			managed := false
			switch word {
			case "if", "ifdef", "ifndef":
				sel := !(word == "if" && isZero)
				stack = append(stack, group{managed: depth > 0, keep: sel, taken: sel})
				managed = depth > 0
			case "elif":
				if n := len(stack); n > 0 {
					g := &stack[n-1]
					sel := !g.taken && !isZero
					g.keep, g.taken = sel, g.taken || sel
					managed = g.managed
				}
			case "else":
				if n := len(stack); n > 0 {
					g := &stack[n-1]
					g.keep, g.taken = !g.taken, true
					managed = g.managed
				}
			case "endif":
				if n := len(stack); n > 0 {
					managed = stack[n-1].managed
					stack = stack[:n-1]
				}
			}
			if managed || !keeping() {
				blank(buf, line, next)
			}
			line = next
			continue
		}
		if !keeping() {
			blank(buf, line, next)
			line = next
			continue
		}
		depth, inComment = countBraces(buf[line:next], depth, inComment)
		line = next
	}
}

// countBraces tracks brace depth over one line, skipping comments and
// literals; a block comment may carry over to the next line.
func countBraces(l []byte, depth int, inComment bool) (int, bool) {
	for i := 0; i < len(l); i++ {
		c := l[i]
		if inComment {
			if c == '*' && i+1 < len(l) && l[i+1] == '/' {
				inComment = false
				i++
			}
			continue
		}
		switch c {
		case '/':
			if i+1 < len(l) && l[i+1] == '*' {
				inComment = true
				i++
			} else if i+1 < len(l) && l[i+1] == '/' {
				return depth, false
			}
		case '"', '\'':
			for i++; i < len(l) && l[i] != c && l[i] != '\n'; i++ {
				if l[i] == '\\' {
					i++
				}
			}
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return depth, inComment
}

func stripComment(b []byte) []byte {
	if i := bytes.Index(b, []byte("/*")); i >= 0 {
		b = b[:i]
	}
	if i := bytes.Index(b, []byte("//")); i >= 0 {
		b = b[:i]
	}
	return b
}

// hasConditional tells whether src holds an #if-family line.
func hasConditional(src []byte) bool {
	for i := 0; i < len(src); i++ {
		if src[i] != '#' {
			continue
		}
		j := i - 1
		for j >= 0 && (src[j] == ' ' || src[j] == '\t') {
			j--
		}
		if j >= 0 && src[j] != '\n' {
			continue
		}
		d := bytes.TrimLeft(src[i+1:], " \t")
		if bytes.HasPrefix(d, []byte("if")) || bytes.HasPrefix(d, []byte("el")) {
			return true
		}
	}
	return false
}
