package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/locklint/locklint/diffscan"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/report"
	"github.com/locklint/locklint/rules"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// configNames are the configuration files looked for from the current
// directory upward.
var configNames = []string{".locklint.yaml", ".locklint.yml"}

// settings are the options of a run after flags, environment
// (LOCKLINT_*) and the configuration file are merged, in that order of
// precedence.
type settings struct {
	format, output, failOn, color string
	rules                         []string
	disable, enable               map[string]bool
	severity                      map[string]rules.Severity
	jobs                          int
	noQuoted, showFixed           bool
	allowUnchecked, verbose       bool
	tree                          string
	noTree                        bool
	callers                       bool
	baseline, writeBaseline       string
	configFile                    string

	set *rules.Set
}

// addRuleFlags declares the flags that say which rules are in effect:
// every command that reads rules has them.
func addRuleFlags(f *pflag.FlagSet) {
	f.StringArray("rules", nil, "extra rules `FILE` (YAML, TOML or JSON) on top of the embedded defaults; repeatable")
	f.StringSlice("disable", nil, "rule `IDS` to turn off (comma-separated)")
	f.StringSlice("enable", nil, "check only these rule `IDS` (comma-separated)")
	f.StringToString("severity", nil, "override severities: `ID=LEVEL`,... (error, warning, info)")
	f.String("config", "", "configuration `FILE` (default: .locklint.yaml here or in a parent directory)")
	f.BoolP("verbose", "v", false, "say which configuration and tree were used and what was skipped; with --stats, list each function whose body did not parse cleanly")
}

// addCallersFlag declares --callers, for the commands that check patches
// against a tree.
func addCallersFlag(f *pflag.FlagSet) {
	f.Bool("callers", true, "with a tree: also analyze the files anywhere in it that call a function, not static, a patch changes (at most "+
		strconv.Itoa(diffscan.MaxCallerFiles)+" files a function), so that a caller elsewhere holding a lock counts")
}

// addOutputFlags declares the flags every analyzing command has.
func addOutputFlags(f *pflag.FlagSet) {
	addRuleFlags(f)
	f.String("format", "text", "output `FORMAT`: "+strings.Join(report.Formats(), ", "))
	f.StringP("output", "o", "", "write the report to `FILE` instead of standard output")
	f.String("fail-on", "error", "exit 1 when a finding is at or above `LEVEL`: error, warning or none")
	f.String("color", "auto", "colour the text output: auto (on a terminal, unless NO_COLOR is set), always, never")
	f.IntP("jobs", "j", 0, "parallel workers (default: all cores)")
	f.Bool("no-quoted", false, "skip patches that are only quoted in replies")
	f.Bool("show-fixed", false, "also show the findings a series fixes")
	f.String("baseline", "", "leave out the findings recorded in `FILE`")
	f.String("write-baseline", "", "record the findings in `FILE` (they are still reported)")
	f.Bool("allow-unchecked", false, "exit 0 even when some input could not be analyzed (a hunk that could not be recovered)")
	f.Int64("max-file-size", parse.DefaultMaxInputBytes, "refuse input files larger than `BYTES`")
}

// settingNames are the keys a configuration file may hold: the flags of
// the analyzing commands. A command without some of them (rules,
// explain) reads the same file and uses what it has.
func settingNames() map[string]bool {
	f := pflag.NewFlagSet("", pflag.ContinueOnError)
	addOutputFlags(f)
	names := map[string]bool{"tree": true, "no-tree": true, "callers": true}
	f.VisitAll(func(fl *pflag.Flag) { names[fl.Name] = true })
	return names
}

