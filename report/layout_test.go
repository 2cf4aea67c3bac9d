package report

import (
	"go/parser"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/gosource"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// reportMayImport are the packages of mailcheck report/ renders: the results (probe), the catalogue, the
// endpoint model, discovery's records, and internal helpers. The last four carry result types of their
// own that have no results leaf yet (issue 22 item 1); they are rendered, never asked to decide. Anything
// else (the session, the resolver, the connection policy, the sandbox...) is the engine: report/ decides
// nothing.
var reportMayImport = map[string]bool{
	"github.com/mailcheck/mailcheck/probe":          true,
	"github.com/mailcheck/mailcheck/probe/catalog":  true,
	"github.com/mailcheck/mailcheck/probe/endpoint": true,
	"github.com/mailcheck/mailcheck/probe/discover": true,
	// Result types still in their engines' packages: check.TargetResult, explain.Diagnosis, bulk's
	// lines, exporter.Record (whose Success is probe_success), posture.Report (the posture checks'
	// findings, rendered as a section and as metrics).
	"github.com/mailcheck/mailcheck/probe/posture":  true,
	"github.com/mailcheck/mailcheck/probe/check":    true,
	"github.com/mailcheck/mailcheck/probe/explain":  true,
	"github.com/mailcheck/mailcheck/probe/bulk":     true,
	"github.com/mailcheck/mailcheck/probe/exporter": true,
}

// TestReportImportsOnlyResults fails when report/ imports a package of mailcheck's engine.
func TestReportImportsOnlyResults(t *testing.T) {
	files, err := gosource.Files(".", parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(path, "github.com/mailcheck/mailcheck/") ||
				strings.HasPrefix(path, "github.com/mailcheck/mailcheck/internal/") || reportMayImport[path] {
				continue
			}
			t.Errorf("%s imports %s: report/ renders results and may not import the engine", name, path)
		}
	}
}

// TestTextReadsUnoffered: the text report folds the endpoints probe flags as unoffered, and only those;
// it does not decide again (a refused guessed port without the flag is shown).
func TestTextReadsUnoffered(t *testing.T) {
	refused := []probe.Problem{{Code: catalog.ConnectRefused, Severity: catalog.Fail, Summary: "connection refused by pop.example.com"}}
	ep := probe.Endpoint{Protocol: probe.POP3, Host: "pop.example.com", Port: 110, Security: probe.STARTTLS}
	for _, flagged := range []bool{true, false} {
		rep := &probe.Report{Target: "example.com", Domain: "example.com", Status: probe.StatusFail,
			StartedAt: time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC),
			Endpoints: []probe.Result{{Endpoint: ep, Address: "192.0.2.1", Source: probe.SourceGuess, Status: probe.StatusFail,
				Problems: refused, Unoffered: flagged}},
			Problems: []probe.Problem{}}
		var b strings.Builder
		if err := Text(&b, rep, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		folded := strings.Contains(out, "Not offered (connection refused) on guessed names: pop.example.com 110")
		shown := strings.Contains(out, "connection refused by pop.example.com")
		if folded != flagged || shown == flagged {
			t.Errorf("unoffered=%v: folded %v, problem shown %v:\n%s", flagged, folded, shown, out)
		}
		b.Reset()
		if err := Text(&b, rep, TextOptions{Verbose: true}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Not offered (connection refused)") {
			t.Errorf("-v folds an endpoint:\n%s", b.String())
		}
	}
}
