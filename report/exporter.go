package report

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mailcheck/mailcheck/probe/exporter"
)

// ExporterView renders what `mailcheck exporter` serves: the metric families of a probe, its human report
// and the page of recent probes (blackbox_exporter's debug page is the model).
type ExporterView struct{}

var _ exporter.View = ExporterView{}

// Metrics are the probe's metric families, with the checks of a module that states expectations.
func (ExporterView) Metrics(rec *exporter.Record) prometheus.Gatherer {
	reg := ProbeMetrics(rec.Report)
	if rec.Check != nil {
		reg = CheckedProbeMetrics(rec.Report, rec.Check)
	}
	addPostureMetrics(reg, rec.Posture) // a module with posture = true
	return reg
}

// Report writes one probe for people: what was asked, the verbose text report (DNS answers, every
// endpoint's transcript, passwords redacted), then the metrics Prometheus got.
func (ExporterView) Report(w io.Writer, rec *exporter.Record) error {
	fprintf(w, "Probe %s: module %s, target %s, started %s, deadline %s\n\n", rec.ID, rec.Module, rec.Target,
		rec.Started.UTC().Format(time.RFC3339), rec.Deadline)
	if err := Text(w, rec.Report, TextOptions{Verbose: true}); err != nil {
		return err
	}
	if rec.Check != nil {
		fprintf(w, "\nThe module's expectations: %s\n", rec.Check.Status)
		for _, c := range rec.Check.Checks {
			fprintf(w, "  %-5s %-16s %s\n", c.Status, c.Check, c.Message)
		}
	}
	if rec.Posture != nil {
		fprintf(w, "\n")
		if err := PostureText(w, rec.Posture, TextOptions{Verbose: true}); err != nil {
			return err
		}
	}
	fprintf(w, "\nMetrics returned to Prometheus:\n\n")
	return MetricsText(w, ExporterView{}.Metrics(rec))
}

// MetricsText writes what g gathers in Prometheus' text exposition format, as /probe serves it.
func MetricsText(w io.Writer, g prometheus.Gatherer) error {
	out := &textResponse{w: w, h: http.Header{}}
	req, err := http.NewRequest(http.MethodGet, "/probe", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain")
	promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(out, req)
	if out.code != 0 && out.code != http.StatusOK {
		return fmt.Errorf("gathering the metrics failed (HTTP %d)", out.code)
	}
	return out.err
}

// textResponse is an http.ResponseWriter that writes the body to w.
type textResponse struct {
	w    io.Writer
	h    http.Header
	code int
	err  error
}

func (t *textResponse) Header() http.Header  { return t.h }
func (t *textResponse) WriteHeader(code int) { t.code = code }
func (t *textResponse) Write(b []byte) (int, error) {
	n, err := t.w.Write(b)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}

type indexRow struct {
	ID       string
	Started  string
	Module   string
	Target   string
	Result   string
	Duration string
	Retry    string
}

// indexStyle is the index page's only style; the Content-Security-Policy allows it by its hash and
// allows nothing else (no script, no other style, no image, no frame).
const indexStyle = `body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}.failure{color:#b00}.success{color:#070}`

// exporterCSP is the policy of every answer of the exporter.
var exporterCSP = func() string {
	sum := sha256.Sum256([]byte(indexStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// ContentSecurityPolicy is default-src 'none' with the index page's inline style allowed by its hash.
func (ExporterView) ContentSecurityPolicy() string { return exporterCSP }

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>mailcheck exporter</title>
<style>` + indexStyle + `</style>
</head>
<body>
<h1>mailcheck exporter</h1>
<p><a href="/metrics">Exporter metrics</a>. Probe with <code>/probe?target=DOMAIN|ADDRESS|URL&amp;module=NAME</code>; add <code>&amp;debug=true</code> for the report instead of metrics. Modules: {{range $i, $m := .Modules}}{{if $i}}, {{end}}<code>{{$m}}</code>{{end}}.</p>
<h2>Recent probes</h2>
{{if .Rows}}<table>
<tr><th>Started (UTC)</th><th>Module</th><th>Target</th><th>Result</th><th>Duration</th><th></th></tr>
{{range .Rows}}<tr><td>{{.Started}}</td><td>{{.Module}}</td><td>{{.Target}}</td><td class="{{.Result}}">{{.Result}}</td><td>{{.Duration}}</td><td><a href="/probes/{{.ID}}">report and transcript</a> · <a href="{{.Retry}}">probe again</a></td></tr>
{{end}}</table>{{else}}<p>None yet.</p>{{end}}
</body>
</html>
`))

// Index writes the HTML page of recent probes, newest first. html/template escapes every value, so a
// target or module name cannot inject markup.
func (ExporterView) Index(w io.Writer, recent []*exporter.Record, modules []string) error {
	rows := make([]indexRow, 0, len(recent))
	for _, rec := range recent {
		result := "failure"
		if rec.Success() {
			result = "success"
		}
		q := url.Values{"target": {rec.Target}, "module": {rec.Module}, "debug": {"true"}}
		rows = append(rows, indexRow{ID: rec.ID, Started: rec.Started.UTC().Format("2006-01-02 15:04:05"),
			Module: rec.Module, Target: rec.Target, Result: result, Duration: fmtMS(rec.Report.DurationMS),
			Retry: "/probe?" + q.Encode()})
	}
	return indexPage.Execute(w, struct {
		Rows    []indexRow
		Modules []string
	}{rows, modules})
}
