// Package manpages generates mailcheck's man pages from its command tree.
package manpages

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/mailcheck/mailcheck/cmd"
)

// Date is the date the pages carry. A fixed one keeps them reproducible, so that the test comparing
// them with man/ fails only when the commands changed; change it when the pages change much.
var Date = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// Write writes one page per command (mailcheck.1, mailcheck-probe.1, ...) into dir.
func Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cmd.NewRootCmd(&cmd.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard,
		Getenv: func(string) string { return "" }})
	root.DisableAutoGenTag = true // no "Auto generated ... on <today>" line
	root.InitDefaultCompletionCmd()
	header := &doc.GenManHeader{Title: "MAILCHECK", Section: "1", Date: &Date, Source: "mailcheck", Manual: "mailcheck manual"}
	return doc.GenManTree(root, header, dir)
}

// Generate returns every page by file name, for comparing with the checked-in ones.
func Generate(tmp string) (map[string][]byte, error) {
	if err := Write(tmp); err != nil {
		return nil, err
	}
	return read(tmp)
}

func read(dir string) (map[string][]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		return nil, err
	}
	pages := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		pages[filepath.Base(n)] = bytes.TrimSpace(b)
	}
	return pages, nil
}
