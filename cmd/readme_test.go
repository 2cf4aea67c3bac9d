package cmd

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// The README is the API reference for CI users: every problem code, command and flag must be in it.
func TestReadmeDocumentsEverything(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, p := range catalog.Problems() {
		row := "| `" + p.Code + "` | " + string(p.Severity) + " | " + p.Title + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
	root := NewRootCmd(&IOStreams{Getenv: func(string) string { return "" }})
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(readme, "`mailcheck "+c.Name()) {
			t.Errorf("README does not document the command %s", c.Name())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			if !strings.Contains(readme, "--"+f.Name) {
				t.Errorf("README does not document %s --%s", c.Name(), f.Name)
			}
		})
	}
}
