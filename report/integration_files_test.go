package report

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The integration files at the repository root: the pre-commit
// framework's hooks, the GitHub Action and the CI guide.

type preCommitHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	PassFilenames *bool  `yaml:"pass_filenames"`
}

func readIntegrationYAML(t *testing.T, path string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data
}

func TestIntegrationPreCommitHooks(t *testing.T) {
	var hooks []preCommitHook
	readIntegrationYAML(t, "../.pre-commit-hooks.yaml", &hooks)
	byID := make(map[string]preCommitHook)
	for _, h := range hooks {
		if _, dup := byID[h.ID]; dup {
			t.Errorf("hook id %q twice", h.ID)
		}
		byID[h.ID] = h
		if h.Name == "" || h.Description == "" {
			t.Errorf("hook %q: name or description missing", h.ID)
		}
		if h.Language != "golang" {
			t.Errorf("hook %q: language %q, want golang", h.ID, h.Language)
		}
		re, err := regexp.Compile(h.Files)
		if err != nil {
			t.Errorf("hook %q: files: %v", h.ID, err)
			continue
		}
		for name, want := range map[string]bool{
			"mm/memory.c": true, "include/linux/mm.h": true,
			"a.cc": false, "x.py": false, "Makefile": false, "c": false,
		} {
			if re.MatchString(name) != want {
				t.Errorf("hook %q: files %q matches %s: %v, want %v", h.ID, h.Files, name, !want, want)
			}
		}
	}
	h, ok := byID["locklint"]
	switch {
	case !ok:
		t.Error("no hook locklint")
	case h.Entry != "locklint diff --cached":
		t.Errorf("locklint entry %q", h.Entry)
	case h.PassFilenames == nil || *h.PassFilenames:
		t.Error("locklint: pass_filenames must be false")
	}
	h, ok = byID["locklint-check"]
	switch {
	case !ok:
		t.Error("no hook locklint-check")
	case h.Entry != "locklint check":
		t.Errorf("locklint-check entry %q", h.Entry)
	case h.PassFilenames != nil && !*h.PassFilenames:
		t.Error("locklint-check must be passed the file names")
	}
	if len(hooks) != 2 {
		t.Errorf("%d hooks, want 2", len(hooks))
	}
}

type actionFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
	WorkingDirectory string            `yaml:"working-directory"`
}

