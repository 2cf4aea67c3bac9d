package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for mailcheck when a shell calls it back (the bash completion
// script runs `mailcheck __complete ...`).
func TestMain(m *testing.M) {
	if os.Getenv("MAILCHECK_TEST_AS_BINARY") == "1" {
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errOut := run(t, nil, "completion", shell)
		if code != ExitOK || !strings.Contains(out, "mailcheck") || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: exit %d, stderr %q, script %.200q", shell, code, errOut, out)
		}
	}
}

// The flag values and URL schemes that `mailcheck __complete` offers, as every shell's script asks them.
func TestCompleteQueries(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"probe", "--starttls", ""}, []string{"no\t", "try\t", "require\t", ":4"}},
		{[]string{"probe", "--color="}, []string{"always\t"}},
		{[]string{"probe", "im"}, []string{"imaps://\t", "imap://\t", ":6"}},
		{[]string{"check", "--expect", ""}, []string{"present\t", "absent\t"}},
		{[]string{"check", "--expect=a"}, []string{"--expect=absent\t"}},
		{[]string{"check", "--plaintext-login", ""}, []string{"refused\t", "offered\t"}},
		{[]string{"check", ""}, []string{"submission://\t"}},
		{[]string{"send", "--server", ""}, []string{"submissions://\t", "smtp://\t"}},
		{[]string{"probe", "--ca-file", ""}, []string{":0"}}, // files
		{[]string{"check", "--config", ""}, []string{":0"}},
		{[]string{"explain", "--starttls", ""}, []string{"require\t"}},
	}
	for _, tc := range cases {
		code, out, errOut := run(t, nil, append([]string{"__complete"}, tc.args...)...)
		if code != ExitOK {
			t.Errorf("__complete %q: exit %d, stderr %q", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("__complete %q = %q, want %q in it", tc.args, out, w)
			}
		}
	}
}

// The bash script loads, registers mailcheck, and completes `mailcheck probe --starttls <TAB>` by asking
// the binary (this test binary, standing in for it).
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash is needed for this test: %v", err)
	}
	dir := t.TempDir()
	code, script, errOut := run(t, nil, "completion", "bash")
	if code != ExitOK {
		t.Fatalf("completion bash: exit %d, %s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "mailcheck.bash"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(dir, "mailcheck")); err != nil {
		t.Fatal(err)
	}
	// Without the bash-completion package, a minimal _get_comp_words_by_ref (the script's only need).
	const session = `
_get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
source "$DIR/mailcheck.bash"
complete -p mailcheck
COMP_WORDS=(mailcheck probe --starttls "")
COMP_CWORD=3
COMP_LINE="mailcheck probe --starttls "
COMP_POINT=${#COMP_LINE}
__start_mailcheck mailcheck "" --starttls 2>/dev/null
printf 'reply:%s\n' "${COMPREPLY[@]}"
`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", session)
	cmd.Env = append(os.Environ(), "DIR="+dir, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "MAILCHECK_TEST_AS_BINARY=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	for _, want := range []string{"complete -o default -F __start_mailcheck mailcheck", "reply:no\n", "reply:try\n", "reply:require\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("bash session lacks %q:\n%s", want, out)
		}
	}
}
