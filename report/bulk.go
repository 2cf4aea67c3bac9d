package report

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/bulk"
	"github.com/mailcheck/mailcheck/probe/check"
)

// The JSON Lines of bulk runs (`probe --from-file`, `check --from-file`): one line per target in
// completion order, {"kind":"target","line":N,"input":…, then the fields of one result}, an
// {"kind":"error","line":N,"input":…,"error":…} line for a line that is no target, and a summary line
// last.

// bulkLines writes the lines one at a time.
type bulkLines struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newBulkLines(w io.Writer) bulkLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return bulkLines{enc: enc}
}

func (b *bulkLines) write(v any) error { return b.enc.Encode(v) }

func (b *bulkLines) writeError(line bulk.Line, err error) error {
	return b.write(struct {
		Kind  string `json:"kind"`
		Line  int    `json:"line"`
		Input string `json:"input"`
		Error string `json:"error"`
	}{"error", line.Number, line.Text, err.Error()})
}

// bulkSummary is the fields every bulk summary line has.
type bulkSummary struct {
	Kind          string  `json:"kind"`
	SchemaVersion int     `json:"schema_version"`
	Status        string  `json:"status"`
	Lines         int     `json:"lines"`
	Targets       int     `json:"targets"`
	OtherShards   int     `json:"other_shards"`
	Shard         string  `json:"shard,omitempty"`
	DurationMS    float64 `json:"duration_ms"`
}

func newBulkSummary(status string, st bulk.Stats, shard bulk.Shard, took time.Duration) bulkSummary {
	return bulkSummary{"summary", probe.SchemaVersion, status, st.Lines, st.Targets, st.OtherShards, shard.String(),
		float64(took.Microseconds()/100) / 10}
}

// verdict is a run's status: fail when anything failed, warn when anything warned.
func verdict(failed, warned int, ok, warn, fail string) string {
	switch {
	case failed > 0:
		return fail
	case warned > 0:
		return warn
	}
	return ok
}

// BulkCounts tallies the lines of a bulk probe run by outcome: a probe's status, or error for a line that
// could not be probed (not a target, too long).
type BulkCounts struct {
	OK    int `json:"ok"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Error int `json:"error"`
}

// ProbeLines writes a bulk probe run (`mailcheck probe --from-file`). Its methods are safe for
// concurrent use.
type ProbeLines struct {
	bulkLines
	counts BulkCounts
}

// NewProbeLines writes to w.
func NewProbeLines(w io.Writer) *ProbeLines { return &ProbeLines{bulkLines: newBulkLines(w)} }

// Target writes one probed line: {"kind":"target","line":N,"input":…, then the report's fields}.
func (p *ProbeLines) Target(line bulk.Line, rep *probe.Report) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch rep.Status {
	case probe.StatusOK:
		p.counts.OK++
	case probe.StatusWarn:
		p.counts.Warn++
	default:
		p.counts.Fail++
	}
	return p.write(struct {
		Kind  string `json:"kind"`
		Line  int    `json:"line"`
		Input string `json:"input"`
		*probe.Report
	}{"target", line.Number, line.Text, rep})
}

// Error writes a line that could not be probed.
func (p *ProbeLines) Error(line bulk.Line, err error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.Error++
	return p.writeError(line, err)
}

// Counts are the outcomes written so far.
func (p *ProbeLines) Counts() BulkCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// Failed says whether a target failed or a line was no target.
func (p *ProbeLines) Failed() bool {
	c := p.Counts()
	return c.Fail > 0 || c.Error > 0
}

// Summary writes the last line: {"kind":"summary","schema_version","status","lines","targets",
// "other_shards","shard","counts","duration_ms"}. status is fail when a line failed or was an error.
func (p *ProbeLines) Summary(st bulk.Stats, shard bulk.Shard, took time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := verdict(p.counts.Fail+p.counts.Error, p.counts.Warn, string(probe.StatusOK), string(probe.StatusWarn), string(probe.StatusFail))
	return p.write(struct {
		bulkSummary
		Counts BulkCounts `json:"counts"`
	}{newBulkSummary(status, st, shard, took), p.counts})
}

// CheckTargetCounts tallies the lines of a bulk check run by the target's verdict, or error.
type CheckTargetCounts struct {
	Pass  int `json:"pass"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Error int `json:"error"`
}

// CheckLines writes a bulk check run (`mailcheck check --from-file`). Its methods are safe for
// concurrent use.
type CheckLines struct {
	bulkLines
	checks  check.Counts
	targets CheckTargetCounts
}

// NewCheckLines writes to w.
func NewCheckLines(w io.Writer) *CheckLines { return &CheckLines{bulkLines: newBulkLines(w)} }

// Target writes one judged line: {"kind":"target","line":N,"input":…, then the fields of a --json
// target}.
func (c *CheckLines) Target(line bulk.Line, tr check.TargetResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch tr.Status {
	case check.Pass:
		c.targets.Pass++
	case check.Warn:
		c.targets.Warn++
	default:
		c.targets.Fail++
	}
	for _, r := range tr.Checks {
		switch r.Status {
		case check.Pass:
			c.checks.Pass++
		case check.Warn:
			c.checks.Warn++
		default:
			c.checks.Fail++
		}
	}
	return c.write(struct {
		Kind  string `json:"kind"`
		Line  int    `json:"line"`
		Input string `json:"input"`
		check.TargetResult
	}{"target", line.Number, line.Text, tr})
}

// Error writes a line that is no target.
func (c *CheckLines) Error(line bulk.Line, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.targets.Error++
	return c.writeError(line, err)
}

// Failed says whether a target failed or a line was no target.
func (c *CheckLines) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.targets.Fail > 0 || c.targets.Error > 0
}

// Summary writes the last line: the fields of the probe summary, with "counts" the checks by verdict
// (as in check --jsonl) and "target_counts" the targets by verdict.
func (c *CheckLines) Summary(st bulk.Stats, shard bulk.Shard, took time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	status := verdict(c.targets.Fail+c.targets.Error, c.targets.Warn, string(check.Pass), string(check.Warn), string(check.Fail))
	return c.write(struct {
		bulkSummary
		Counts       check.Counts      `json:"counts"`
		TargetCounts CheckTargetCounts `json:"target_counts"`
	}{newBulkSummary(status, st, shard, took), c.checks, c.targets})
}
