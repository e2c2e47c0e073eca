package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
	"github.com/spf13/cobra"
)

func loadRules(files []string) (*rules.Set, error) {
	set, err := rules.Load(files...)
	if err != nil {
		return nil, &exitError{exitUsage, err}
	}
	return set, nil
}

func newRulesCmd() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules in effect",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := loadRules(files)
			if err != nil {
				return err
			}
			printRules(cmd.OutOrStdout(), set)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&files, "rules", nil, "extra rules `FILE` (YAML, TOML or JSON); repeatable")
	return cmd
}

func printRules(w io.Writer, set *rules.Set) {
	type row struct{ id, kind, sev, eras, src string }
	seen := map[string]*row{}
	var order []string
	for _, r := range set.Rules {
		if x, ok := seen[r.ID]; ok {
			x.eras = fmt.Sprintf("%d eras", strings.Count(x.eras, "|")+2)
			continue
		}
		seen[r.ID] = &row{r.ID, r.Kind, string(r.Severity), "", r.File}
		order = append(order, r.ID)
	}
	for _, b := range rules.Builtins {
		if _, ok := seen[b.ID]; !ok {
			seen[b.ID] = &row{b.ID, b.Kind, string(b.Severity), "", "built-in"}
			order = append(order, b.ID)
		}
	}
	sort.Strings(order)
	for _, id := range order {
		r := seen[id]
		fmt.Fprintf(w, "%-28s %-13s %-8s %s\n", r.id, r.kind, r.sev, r.eras)
	}
	fmt.Fprintf(w, "\nlock classes: %s\nsources: %s\n", strings.Join(set.LockNames(), ", "), strings.Join(set.Sources, ", "))
}

func newExplainCmd() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "explain RULE-ID",
		Short: "Explain a rule: what it checks, where it comes from, a bad and a good example",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := loadRules(files)
			if err != nil {
				return err
			}
			text, ok := explain(set, args[0])
			if !ok {
				return &exitError{exitUsage, fmt.Errorf("no rule %q (see locklint rules)", args[0])}
			}
			fmt.Fprint(cmd.OutOrStdout(), text)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&files, "rules", nil, "extra rules `FILE`; repeatable")
	return cmd
}

// explain renders a rule's documentation, every era of it.
func explain(set *rules.Set, id string) (string, bool) { return report.Explain(set, id) }
