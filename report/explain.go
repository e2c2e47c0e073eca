package report

import (
	"fmt"
	"strings"

	"github.com/locklint/locklint/rules"
)

// Explain is a rule's documentation, every era of it (what `locklint
// explain ID` prints); false when set has no rule id, no built-in has
// it, and it is not one of the suppression findings.
func Explain(set *rules.Set, id string) (string, bool) {
	entries := ruleEntries(set, id)
	if len(entries) == 0 {
		entries = suppressionEntries(id)
	}
	return helpText(entries), len(entries) > 0
}

// ruleEntries returns every entry (every era) of a rule: the set's, or
// else the built-in one.
func ruleEntries(set *rules.Set, id string) []*rules.Rule {
	var out []*rules.Rule
	if set != nil {
		for _, r := range set.Rules {
			if r.ID == id {
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		for _, b := range rules.Builtins {
			if b.ID == id {
				out = append(out, b)
			}
		}
	}
	return out
}

// suppressionRules document the findings ApplySuppressions makes, for
// `locklint explain`: they are not rules of the set, but a user who
// sees one in the output asks what it means like for any other.
var suppressionRules = []*rules.Rule{
	{ID: RuleBadSuppression, Kind: "suppression", Severity: rules.Error, Source: "locklint suppressions",
		Message: "a `locklint:` comment that is not `" + suppressionSyntax + "`",
		Explain: "A suppression must name the rules it silences and say why the finding is wrong there, after ` -- `. " +
			"A malformed one (no rule, an unknown directive, no reason) silences nothing, so the finding it meant to hide is still reported, and so is the comment.",
		Bad: "vmlist_modify_lock(mm);\navl_remove(mm, vma);\nvmlist_modify_unlock(mm);\n" +
			"/* locklint: ignore vma-list-modify */\nvma->vm_end = end;",
		Good: "vmlist_modify_lock(mm);\navl_remove(mm, vma);\nvmlist_modify_unlock(mm);\n" +
			"/* locklint: ignore vma-list-modify -- unlinked above, the vma is ours alone */\nvma->vm_end = end;"},
	{ID: RuleUnusedSuppression, Kind: "suppression", Severity: rules.Warning, Source: "locklint suppressions",
		Message: "suppression of RULE is not used; remove it",
		Explain: "A suppression that matches no finding on its line (the code was fixed, or moved, or the rule id is misspelt) is reported, " +
			"so that stale suppressions do not pile up and one that silences nothing is not mistaken for one that works.",
		Bad:  "/* locklint: ignore double-acquire -- taken once only */\nspin_lock(&l);\nspin_unlock(&l);",
		Good: "spin_lock(&l);\nspin_unlock(&l);"},
}

func suppressionEntries(id string) []*rules.Rule {
	for _, r := range suppressionRules {
		if r.ID == id {
			return []*rules.Rule{r}
		}
	}
	return nil
}

// Everything below renders text that comes from rules files, which may
// be a stranger's (a pull request can add one through .locklint.yaml):
// each line goes through Clean, so explain on a terminal, in a CI log or
// in SARIF help never carries a control character or bidi override.

// helpText is a rule's documentation, every era of it, as
// `locklint explain` shows it.
func helpText(entries []*rules.Rule) string {
	if len(entries) == 0 {
		return ""
	}
	var sb strings.Builder
	first := entries[0]
	fmt.Fprintf(&sb, "%s (%s, %s)\n\n", Clean(first.ID), Clean(first.Kind), Clean(string(first.Severity)))
	for _, r := range entries {
		if len(entries) > 1 {
			fmt.Fprintf(&sb, "when the input calls %s:\n", Clean(strings.Join(r.When, ", ")))
		}
		for _, kv := range [][2]string{
			{"message: ", r.Message},
			{"source:  ", r.Source},
			{"fields:  ", strings.Join(r.Fields, ", ") + readsToo(r)},
			{"locks:   ", strings.Join(r.Locks, " or ") + takenHere(r)},
			{"order:   ", strings.Join(r.Order, " -> ")},
			{"in:      ", strings.Join(r.In, ", ")},
		} {
			if kv[1] != "" {
				sb.WriteString("  " + kv[0] + Clean(kv[1]) + "\n")
			}
		}
		sb.WriteString("\n")
	}
	for _, r := range entries {
		if r.Explain != "" {
			sb.WriteString(indentBlock(r.Explain) + "\n")
		}
		if r.Bad != "" {
			sb.WriteString("Bad:\n" + indentBlock(r.Bad) + "\n")
		}
		if r.Good != "" {
			sb.WriteString("Good:\n" + indentBlock(r.Good) + "\n")
		}
	}
	return sb.String()
}

// takenHere says, after a requires rule's locks, that a caller's lock
// does not count (the rule's taken-here key).
// readsToo says that a guarded rule covers reads of its fields.
func readsToo(r *rules.Rule) string {
	if r.Reads && len(r.Fields) > 0 {
		return " (reads too)"
	}
	return ""
}

func takenHere(r *rules.Rule) string {
	if r.TakenHere && len(r.Locks) > 0 {
		return ", taken in the calling function itself"
	}
	return ""
}

// helpMarkdown is helpText as Markdown, the examples in C code blocks.
func helpMarkdown(entries []*rules.Rule) string {
	if len(entries) == 0 {
		return ""
	}
	var sb strings.Builder
	first := entries[0]
	fmt.Fprintf(&sb, "**%s** (%s, %s)\n\n", Clean(first.ID), Clean(first.Kind), Clean(string(first.Severity)))
	for _, r := range entries {
		if len(entries) > 1 {
			fmt.Fprintf(&sb, "When the input calls %s:\n\n", Clean("`"+strings.Join(r.When, "`, `")+"`"))
		}
		for _, kv := range [][2]string{{"message", r.Message}, {"source", r.Source}} {
			if kv[1] != "" {
				fmt.Fprintf(&sb, "- %s: %s\n", kv[0], Clean(kv[1]))
			}
		}
		for _, kv := range [][2]string{
			{"fields", strings.Join(r.Fields, ", ")},
			{"locks", strings.Join(r.Locks, " or ")},
			{"order", strings.Join(r.Order, " -> ")},
			{"in", strings.Join(r.In, ", ")},
		} {
			if kv[1] != "" {
				more := ""
				if kv[0] == "locks" {
					more = takenHere(r)
				}
				fmt.Fprintf(&sb, "- %s: `%s`%s\n", kv[0], Clean(kv[1]), more)
			}
		}
		sb.WriteString("\n")
	}
	for _, r := range entries {
		if r.Explain != "" {
			sb.WriteString(cleanBlock(r.Explain, "") + "\n")
		}
		if r.Bad != "" {
			sb.WriteString("Bad:\n\n" + codeBlock(r.Bad))
		}
		if r.Good != "" {
			sb.WriteString("Good:\n\n" + codeBlock(r.Good))
		}
	}
	return strings.TrimRight(sb.String(), "\n") + "\n"
}

// codeBlock fences C code for Markdown. The fence is longer than any run
// of backticks in the code, so the code cannot close it early.
func codeBlock(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "c\n" + cleanBlock(s, "") + fence + "\n\n"
}

// indentBlock indents a block of text by four spaces for explain.
func indentBlock(s string) string { return cleanBlock(s, "    ") }

// cleanBlock is s, each line cleaned and indented, without trailing
// white space (a blank line stays empty, not four spaces), ending in a
// newline.
func cleanBlock(s, indent string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(Clean(l), " \t")
		if l != "" {
			l = indent + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n") + "\n"
}
