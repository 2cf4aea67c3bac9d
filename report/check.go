package report

import (
	"encoding/json"
	"fmt"
	"github.com/mailcheck/mailcheck/internal/textwrap"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/probe/check"
)

// CheckStream renders a `mailcheck check` run target by target. The command calls Begin once, Target once
// per target in target order (file order, then argument order) as soon as that target and every target
// before it have completed, then End. So output streams while slow targets are still being probed, and
// its order and content never depend on which probe finished first.
//
// This file holds the two streaming renderers, JSON Lines and the human text; the --json document and the
// nagios output are streams that only write at End.
type CheckStream interface {
	Begin(targets int) error
	Target(t check.TargetResult) error
	End(run *check.Run) error
}

// NewCheckJSONL writes JSON Lines (https://jsonlines.org): one compact object per target,
// {"kind":"target", ...the fields of the --json document's targets[]...}, written as the target completes,
// then one {"kind":"summary", "status", "counts", "duration_ms"} line.
func NewCheckJSONL(w io.Writer) CheckStream { return &checkJSONL{w: w} }

type checkJSONL struct{ w io.Writer }

func (s *checkJSONL) Begin(int) error { return nil }

func (s *checkJSONL) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.w.Write(append(b, '\n'))
	return err
}

func (s *checkJSONL) Target(t check.TargetResult) error {
	return s.line(struct {
		Kind string `json:"kind"`
		check.TargetResult
	}{"target", t})
}

func (s *checkJSONL) End(run *check.Run) error {
	return s.line(struct {
		Kind          string       `json:"kind"`
		SchemaVersion int          `json:"schema_version"`
		Status        check.Status `json:"status"`
		Counts        check.Counts `json:"counts"`
		DurationMS    float64      `json:"duration_ms"`
	}{"summary", run.SchemaVersion, run.Status, run.Counts, run.DurationMS})
}

// NewCheckJSON writes the whole run as one indented JSON document at the end (--json).
func NewCheckJSON(w io.Writer) CheckStream { return &checkJSON{w: w} }

type checkJSON struct{ w io.Writer }

func (s *checkJSON) Begin(int) error                 { return nil }
func (s *checkJSON) Target(check.TargetResult) error { return nil }
func (s *checkJSON) End(run *check.Run) error        { return JSON(s.w, run) }

// NewCheckText writes the human report: one block per target with a line per check saying what was
// expected and what was found, the explanation and fix of each failure, then the verdict.
func NewCheckText(w io.Writer, opt TextOptions) CheckStream {
	return &checkText{w: textwrap.NewWriter(w, opt.Width), opt: opt, pal: newPalette(opt.Color)}
}

type checkText struct {
	w   io.Writer
	opt TextOptions
	pal palette
}

func (s *checkText) Begin(n int) error {
	fprintf(s.w, "%s — %d target%s\n\n", s.pal.head("mailcheck check"), n, plural(n))
	return nil
}

func (s *checkText) mark(st check.Status) styled {
	switch st {
	case check.Pass:
		return s.pal.ok("✓")
	case check.Warn:
		return s.pal.warn("⚠")
	}
	return s.pal.fail("✗")
}

func (s *checkText) Target(t check.TargetResult) error {
	pal := s.pal
	b := &strings.Builder{}
	title := pal.head(t.Name)
	if t.Name != t.Endpoint {
		title += "  " + pal.dim(t.Endpoint)
	}
	if t.Expect == check.Absent {
		title += "  " + pal.dim("(expected absent)")
	}
	fprintf(b, "%s %s\n", s.mark(t.Status), title)
	explained := map[string]bool{}
	for _, c := range t.Checks {
		code := styled("")
		if c.Problem != nil && c.Status != check.Pass {
			code = " " + pal.dim("["+c.Problem.Code+"]")
		}
		fprintf(b, "    %s %-16s expected %s; found %s%s\n", s.mark(c.Status), c.Check, oneLine(c.Expected), oneLine(c.Found), code)
		if p := c.Problem; p != nil && c.Status != check.Pass && !explained[p.Code] {
			// One explanation per problem per target: later checks blocked by it only name its code.
			explained[p.Code] = true
			fprintf(b, "        What it means: %s\n", p.Explanation)
			fprintf(b, "        What to do:    %s\n", p.Fix)
		}
	}
	if s.opt.Verbose {
		for _, r := range t.Probe {
			for _, l := range r.Transcript {
				fprintf(b, "      %s\n", pal.dim(l))
			}
		}
	}
	fprintln(b)
	_, err := io.WriteString(s.w, b.String())
	return err
}

// oneLine keeps a server's multi-line words on the check's line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

func (s *checkText) End(run *check.Run) error {
	pal := s.pal
	c := run.Counts
	var line styled
	switch run.Status {
	case check.Pass:
		line = pal.ok(fmt.Sprintf("Result: PASSED — %d check%s passed", c.Total(), plural(c.Total())))
	case check.Warn:
		line = pal.warn(fmt.Sprintf("Result: PASSED WITH WARNINGS — %d of %d check%s warn", c.Warn, c.Total(), plural(c.Total())))
	default:
		line = pal.fail(fmt.Sprintf("Result: FAILED — %d of %d check%s failed", c.Fail, c.Total(), plural(c.Total())))
		if c.Warn > 0 {
			line += pal.fail(fmt.Sprintf(", %d warn", c.Warn))
		}
	}
	fprintf(s.w, "%s %s\n", line, pal.dim("("+fmtMS(run.DurationMS)+")"))
	return nil
}
