package parse

import "bytes"

// selectConfig blanks, inside [start, end), every preprocessor conditional
// down to one configuration: the first branch of each #if/#ifdef group
// (the #else of `#if 0`), with the directive lines themselves removed.
// tree-sitter copes with #if around whole statements, but not with one
// that splits an if/else or an expression; for functions like that, one
// configuration read whole is better than two read in pieces.
func selectConfig(buf []byte, start, end int) {
	type group struct{ keep, taken, parent bool }
	var stack []group
	keeping := func() bool { return len(stack) == 0 || stack[len(stack)-1].keep }
	for line := start; line < end; {
		next := line
		for next < end && buf[next] != '\n' {
			if buf[next] == '\\' && next+1 < end && buf[next+1] == '\n' {
				next++
			}
			next++
		}
		if next < end {
			next++ // include the newline
		}
		text := bytes.TrimLeft(buf[line:next], " \t")
		directive := ""
		if len(text) > 0 && text[0] == '#' {
			d := bytes.TrimLeft(text[1:], " \t")
			k := 0
			for k < len(d) && isIdent(d[k]) {
				k++
			}
			directive = string(d[:k])
			arg := bytes.TrimSpace(d[k:])
			isZero := len(arg) == 1 && arg[0] == '0'
			switch directive {
			case "if", "ifdef", "ifndef":
				sel := !(directive == "if" && isZero)
				p := keeping()
				stack = append(stack, group{keep: p && sel, taken: sel, parent: p})
			case "elif":
				if n := len(stack); n > 0 {
					g := &stack[n-1]
					sel := !g.taken && !isZero
					g.keep = g.parent && sel
					g.taken = g.taken || sel
				}
			case "else":
				if n := len(stack); n > 0 {
					g := &stack[n-1]
					g.keep = g.parent && !g.taken
					g.taken = true
				}
			case "endif":
				if n := len(stack); n > 0 {
					stack = stack[:n-1]
				}
			default:
				directive = ""
			}
		}
		if directive != "" || !keeping() {
			blank(buf, line, next)
		}
		line = next
	}
}

// hasConditional tells whether src[start:end] holds an #if-family line.
func hasConditional(src []byte, start, end int) bool {
	for i := start; i < end; i++ {
		if src[i] != '#' {
			continue
		}
		j := i - 1
		for j >= start && (src[j] == ' ' || src[j] == '\t') {
			j--
		}
		if j >= start && src[j] != '\n' {
			continue
		}
		d := bytes.TrimLeft(src[i+1:end], " \t")
		if bytes.HasPrefix(d, []byte("if")) || bytes.HasPrefix(d, []byte("el")) {
			return true
		}
	}
	return false
}
