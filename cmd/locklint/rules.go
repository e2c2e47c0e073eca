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
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules in effect (with the configuration's rules files, disabled rules and severities)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			printRules(cmd.OutOrStdout(), s)
			return nil
		},
	}
	addRuleFlags(cmd.Flags())
	return cmd
}

// printRules lists every rule with its kind and the severity it has in
// this configuration ("off" when disabled, or left out by --enable).
func printRules(w io.Writer, s *settings) {
	set := s.set
	type row struct{ id, kind, sev, eras string }
	seen := map[string]*row{}
	var order []string
	for _, r := range set.Rules {
		if x, ok := seen[r.ID]; ok {
			x.eras = fmt.Sprintf("%d eras", strings.Count(x.eras, "|")+2)
			continue
		}
		seen[r.ID] = &row{r.ID, r.Kind, string(r.Severity), ""}
		order = append(order, r.ID)
	}
	for _, b := range rules.Builtins {
		if _, ok := seen[b.ID]; !ok {
			seen[b.ID] = &row{b.ID, b.Kind, string(b.Severity), ""}
			order = append(order, b.ID)
		}
	}
	sort.Strings(order)
	for _, id := range order {
		r := seen[id]
		sev := r.sev
		if v, ok := s.severity[id]; ok {
			sev = string(v)
		}
		if s.disable[id] || len(s.enable) > 0 && !s.enable[id] {
			sev = "off"
		}
		fmt.Fprintf(w, "%-28s %-13s %-8s %s\n", report.Clean(r.id), report.Clean(r.kind), sev, r.eras)
	}
	fmt.Fprintf(w, "\nlock classes: %s\nsources: %s\n", strings.Join(set.LockNames(), ", "), strings.Join(set.Sources, ", "))
	if s.configFile != "" {
		fmt.Fprintf(w, "configuration: %s\n", report.Clean(s.configFile))
	}
}

func newExplainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "explain RULE-ID",
		Short: "Explain a rule: what it checks, where it comes from, a bad and a good example",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			text, ok := report.Explain(s.set, args[0])
			if !ok {
				return &exitError{exitUsage, fmt.Errorf("no rule %q (see locklint rules)", args[0])}
			}
			fmt.Fprint(cmd.OutOrStdout(), text) // report.Explain cleans what came from rules files
			id := args[0]
			switch {
			case s.disable[id] || len(s.enable) > 0 && !s.enable[id]:
				fmt.Fprintf(cmd.OutOrStdout(), "\nIn this configuration: off (%s)\n", report.Clean(s.configOrFlags()))
			case s.severity[id] != "":
				fmt.Fprintf(cmd.OutOrStdout(), "\nIn this configuration: %s (%s)\n", s.severity[id], report.Clean(s.configOrFlags()))
			}
			return nil
		},
	}
	addRuleFlags(cmd.Flags())
	return cmd
}
