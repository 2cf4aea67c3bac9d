package outfile

import (
	"os"
	"path/filepath"
	"testing"
)

// A symbolic link at the output path is replaced; the file it points to stays untouched.
func TestCommitReplacesASymlinkWithoutFollowingIt(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "junit.xml")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("<testsuites/>\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	fi, err := os.Lstat(out)
	if err != nil || fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the output is %v, %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(out); string(b) != "<testsuites/>\n" {
		t.Errorf("output %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

// Abort leaves the old file as it was and no temporary file.
func TestAbortKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("half")
	f.Abort()
	f.Abort()
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("got %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if _, err := Create(filepath.Join(dir, "missing", "out"), 0o644); err == nil {
		t.Error("a missing directory accepted")
	}
	if _, err := Create(dir, 0o644); err == nil {
		t.Error("a directory accepted as the output")
	}
}
