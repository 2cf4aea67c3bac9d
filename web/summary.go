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

// ProblemLine is one problem code that needs action, every place it was seen, and its fix (the
// selection of the text report and the ticket block: report.Actionable).
type ProblemLine struct {
	Severity string   `json:"severity"`
	Title    string   `json:"title"`
	Code     string   `json:"code"`
	Places   []string `json:"places"`
	Fix      string   `json:"fix"`
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
	for _, g := range report.Actionable(rep) {
		s.Problems = append(s.Problems, ProblemLine{Severity: string(g.Problem.Severity), Title: g.Problem.Title(),
			Code: g.Problem.Code, Places: g.Places, Fix: g.Problem.Fix})
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