// loadSettings merges the configuration file, LOCKLINT_* variables and
// the command's flags.
func loadSettings(cmd *cobra.Command) (*settings, error) {
	v := viper.New()
	v.SetEnvPrefix("LOCKLINT")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(cmd.Flags()); err != nil {
		return nil, usage(err)
	}
	cfg, _ := cmd.Flags().GetString("config")
	if cfg == "" {
		cfg = os.Getenv("LOCKLINT_CONFIG")
	}
	if cfg == "" {
		cfg = findConfig()
	}
	if cfg != "" {
		v.SetConfigFile(cfg)
		if filepath.Ext(cfg) == "" {
			v.SetConfigType("yaml")
		}
		if err := v.ReadInConfig(); err != nil {
			return nil, usage(fmt.Errorf("%s: %w", cfg, err))
		}
		if err := checkKeys(v, cmd, cfg); err != nil {
			return nil, err
		}
	}
	if err := checkTypes(v, cmd, cfg); err != nil {
		return nil, err
	}
	s := &settings{
		format: v.GetString("format"), output: v.GetString("output"), failOn: v.GetString("fail-on"),
		color: v.GetString("color"), jobs: v.GetInt("jobs"), noQuoted: v.GetBool("no-quoted"),
		showFixed: v.GetBool("show-fixed"), baseline: v.GetString("baseline"),
		writeBaseline: v.GetString("write-baseline"), configFile: cfg,
		allowUnchecked: v.GetBool("allow-unchecked"), verbose: v.GetBool("verbose"),
		disable: map[string]bool{}, enable: map[string]bool{}, severity: map[string]rules.Severity{},
	}
	if cmd.Flags().Lookup("callers") != nil {
		s.callers = v.GetBool("callers")
	}
	if cmd.Flags().Lookup("tree") != nil {
		s.tree = v.GetString("tree")
		s.noTree = v.GetBool("no-tree")
		if s.tree != "" && s.noTree && cmd.Flags().Changed("tree") && cmd.Flags().Changed("no-tree") {
			return nil, usage(fmt.Errorf("--tree and --no-tree do not go together"))
		}
		if cmd.Flags().Changed("no-tree") {
			s.tree = "" // the flag over a configured tree
		}
	}
	where := "flag, LOCKLINT_* or " + cfg
	if cfg == "" {
		where = "flag or LOCKLINT_* variable"
	}
	// rules files named in the configuration are relative to it
	for _, r := range v.GetStringSlice("rules") {
		if cfg != "" && !cmd.Flags().Changed("rules") && !filepath.IsAbs(r) {
			r = filepath.Join(filepath.Dir(cfg), r)
		}
		s.rules = append(s.rules, r)
	}
	set, err := loadRules(s.rules)
	if err != nil {
		return nil, err
	}
	s.set = set
	known := map[string]bool{}
	for _, id := range ruleIDs(set) {
		known[id] = true
	}
	for _, id := range splitList(v.GetStringSlice("disable")) {
		if !known[id] {
			return nil, usage(fmt.Errorf("disable: no rule %q (%s); see `locklint rules`", id, where))
		}
		s.disable[id] = true
	}
	for _, id := range splitList(v.GetStringSlice("enable")) {
		if !known[id] {
			return nil, usage(fmt.Errorf("enable: no rule %q (%s); see `locklint rules`", id, where))
		}
		s.enable[id] = true
	}
	for id, sev := range v.GetStringMapString("severity") {
		if !known[id] {
			return nil, usage(fmt.Errorf("severity: no rule %q (%s)", id, where))
		}
		switch rules.Severity(sev) {
		case rules.Error, rules.Warning, rules.Info:
			s.severity[id] = rules.Severity(sev)
		default:
			return nil, usage(fmt.Errorf("severity of %s: %q is not error, warning or info (%s)", id, sev, where))
		}
	}
	if s.verbose {
		if cfg != "" {
			fmt.Fprintf(cmd.ErrOrStderr(), "locklint: configuration from %s\n", report.Clean(cfg))
		} else {
			fmt.Fprintf(cmd.ErrOrStderr(), "locklint: no configuration file (looked for %s from here upward)\n", strings.Join(configNames, ", "))
		}
	}
	if cmd.Flags().Lookup("format") == nil {
		return s, nil // rules, explain: no report to write
	}
	maxJobs := max(1024, 4*runtime.NumCPU())
	switch {
	case !v.IsSet("jobs"):
		s.jobs = runtime.GOMAXPROCS(0)
	case s.jobs < 1 || s.jobs > maxJobs:
		return nil, usage(fmt.Errorf("--jobs: %d is not between 1 and %d (%s)", s.jobs, maxJobs, where))
	}
	parse.MaxInputBytes = v.GetInt64("max-file-size")
	if parse.MaxInputBytes < 1 {
		return nil, usage(fmt.Errorf("--max-file-size: %d is not a size in bytes (%s)", parse.MaxInputBytes, where))
	}
	switch s.failOn {
	case "error", "warning", "info", "none":
	default:
		return nil, usage(fmt.Errorf("--fail-on: %q is not error, warning, info or none", s.failOn))
	}
	switch s.color {
	case "auto", "always", "never":
	default:
		return nil, usage(fmt.Errorf("--color: %q is not auto, always or never", s.color))
	}
	if !contains(report.Formats(), s.format) {
		return nil, usage(fmt.Errorf("--format: %q is not one of %s", s.format, strings.Join(report.Formats(), ", ")))
	}
	return s, nil
}

