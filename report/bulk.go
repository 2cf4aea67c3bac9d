package report

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/bulk"
)

// BulkCounts tallies the lines of a bulk run by outcome: a probe's status, or error for a line that
// could not be probed (not a target, too long).
type BulkCounts struct {
	OK    int `json:"ok"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Error int `json:"error"`
}

// ProbeLines writes a bulk probe run as JSON Lines (`mailcheck probe --from-file`): one line per target
// in completion order, then a summary line. Its methods are safe for concurrent use.
type ProbeLines struct {
	mu     sync.Mutex
	enc    *json.Encoder
	counts BulkCounts
}

// NewProbeLines writes to w.
func NewProbeLines(w io.Writer) *ProbeLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &ProbeLines{enc: enc}
}

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
	return p.enc.Encode(struct {
		Kind  string `json:"kind"`
		Line  int    `json:"line"`
		Input string `json:"input"`
		*probe.Report
	}{"target", line.Number, line.Text, rep})
}

// Error writes a line that could not be probed: {"kind":"error","line":N,"input":…,"error":…}.
func (p *ProbeLines) Error(line bulk.Line, err error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.Error++
	return p.enc.Encode(struct {
		Kind  string `json:"kind"`
		Line  int    `json:"line"`
		Input string `json:"input"`
		Error string `json:"error"`
	}{"error", line.Number, line.Text, err.Error()})
}

// Counts are the outcomes written so far.
func (p *ProbeLines) Counts() BulkCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// Summary writes the last line: {"kind":"summary","schema_version","status","lines","targets",
// "other_shards","shard","counts","duration_ms"}. status is fail when a line failed or was an error.
func (p *ProbeLines) Summary(st bulk.Stats, shard bulk.Shard, took time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := probe.StatusOK
	switch {
	case p.counts.Fail > 0 || p.counts.Error > 0:
		status = probe.StatusFail
	case p.counts.Warn > 0:
		status = probe.StatusWarn
	}
	return p.enc.Encode(struct {
		Kind          string       `json:"kind"`
		SchemaVersion int          `json:"schema_version"`
		Status        probe.Status `json:"status"`
		Lines         int          `json:"lines"`
		Targets       int          `json:"targets"`
		OtherShards   int          `json:"other_shards"`
		Shard         string       `json:"shard,omitempty"`
		Counts        BulkCounts   `json:"counts"`
		DurationMS    float64      `json:"duration_ms"`
	}{"summary", probe.SchemaVersion, status, st.Lines, st.Targets, st.OtherShards, shard.String(), p.counts,
		float64(took.Microseconds()/100) / 10})
}
