package cmd

import (
	"os"
	"regexp"
	"strconv"
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

// TestReadmeLinksResolve: every link inside the README (the table of contents among them) names a
// heading or an explicit anchor, by GitHub's rule for heading anchors.
func TestReadmeLinksResolve(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`<a id="([^"]+)"></a>`).FindAllStringSubmatch(readme, -1) {
		anchors[m[1]] = true
	}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		h := strings.TrimLeft(line, "#")
		if inFence || h == line || !strings.HasPrefix(h, " ") {
			continue
		}
		slug := strings.ReplaceAll(regexp.MustCompile(`[^\pL\pN_\- ]`).ReplaceAllString(strings.ToLower(strings.TrimSpace(h)), ""), " ", "-")
		if n, dup := seen[slug]; dup {
			seen[slug] = n + 1
			slug = slug + "-" + strconv.Itoa(n+1)
		} else {
			seen[slug] = 0
		}
		anchors[slug] = true
	}
	for _, m := range regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(readme, -1) {
		if !anchors[m[1]] {
			t.Errorf("README links to #%s, which is no heading", m[1])
		}
	}
	if !strings.Contains(readme, "## Contents") {
		t.Error("README has no table of contents")
	}
}
