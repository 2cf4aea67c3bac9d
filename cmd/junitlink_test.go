package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckJUnitRefusesASymlink: check --junit PATH where PATH is a symbolic link (planted in a shared
// directory) used to write the report into the link's target. Now it is a usage error before anything is
// probed: the link and the file it points to stay untouched (replacing the link instead would, as root,
// replace system links such as /dev/stdout).
func TestCheckJUnitRefusesASymlink(t *testing.T) {
	sb := startCheckWorld(t)
	dir := t.TempDir()
	victim := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mailcheck-junit.xml")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCheckIn(t, sb, checkIO{env: checkEnv}, "check", "--config", checkMixed, "--jsonl", "--junit", path)
	if code != ExitUsage || !strings.Contains(errOut, "symbolic link") || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a usage error before any probe", code, out, errOut)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the symlink's target was overwritten: %.80q", b)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced (%v, %v)", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}

// TestCheckJUnitToDevNull: --junit /dev/null writes to the device; before, the report was renamed over
// it, replacing the machine's /dev/null with a regular file when run as root.
func TestCheckJUnitToDevNull(t *testing.T) {
	sb := startCheckWorld(t)
	before, err := os.Lstat(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCheckIn(t, sb, checkIO{env: checkEnv}, "check", "--config", checkMixed, "--jsonl", "--junit", os.DevNull)
	if code != ExitProblems {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if after, err := os.Lstat(os.DevNull); err != nil || after.Mode() != before.Mode() {
		t.Fatalf("%s was %v, is %v (%v)", os.DevNull, before.Mode(), after.Mode(), err)
	}
}
