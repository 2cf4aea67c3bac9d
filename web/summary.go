package web

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/report"
)

// Summary is the top of a result's page: the verdict, the settings to type, the problems with their
// fixes. It is kept as JSON in the database, so the page does not depend on the report's Go types.
type Summary struct {
	Status   string        `json:"status"`
	Verdict  string        `json:"verdict"`
	Settings []SettingLine `json:"settings"`
	Problems []ProblemLine `json:"problems"`
}

// SettingLine is one recommended setting.
type SettingLine struct {
	Direction string `json:"direction"`
	Protocol  string `json:"protocol"`
	Server    string `json:"server"`
	Port      string `json:"port"`
	Security  string `json:"security"`
	Username  string `json:"username,omitempty"`
	Warning   string `json:"warning,omitempty"`
	Verified  bool   `json:"verified"`
}

// ProblemLine is one finding with its fix.
type ProblemLine struct {
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Where    string `json:"where,omitempty"`
	Summary  string `json:"summary"`
	Fix      string `json:"fix"`
}

var verdicts = map[probe.Status]string{
	probe.StatusOK:   "Working settings found",
	probe.StatusWarn: "Works, but something needs attention",
	probe.StatusFail: "No working settings found",
}

func summarize(rep *probe.Report) Summary {
	s := Summary{Status: string(rep.Status), Verdict: verdicts[rep.Status]}
	if s.Verdict == "" {
		s.Verdict = string(rep.Status)
	}
	for _, d := range []struct {
		dir string
		set *probe.Setting
	}{{"incoming", rep.Settings.Incoming}, {"outgoing", rep.Settings.Outgoing}} {
		if d.set == nil {
			continue
		}
		s.Settings = append(s.Settings, SettingLine{Direction: d.dir, Protocol: string(d.set.Protocol), Server: d.set.Server,
			Port: strconv.Itoa(d.set.Port), Security: d.set.SecurityLabel, Username: d.set.Username, Warning: d.set.Warning,
			Verified: d.set.LoginVerified})
	}
	add := func(where string, p probe.Problem) {
		s.Problems = append(s.Problems, ProblemLine{Severity: string(p.Severity), Title: p.Title(), Where: where, Summary: p.Summary, Fix: p.Fix})
	}
	for _, p := range rep.Problems {
		add("", p)
	}
	for _, res := range rep.Endpoints {
		for _, p := range res.Problems {
			add(res.Endpoint.String(), p)
		}
		if res.Auth != nil && res.Auth.Problem != nil && res.Auth.SameAs == "" {
			add(res.Endpoint.String()+" login", *res.Auth.Problem)
		}
	}
	return s
}

// renderResult turns a finished report into what the database keeps.
func renderResult(rep *probe.Report, version string) (summary, markdown, details string, err error) {
	b, err := json.Marshal(summarize(rep))
	if err != nil {
		return "", "", "", err
	}
	var md, txt bytes.Buffer
	f, _ := report.FormatNamed("markdown")
	if err := f.Write(&md, rep, report.FormatOptions{Version: version}); err != nil {
		return "", "", "", err
	}
	if err := report.Text(&txt, rep, report.TextOptions{Verbose: true}); err != nil {
		return "", "", "", err
	}
	return string(b), md.String(), txt.String(), nil
}