func TestIntegrationAction(t *testing.T) {
	var a actionFile
	data := readIntegrationYAML(t, "../action.yml", &a)
	if a.Name == "" || a.Description == "" {
		t.Error("action name or description missing")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	wantDefaults := map[string]string{
		"version":           "latest",
		"args":              "diff --base origin/${{ github.base_ref }}",
		"format":            "github",
		"sarif-file":        "",
		"fail-on":           "error",
		"working-directory": ".",
	}
	for name, def := range wantDefaults {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("no input %q", name)
		case in.Description == "":
			t.Errorf("input %q has no description", name)
		case in.Default == nil || *in.Default != def:
			t.Errorf("input %q default %v, want %q", name, in.Default, def)
		}
	}
	if out, ok := a.Outputs["exit-code"]; !ok || !strings.Contains(out.Value, "steps.run.outputs.exit-code") {
		t.Errorf("output exit-code: %+v", out)
	}

	ids := make(map[string]bool)
	var setupGo, install, mainRun, sarif *actionStep
	for i := range a.Runs.Steps {
		s := &a.Runs.Steps[i]
		if s.ID != "" {
			ids[s.ID] = true
		}
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			setupGo = s
		}
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: its run script holds an expression; pass it through env", s.Name)
		}
		switch {
		case strings.Contains(s.Run, "go install"):
			install = s
		case strings.Contains(s.Run, "--format sarif"):
			sarif = s
		case s.ID == "run":
			mainRun = s
		}
	}
	if setupGo == nil || setupGo.With["go-version-file"] == "" || setupGo.With["go-version"] == "" {
		t.Errorf("setup-go step: %+v", setupGo)
	}
	if install == nil {
		t.Fatal("no go install step")
	}
	if !strings.Contains(install.Run, "github.com/locklint/locklint/cmd/locklint@") ||
		install.Env["CGO_ENABLED"] != "1" || !strings.Contains(install.Env["INPUT_VERSION"], "inputs.version") {
		t.Errorf("install step: %+v", install)
	}
	if mainRun == nil {
		t.Fatal("no step with id run")
	}
	for _, in := range []string{"args", "format", "fail-on"} {
		if !stepEnvHas(mainRun, "inputs."+in) {
			t.Errorf("run step: input %s not passed in env", in)
		}
	}
	if !strings.Contains(mainRun.WorkingDirectory, "inputs.working-directory") {
		t.Errorf("run step: working-directory %q", mainRun.WorkingDirectory)
	}
	if sarif == nil {
		t.Fatal("no SARIF step")
	}
	if !strings.Contains(sarif.If, "inputs.sarif-file") || !strings.Contains(sarif.Run, "--fail-on none") ||
		!strings.Contains(sarif.Run, "--output") || !stepEnvHas(sarif, "inputs.sarif-file") {
		t.Errorf("SARIF step: %+v", sarif)
	}

	// every inputs.X and steps.Y.outputs named anywhere exists
	for _, m := range regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("%s names an input that is not declared", m[0])
		}
	}
	for _, m := range regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs`).FindAllStringSubmatch(string(data), -1) {
		if !ids[m[1]] {
			t.Errorf("%s names a step id that does not exist", m[0])
		}
	}
}

func stepEnvHas(s *actionStep, expr string) bool {
	for _, v := range s.Env {
		if strings.Contains(v, expr) {
			return true
		}
	}
	return false
}

// markdownYAMLBlocks returns the ```yaml blocks of a markdown file.
func markdownYAMLBlocks(md string) []string {
	var blocks []string
	for _, m := range regexp.MustCompile("(?ms)^```yaml\n(.*?)^```").FindAllStringSubmatch(md, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

func TestIntegrationDocsWorkflow(t *testing.T) {
	data, err := os.ReadFile("../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := markdownYAMLBlocks(string(data))
	if len(blocks) == 0 {
		t.Fatal("docs/ci.md has no yaml block")
	}
	for i, b := range blocks {
		var v any
		if err := yaml.Unmarshal([]byte(b), &v); err != nil {
			t.Errorf("docs/ci.md yaml block %d: %v", i+1, err)
		}
	}

	var wf struct {
		On          map[string]any    `yaml:"on"` // pull_request: with no value is null
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
			Steps       []actionStep      `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(blocks[0]), &wf); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("workflow: no on.pull_request")
	}
	if len(wf.Jobs) == 0 {
		t.Fatal("workflow: no jobs")
	}
	var checkout, action, upload bool
	securityEvents := wf.Permissions["security-events"] == "write"
	for _, job := range wf.Jobs {
		securityEvents = securityEvents || job.Permissions["security-events"] == "write"
		for _, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@"):
				checkout = s.With["fetch-depth"] == "0"
			case strings.HasPrefix(s.Uses, "locklint/locklint@"):
				action = s.With["format"] == "github"
			case s.Uses == "github/codeql-action/upload-sarif@v3":
				upload = s.With["sarif_file"] != ""
			}
		}
	}
	if !checkout || !action || !upload || !securityEvents {
		t.Errorf("workflow: checkout with fetch-depth 0 %v, the action with format github %v, upload-sarif %v, security-events: write %v",
			checkout, action, upload, securityEvents)
	}

	// the pre-commit snippet names hooks that exist
	var hooks []preCommitHook
	readIntegrationYAML(t, "../.pre-commit-hooks.yaml", &hooks)
	known := make(map[string]bool)
	for _, h := range hooks {
		known[h.ID] = true
	}
	found := false
	for _, b := range blocks {
		var cfg struct {
			Repos []struct {
				Repo  string `yaml:"repo"`
				Rev   string `yaml:"rev"`
				Hooks []struct {
					ID string `yaml:"id"`
				} `yaml:"hooks"`
			} `yaml:"repos"`
		}
		if yaml.Unmarshal([]byte(b), &cfg) != nil || len(cfg.Repos) == 0 {
			continue
		}
		for _, r := range cfg.Repos {
			if r.Repo != "https://github.com/locklint/locklint" || r.Rev == "" {
				t.Errorf("pre-commit snippet: repo %q rev %q", r.Repo, r.Rev)
			}
			for _, h := range r.Hooks {
				found = true
				if !known[h.ID] {
					t.Errorf("pre-commit snippet: hook %q is not in .pre-commit-hooks.yaml", h.ID)
				}
			}
		}
	}
	if !found {
		t.Error("docs/ci.md: no pre-commit framework snippet")
	}
}
