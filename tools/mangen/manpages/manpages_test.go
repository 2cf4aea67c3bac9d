package manpages

import (
	"bytes"
	"path/filepath"
	"testing"
)

// The checked-in man pages are what the command tree generates now: a change to a command's help that
// is not followed by `make man` fails here (and so in make test and CI).
func TestManPagesAreCurrent(t *testing.T) {
	got, err := Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mailcheck.1", "mailcheck-probe.1", "mailcheck-send.1", "mailcheck-check.1",
		"mailcheck-explain.1", "mailcheck-demo.1", "mailcheck-version.1", "mailcheck-completion.1"} {
		page, ok := got[name]
		if !ok || !bytes.Contains(page, []byte(`.TH "MAILCHECK" "1"`)) || !bytes.Contains(page, []byte(".SH OPTIONS")) {
			t.Errorf("%s missing or without a header and options: %.200q", name, page)
		}
	}
	want, err := read(filepath.Join("..", "..", "..", "man"))
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range got {
		if w, ok := want[name]; !ok {
			t.Errorf("man/%s is missing: run make man", name)
		} else if !bytes.Equal(w, page) {
			t.Errorf("man/%s is out of date: run make man", name)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("man/%s belongs to no command: run make man (it removes stale pages)", name)
		}
	}
}
