package cmd

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckJUnitReplacesASymlink: check --junit PATH where PATH is a symbolic link (planted in a shared
// directory) used to write the report into the link's target. The link is replaced by the report; the
// file it pointed to stays untouched.
func TestCheckJUnitReplacesASymlink(t *testing.T) {
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
	code, _, errOut := runCheckIn(t, sb, checkIO{env: checkEnv}, "check", "--config", checkMixed, "--jsonl", "--junit", path)
	if code != ExitProblems {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the symlink's target was overwritten: %.80q", b)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("the junit path is still a link (%v, %v)", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte(xml.Header)) {
		t.Errorf("the report is not at the path: %.60q", raw)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}