// configOrFlags names where the settings came from, for messages.
func (s *settings) configOrFlags() string {
	if s.configFile != "" {
		return s.configFile
	}
	return "flags or LOCKLINT_* variables"
}

// findConfig looks for a configuration file from the current directory
// upward.
func findConfig() string {
	cfg := ""
	upward(func(dir string) bool {
		for _, n := range configNames {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				cfg = p
				return true
			}
		}
		return false
	})
	return cfg
}

// checkKeys rejects configuration keys no flag has: a typo should not be
// silently ignored.
func checkKeys(v *viper.Viper, cmd *cobra.Command, cfg string) error {
	var bad []string
	known := settingNames()
	for _, k := range v.AllKeys() {
		top := strings.SplitN(k, ".", 2)[0]
		if !known[top] && cmd.Flags().Lookup(top) == nil {
			bad = append(bad, top)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return usage(fmt.Errorf("%s: unknown setting %s", cfg, strings.Join(bad, ", ")))
	}
	return nil
}

// checkTypes rejects values that are not of their setting's type: with
// viper, `jobs: many` would read as 0 and `severity: error` as no
// overrides at all, silently.
func checkTypes(v *viper.Viper, cmd *cobra.Command, cfg string) error {
	var bad error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if bad != nil || !v.IsSet(f.Name) || cmd.Flags().Changed(f.Name) {
			return
		}
		val := v.Get(f.Name)
		var err error
		switch f.Value.Type() {
		case "bool":
			_, err = cast.ToBoolE(val)
		case "int", "int64":
			_, err = cast.ToInt64E(val)
			if s, ok := val.(string); ok && err == nil {
				// cast reads "010" as octal; a setting is decimal
				_, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			}
		case "stringSlice", "stringArray":
			switch val.(type) {
			case string, []any, []string:
				_, err = cast.ToStringSliceE(val)
			default:
				err = fmt.Errorf("a list of strings is wanted")
			}
		case "stringToString":
			switch val.(type) {
			case map[string]any, map[string]string:
				_, err = cast.ToStringMapStringE(val)
			case string:
				// LOCKLINT_SEVERITY=id=level,id=level
				if !strings.Contains(val.(string), "=") && strings.TrimSpace(val.(string)) != "" {
					err = fmt.Errorf("a map of rule id to level is wanted (id: level)")
				}
			default:
				err = fmt.Errorf("a map of rule id to level is wanted (id: level)")
			}
		case "string":
			switch val.(type) {
			case map[string]any, []any:
				err = fmt.Errorf("a single value is wanted")
			}
		}
		if err != nil {
			where := "LOCKLINT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			if cfg != "" && v.InConfig(f.Name) && os.Getenv(where) == "" {
				where = cfg
			}
			bad = usage(fmt.Errorf("%s: %s: %v is not valid: %v", where, f.Name, val, err))
		}
	})
	return bad
}

func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			out = append(out, p)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ruleIDs are the ids of the set's rules, the built-ins and the findings
// about suppressions.
func ruleIDs(set *rules.Set) []string {
	return append(report.RuleIDs(set), report.RuleUnusedSuppression, report.RuleBadSuppression)
}

func usage(err error) error { return &exitError{exitUsage, err} }
