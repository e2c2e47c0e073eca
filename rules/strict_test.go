package rules

import (
	"reflect"
	"strings"
	"testing"
)

// A valid rule and lock class to build the bad cases around, so each
// case has exactly one problem.
const okLock = "locks:\n  biglock:\n    acquire: [\"lock_kernel()\"]\n    release: [\"unlock_kernel()\"]\n"

// TestUnknownKeysAndTypes: each mistake is refused with the file, the
// line and column of the key (or value), what is wrong, and the key
// probably meant.
func TestUnknownKeysAndTypes(t *testing.T) {
	for _, tc := range []struct {
		name, format, data string
		want               string // the whole error, after "f.<format>:"
	}{
		// YAML: positions from the yaml nodes.
		{"yaml top-level typo", "yaml", "rule:\n  - id: x\n",
			`1:1: top level: unknown key "rule"; did you mean "rules"?`},
		{"yaml top-level stranger", "yaml", "version: 1\nlocklint: true\n",
			`2:1: top level: unknown key "locklint" (valid keys: version, locks, rules)`},
		{"yaml lock key", "yaml", "locks:\n  biglock:\n    aquire: [\"lock_kernel()\"]\n    release: [\"unlock_kernel()\"]\n",
			`3:5: lock biglock: unknown key "aquire"; did you mean "acquire"?`},
		{"yaml lock key underscore", "yaml", okLock + "    try_zero: [\"x($l)\"]\n",
			`5:5: lock biglock: unknown key "try_zero"; did you mean "try-zero"?`},
		{"yaml rule key", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    mesage: m\n    calls: [\"f()\"]\n",
			`4:5: rule r: unknown key "mesage"; did you mean "message"?`},
		{"yaml rule key case", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    Message: m\n    calls: [\"f()\"]\n",
			`4:5: rule r: unknown key "Message"; did you mean "message"?`},
		{"yaml rule key swapped letters", "yaml", "rules:\n  - id: r\n    kidn: forbid-call\n    message: m\n    calls: [\"f()\"]\n",
			`3:5: rule r: unknown key "kidn"; did you mean "kind"?`},
		{"yaml rule without id", "yaml", "rules:\n  - kind: forbid-call\n    message: m\n    cals: [\"f()\"]\n",
			`4:5: rule 1: unknown key "cals"; did you mean "calls"?`},
		{"yaml no obvious key", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    message: m\n    calls: [\"f()\"]\n    zzz: 1\n",
			`6:5: rule r: unknown key "zzz" (valid keys: id, kind, severity, message, source, when, explain, bad, good, fields, locks, fresh, publish, calls, in, instance-from, order, first, taken-here, reads)`},
		{"yaml string for list", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    message: m\n    calls: f()\n",
			`5:12: rule r: calls: want a list of strings, not the string "f()" (write ["f()"] for one)`},
		{"yaml number in list", "yaml", okLock + "rules:\n  - id: r\n    kind: requires\n    message: m\n    calls: [\"f()\"]\n    locks: [biglock, 7]\n",
			`10:22: rule r: locks: want a string in the list, not the integer 7`},
		{"yaml map for string", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    message: {text: m}\n    calls: [\"f()\"]\n",
			`4:14: rule r: message: want a string, not a map`},
		{"yaml number for severity", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    severity: 2\n    message: m\n    calls: [\"f()\"]\n",
			`4:15: rule r: severity: want error, warning or info, not the integer 2`},
		{"yaml unknown severity", "yaml", "rules:\n  - id: r\n    kind: forbid-call\n    severity: fatal\n    message: m\n    calls: [\"f()\"]\n",
			`4:15: rule r: severity: "fatal" is not error, warning or info`},
		{"yaml unknown kind", "yaml", "rules:\n  - id: r\n    kind: guard\n    message: m\n",
			`2: rule r: kind: unknown kind "guard"; did you mean "guarded"?`},
		{"yaml unknown kind far off", "yaml", "rules:\n  - id: r\n    kind: lockdep\n    message: m\n",
			`2: rule r: kind: unknown kind "lockdep" (guarded, requires, order, forbid-under, forbid-call, call-order)`},
		{"yaml builtin kind misspelt", "yaml", "rules:\n  - id: lock-balance\n    kind: built-in\n    message: m\n",
			`2: rule lock-balance: kind: unknown kind "built-in"; did you mean "builtin"?`},
		{"yaml number for kind", "yaml", "rules:\n  - id: r\n    kind: 3\n    message: m\n",
			`3:11: rule r: kind: want one of guarded, requires, order, forbid-under, forbid-call, call-order, not the integer 3`},
		{"yaml id with spaces", "yaml", "rules:\n  - id: \"::error x::y\"\n    kind: forbid-call\n    message: m\n    calls: [\"f()\"]\n",
			`2:9: rule 1: id: "::error x::y" is not an id (letters, digits, '-', '_' and '.')`},
		{"yaml empty id", "yaml", "rules:\n  - id: \"\"\n    kind: forbid-call\n    message: m\n    calls: [\"f()\"]\n",
			`2:9: rule 1: id: "" is not an id (letters, digits, '-', '_' and '.')`},
		{"yaml string for bool", "yaml", okLock + "    sleeps: \"yes\"\n",
			`5:13: lock biglock: sleeps: want true or false, not the string "yes"`},
		{"yaml rules not a list", "yaml", "rules:\n  id: r\n",
			`1:1: top level: rules: want a list of rules, not a map`},
		{"yaml rule not a map", "yaml", "rules:\n  - forbid-call\n",
			`2:5: rule 1: want a map of id, kind, severity, message, source, when, explain, bad, good, fields, locks, fresh, publish, calls, in, instance-from, order, first, taken-here, reads, not the string "forbid-call"`},
		{"yaml lock not a map", "yaml", "locks:\n  biglock: [lock_kernel]\n",
			`2:3: lock biglock: want a map of doc, acquire, try, try-zero, acquire-nonnull, release, held, sleeps, single, spin, not a list`},
		{"yaml top level a list", "yaml", "- rules\n",
			`1:1: top level: want a map with version, locks and rules, not a list`},
		{"yaml version", "yaml", "version: 2\n",
			`1:1: top level: version: unsupported version 2 (this locklint reads version 1)`},
		{"yaml version string", "yaml", "version: one\n",
			`1:1: top level: version: want the integer 1, not the string "one"`},
		{"yaml merge key keeps positions", "yaml", "x: &k {message: m}\n",
			`1:1: top level: unknown key "x" (valid keys: version, locks, rules)`},

		// JSON: positions from the decoder's offsets.
		{"json top-level", "json", "{\"rules\": [],\n \"extra\": 1}",
			`2:2: top level: unknown key "extra" (valid keys: version, locks, rules)`},
		{"json lock key", "json", `{"locks": {"l": {"acquire": ["a($x)"], "relase": ["b($x)"]}}}`,
			`1:40: lock l: unknown key "relase"; did you mean "release"?`},
		{"json rule key", "json", "{\"rules\": [\n  {\"id\": \"r\", \"kind\": \"forbid-call\", \"mesage\": \"m\", \"calls\": [\"f()\"]}]}",
			`2:38: rule r: unknown key "mesage"; did you mean "message"?`},
		{"json string for list", "json", `{"rules": [{"id": "r", "kind": "forbid-call", "message": "m", "calls": "f()"}]}`,
			`1:72: rule r: calls: want a list of strings, not the string "f()" (write ["f()"] for one)`},
		{"json number for severity", "json", `{"rules": [{"id": "r", "kind": "forbid-call", "message": "m", "calls": ["f()"], "severity": 3}]}`,
			`1:93: rule r: severity: want error, warning or info, not the integer 3`},
		{"json unknown kind", "json", `{"rules": [{"id": "r", "kind": "forbid", "message": "m"}]}`,
			`1: rule r: kind: unknown kind "forbid" (guarded, requires, order, forbid-under, forbid-call, call-order)`},
		{"json key twice", "json", `{"rules": [{"id": "r", "kind": "forbid-call", "message": "m", "message": "n", "calls": ["f()"]}]}`,
			`1:63: rule r: message given twice (first at line 1)`},

		// TOML: positions from go-toml's parser.
		{"toml lock key", "toml", "[locks.l]\nacquire = [\"a($x)\"]\nrelease = [\"b($x)\"]\nspinn = true\n",
			`4:1: lock l: unknown key "spinn"; did you mean "spin"?`},
		{"toml rule key", "toml", "[[rules]]\nid = \"r\"\nkind = \"forbid-call\"\nmesage = \"m\"\ncalls = [\"f()\"]\n",
			`4:1: rule r: unknown key "mesage"; did you mean "message"?`},
		{"toml second rule", "toml", "[[rules]]\nid = \"r\"\nkind = \"forbid-call\"\nmessage = \"m\"\ncalls = [\"f()\"]\n\n[[rules]]\nid = \"s\"\nkind = \"forbid_call\"\nmessage = \"m\"\ncalls = [\"f()\"]\n",
			`7: rule s: kind: unknown kind "forbid_call"; did you mean "forbid-call"?`},
		{"toml string for list", "toml", "[[rules]]\nid = \"r\"\nkind = \"forbid-call\"\nmessage = \"m\"\ncalls = \"f()\"\n",
			`5:9: rule r: calls: want a list of strings, not the string "f()" (write ["f()"] for one)`},
		{"toml number for severity", "toml", "[[rules]]\nid = \"r\"\nkind = \"forbid-call\"\nseverity = 2\nmessage = \"m\"\ncalls = [\"f()\"]\n",
			`4:12: rule r: severity: want error, warning or info, not the integer 2`},
		{"toml top level", "toml", "verison = 1\n",
			`1:1: top level: unknown key "verison"; did you mean "version"?`},
		{"toml inline table", "toml", "rules = [{id = \"r\", kind = \"forbid-call\", message = \"m\", cals = [\"f()\"]}]\n",
			`1:58: rule r: unknown key "cals"; did you mean "calls"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "f." + tc.format
			_, err := LoadData(name, []byte(tc.data), tc.format)
			if err == nil {
				t.Fatalf("loaded; want %s", tc.want)
			}
			if got := strings.TrimPrefix(err.Error(), name+":"); got != tc.want {
				t.Errorf("error\n  %s\nwant\n  %s", err, name+":"+tc.want)
			}
		})
	}
}

// TestSyntaxErrorsHavePositions: a file that does not parse is refused
// at the line and column the parser names.
func TestSyntaxErrorsHavePositions(t *testing.T) {
	for _, tc := range []struct{ format, data, want string }{
		{"json", "{\"rules\": [\n  {\"id\": }]}", "f.json:2:10: "},
		{"json", "{\"rules\": []} {}", "f.json:1:15: "},
		{"toml", "[[rules]]\nid = \"r\"\nid = = \"s\"\n", "f.toml:3:6: "},
		// go-toml reports a key defined twice without a position; the
		// parser's tree gives the second one's.
		{"toml", "[[rules]]\nid = \"r\"\nid = \"s\"\n", "f.toml:3:1: key id is already defined"},
		{"toml", "[locks.l]\nacquire = [\"a()\"]\n\n[locks.l]\nrelease = [\"b()\"]\n", "f.toml: toml: table l already exists"},
		{"yaml", "rules:\n  - id: r\n    kind: [x\n", "f.yaml:2: did not find expected"},
	} {
		_, err := LoadData("f."+tc.format, []byte(tc.data), tc.format)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want it to start %q", tc.format, tc.data, err, tc.want)
		}
	}
}

// TestYAMLAliasBomb: aliases that would expand to billions of values are
// refused, not expanded.
func TestYAMLAliasBomb(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		sb.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("*a" + string(rune('0'+i-1)))
		}
		sb.WriteString("]\n")
	}
	_, err := LoadData("bomb.yaml", []byte(sb.String()), "yaml")
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml") || !strings.Contains(err.Error(), "expand") {
		t.Errorf("alias bomb: %v", err)
	}
}

// TestEveryKeyDecoded sets every key of the schema, in each format, and
// checks each lands in its field: a key the schema accepts but the
// decoder drops would otherwise be the silent loss this check exists to
// prevent.
func TestEveryKeyDecoded(t *testing.T) {
	yamlFile := `version: 1
locks:
  BigLock:
    doc: d
    acquire: ["a1($l)"]
    try: ["a2($l)"]
    try-zero: ["a3($l)"]
    acquire-nonnull: ["a4(_, &$l)"]
    release: ["r($l)"]
    held: ["h($l)"]
    sleeps: true
    single: true
    spin: true
rules:
  - id: every
    kind: requires
    severity: info
    message: m
    source: s
    when: [w]
    explain: e
    bad: b
    good: g
    fields: [vm_area_struct.vm_start]
    locks: [BigLock]
    fresh: ["f1(...)"]
    publish: ["p1(...)"]
    calls: ["c1(...)"]
    in: [fn]
    instance-from: ["i1(...)"]
    order: [BigLock, page]
    first: ["f0(...)"]
    taken-here: true
    reads: true
`
	tree, err := buildTree([]byte(yamlFile), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if errs := checkTree("every.yaml", tree); len(errs) > 0 {
		t.Fatal(errs)
	}
	raw := decodeTree(tree)
	if len(raw.Locks) != 1 || len(raw.Rules) != 1 {
		t.Fatalf("decoded %d locks, %d rules", len(raw.Locks), len(raw.Rules))
	}
	for _, v := range []any{raw.Locks[0].rawLock, raw.Rules[0]} {
		rv := reflect.ValueOf(v)
		for i := 0; i < rv.NumField(); i++ {
			if rv.Type().Field(i).IsExported() && rv.Field(i).IsZero() {
				t.Errorf("%s.%s not decoded", rv.Type().Name(), rv.Type().Field(i).Name)
			}
		}
	}
	if raw.Locks[0].name != "BigLock" || raw.Locks[0].line != 3 || raw.Rules[0].line != 15 {
		t.Errorf("lock %q at %d, rule at %d; want BigLock at 3, rule at 15", raw.Locks[0].name, raw.Locks[0].line, raw.Rules[0].line)
	}
	// The schema lists exactly the struct's fields: one per exported
	// field (plus the lock's name key and the top level's version).
	if n := reflect.TypeOf(rawLock{}).NumField(); n != len(lockFields) {
		t.Errorf("rawLock has %d fields, the schema %d keys", n, len(lockFields))
	}
	var exported int
	for i := 0; i < reflect.TypeOf(rawRule{}).NumField(); i++ {
		if reflect.TypeOf(rawRule{}).Field(i).IsExported() {
			exported++
		}
	}
	if exported != len(ruleFields) {
		t.Errorf("rawRule has %d fields, the schema %d keys", exported, len(ruleFields))
	}
}

// TestLockNamesKeepCase: a lock class name is the file's, not folded to
// lower case (viper, which read rules files before, folded every key).
func TestLockNamesKeepCase(t *testing.T) {
	for format, data := range map[string]string{
		"yaml": "locks:\n  BKL:\n    acquire: [\"lock_kernel()\"]\n    release: [\"unlock_kernel()\"]\nrules:\n  - {id: bkl, kind: requires, message: m, calls: [\"f()\"], locks: [BKL]}\n",
		"json": `{"locks": {"BKL": {"acquire": ["lock_kernel()"], "release": ["unlock_kernel()"]}}, "rules": [{"id": "bkl", "kind": "requires", "message": "m", "calls": ["f()"], "locks": ["BKL"]}]}`,
		"toml": "[locks.BKL]\nacquire = [\"lock_kernel()\"]\nrelease = [\"unlock_kernel()\"]\n\n[[rules]]\nid = \"bkl\"\nkind = \"requires\"\nmessage = \"m\"\ncalls = [\"f()\"]\nlocks = [\"BKL\"]\n",
	} {
		s, err := LoadData("f."+format, []byte(data), format)
		if err != nil {
			t.Errorf("%s: %v", format, err)
			continue
		}
		if lc := s.Locks["BKL"]; lc == nil || lc.Line == 0 {
			t.Errorf("%s: lock BKL %+v", format, lc)
		}
		if r := s.Rule("bkl"); r == nil || r.Line == 0 {
			t.Errorf("%s: rule bkl %+v", format, r)
		}
	}
}

func TestSuggestWord(t *testing.T) {
	words := []string{"id", "in", "kind", "calls", "locks", "acquire", "release", "try", "try-zero"}
	for k, want := range map[string]string{
		"aquire": "acquire", "relese": "release", "Kind": "kind", "kin": "kind", "lock": "locks",
		"try_zero": "try-zero", "tryzero": "try-zero", "ID": "id",
		"ix":      "", // one edit from both id and in: not obvious
		"x":       "", // too short to mean anything
		"foo":     "", // nothing near
		"callsss": "",
	} {
		if got := suggestWord(k, words); got != want {
			t.Errorf("suggestWord(%q) = %q, want %q", k, got, want)
		}
	}
}

// TestBuiltinSeverityOverride: a file may give a built-in's id with kind
// builtin to change its severity; the strict schema must keep allowing it.
func TestBuiltinSeverityOverride(t *testing.T) {
	s, err := LoadData("f.yaml", []byte("rules:\n  - id: lock-balance\n    kind: builtin\n    severity: warning\n    message: m\n"), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Rule("lock-balance"); r == nil || r.Severity != Warning || r.Line != 2 {
		t.Errorf("override: %+v", r)
	}
}
