package diffscan

import (
	"sort"
	"strconv"
	"strings"
)

// ParseSubject reads a patch subject line:
//
//	"Re: [PATCH v5 3/14] mm: fix foo"
//
// gives Reply, Tags [PATCH], Version 5, Index 3, Total 14 and Title
// "mm: fix foo". Reply prefixes ("Re:", "AW:", "SV:", "VS:", "Antw:",
// "Odp:", "RES:", any case, repeated) set Reply; forward prefixes ("Fwd:",
// "FW:") are dropped without setting it. Every bracket group at the start
// is read, so "[PATCH] [2/3]" and "[RFC PATCH v2 04/10]" both work; in a
// group, "vN" (or "PATCHvN", "RFC-vN") is the version, "N/M" the index and
// total, and every other word a tag. "PATCH" and "RFC" tags are upper-cased
// ("[patch]" gives "PATCH"); other tags ("net-next", "-mm") are kept as
// written. A subject without brackets is all Title, with Patch false.
// Version is 1 when not given; Index and Total are 0.
func ParseSubject(s string) Subject {
	sub := Subject{Version: 1}
	rest := strings.TrimSpace(s)
	for {
		if r, reply, ok := cutReplyPrefix(rest); ok {
			if reply {
				sub.Reply = true
			}
			rest = r
			continue
		}
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				break
			}
			sub.readGroup(rest[1:end])
			rest = strings.TrimLeft(rest[end+1:], " \t")
			continue
		}
		break
	}
	sub.Title = strings.TrimSpace(rest)
	return sub
}

// replyWords and forwardWords are the prefixes (before ':') that
// ParseSubject strips.
var (
	replyWords   = []string{"re", "aw", "sv", "vs", "antw", "odp", "res"}
	forwardWords = []string{"fwd"}
)

// cutReplyPrefix strips one "Re:"-like prefix (also "Re[2]:") from s.
func cutReplyPrefix(s string) (rest string, reply, ok bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon > 10 {
		return s, false, false
	}
	word := s[:colon]
	if i := strings.IndexByte(word, '['); i > 0 && strings.HasSuffix(word, "]") {
		if _, err := strconv.Atoi(word[i+1 : len(word)-1]); err == nil {
			word = word[:i]
		}
	}
	word = strings.TrimRight(word, " ")
	lw := strings.ToLower(word)
	after := strings.TrimLeft(s[colon+1:], " \t")
	for _, w := range replyWords {
		if lw == w {
			return after, true, true
		}
	}
	for _, w := range forwardWords {
		if lw == w {
			return after, false, true
		}
	}
	// "FW:"/"Fw:" from Outlook, but not "fw:" (a kernel subsystem prefix).
	if word == "FW" || word == "Fw" {
		return after, false, true
	}
	return s, false, false
}

// readGroup reads the words of one bracket group.
func (sub *Subject) readGroup(g string) {
	words := strings.FieldsFunc(g, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	for _, w := range words {
		if v, ok := versionWord(w); ok {
			sub.Version = v
			continue
		}
		if i, t, ok := indexWord(w); ok {
			sub.Index, sub.Total = i, t
			continue
		}
		// "PATCHv2", "PATCH-v2", "RFCv3", "RESENDv2".
		if tag, v, ok := tagVersionWord(w); ok {
			sub.addTag(tag)
			sub.Version = v
			continue
		}
		sub.addTag(w)
	}
}

func (sub *Subject) addTag(w string) {
	switch strings.ToUpper(w) {
	case "PATCH":
		w = "PATCH"
		sub.Patch = true
	case "RFC":
		w = "RFC"
	}
	sub.Tags = append(sub.Tags, w)
}

// versionWord reads "v5" or "V5".
func versionWord(w string) (int, bool) {
	if len(w) < 2 || (w[0] != 'v' && w[0] != 'V') {
		return 0, false
	}
	return smallInt(w[1:])
}

// indexWord reads "3/14" or "03/14".
func indexWord(w string) (int, int, bool) {
	a, b, ok := strings.Cut(w, "/")
	if !ok {
		return 0, 0, false
	}
	i, ok1 := smallInt(a)
	t, ok2 := smallInt(b)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return i, t, true
}

// tagVersionWord reads "PATCHv2", "PATCH-v2", "RFCv3", "RESENDv2".
func tagVersionWord(w string) (string, int, bool) {
	u := strings.ToUpper(w)
	for _, tag := range []string{"PATCH", "RFC", "RESEND"} {
		if !strings.HasPrefix(u, tag) {
			continue
		}
		r := strings.TrimPrefix(u[len(tag):], "-")
		if v, ok := versionWord(r); ok {
			return w[:len(tag)], v, true
		}
	}
	return "", 0, false
}

// smallInt parses a run of 1 to 6 decimal digits.
func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// SortSeries puts the messages of a series in reading order, in place:
//
//  1. Patch messages — a subject that ParseSubject reads as Patch and not
//     Reply — by Version, then Index (so a cover letter, index 0, comes
//     before its patches), ties kept in input order.
//  2. Each other message goes right after the message it replies to (its
//     InReplyTo equal to that message's MessageID; the first message with
//     that ID), after that message's earlier replies: threads read depth
//     first, siblings in input order.
//  3. Messages that reply to nothing in the set (or whose parent chain is
//     a cycle) come last in input order, each followed by its replies.
//
// Input order is the order of ms on entry. Every message stays in ms
// exactly once.
func SortSeries(ms []*Message) {
	n := len(ms)
	if n < 2 {
		return
	}
	orig := append([]*Message(nil), ms...)
	byID := map[string]int{}
	for i, m := range orig {
		if m == nil || m.MessageID == "" {
			continue
		}
		if _, dup := byID[m.MessageID]; !dup {
			byID[m.MessageID] = i
		}
	}
	type key struct{ version, index int }
	var roots []int
	keys := make([]key, n)
	isRoot := make([]bool, n)
	for i, m := range orig {
		if m == nil {
			continue
		}
		s := ParseSubject(m.Subject)
		if s.Patch && !s.Reply {
			roots = append(roots, i)
			isRoot[i] = true
			keys[i] = key{s.Version, s.Index}
		}
	}
	sort.SliceStable(roots, func(a, b int) bool {
		ka, kb := keys[roots[a]], keys[roots[b]]
		if ka.version != kb.version {
			return ka.version < kb.version
		}
		return ka.index < kb.index
	})
	// parent[i] is the index of the message i replies to, or -1.
	parent := make([]int, n)
	children := make([][]int, n)
	for i, m := range orig {
		parent[i] = -1
		if m == nil || isRoot[i] || m.InReplyTo == "" {
			continue
		}
		if p, ok := byID[m.InReplyTo]; ok && p != i {
			parent[i] = p
			children[p] = append(children[p], i)
		}
	}
	done := make([]bool, n)
	out := make([]*Message, 0, n)
	var emit func(i int)
	emit = func(i int) {
		// Iterative over the thread, to bound the stack on long chains.
		stack := []int{i}
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if done[j] {
				continue
			}
			done[j] = true
			out = append(out, orig[j])
			for k := len(children[j]) - 1; k >= 0; k-- {
				if !done[children[j][k]] {
					stack = append(stack, children[j][k])
				}
			}
		}
	}
	for _, r := range roots {
		emit(r)
	}
	for i := range orig {
		if !done[i] && parent[i] < 0 {
			emit(i)
		}
	}
	for i := range orig {
		if !done[i] {
			emit(i)
		}
	}
	copy(ms, out)
}
