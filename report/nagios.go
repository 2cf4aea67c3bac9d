package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe/check"
)

// Monitoring-plugin states and their exit codes (Monitoring Plugins Development Guidelines, "Plugin Return
// Codes"); Nagios, Icinga, Naemon and Zabbix read them.
const (
	NagiosOK       = 0
	NagiosWarning  = 1
	NagiosCritical = 2
	NagiosUnknown  = 3
)

var nagiosLabel = map[int]string{NagiosOK: "OK", NagiosWarning: "WARNING", NagiosCritical: "CRITICAL", NagiosUnknown: "UNKNOWN"}

// NagiosState maps a verdict to the plugin state: pass OK, warn WARNING, fail CRITICAL.
func NagiosState(st check.Status) int {
	switch st {
	case check.Pass:
		return NagiosOK
	case check.Warn:
		return NagiosWarning
	}
	return NagiosCritical
}

// NewCheckNagios writes monitoring-plugin output at the end of the run (see Nagios).
func NewCheckNagios(w io.Writer) CheckStream { return &checkNagios{w: w} }

type checkNagios struct{ w io.Writer }

func (s *checkNagios) Begin(int) error                 { return nil }
func (s *checkNagios) Target(check.TargetResult) error { return nil }
func (s *checkNagios) End(run *check.Run) error        { return Nagios(s.w, run) }

// Nagios writes the run as a monitoring plugin does, per the Monitoring Plugins Development Guidelines:
//
//	MAILCHECK CRITICAL - 1 of 5 checks failed: imaps://mail.example.com:993 login: ...|'imaps_mail.example.com_993_time'=0.012s;;;0 ...
//	[CRITICAL] imaps://mail.example.com:993 login: expected ...; found ...
//	[OK] ...
//
// Line one is the state and a short summary, then "|" and the performance data; the lines after it are
// the long output, one per check. Performance data per target: '<scheme>_<host>_<port>_time' in seconds
// (UOM s, minimum 0) and, when a certificate was seen, '..._cert_days', the whole days it stays valid
// (negative once expired, so no minimum), with the warning and critical levels as ranges "N:" (alert below
// N, Guidelines "Threshold and ranges").
// Days have no unit on purpose: the Guidelines' units are none, s, %, B and c, and graphers reject or
// rescale others.
func Nagios(w io.Writer, run *check.Run) error {
	state := NagiosState(run.Status)
	c := run.Counts
	var summary string
	switch state {
	case NagiosOK:
		summary = fmt.Sprintf("%d check%s passed on %d target%s", c.Total(), plural(c.Total()), len(run.Targets), plural(len(run.Targets)))
	case NagiosWarning:
		summary = fmt.Sprintf("%d of %d check%s warn: %s", c.Warn, c.Total(), plural(c.Total()), nagiosItems(run, check.Warn))
	default:
		summary = fmt.Sprintf("%d of %d check%s failed: %s", c.Fail, c.Total(), plural(c.Total()), nagiosItems(run, check.Fail))
		if c.Warn > 0 {
			summary += fmt.Sprintf("; %d warn", c.Warn)
		}
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "MAILCHECK %s - %s|%s\n", nagiosLabel[state], summary, strings.Join(nagiosPerfdata(run), " "))
	for _, t := range run.Targets {
		for _, ck := range t.Checks {
			fmt.Fprintf(b, "[%s] %s %s: %s\n", nagiosLabel[NagiosState(ck.Status)], nagiosText(t.Name), ck.Check, nagiosText(ck.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// NagiosUnknownLine writes the UNKNOWN line for a run that could not be done (bad arguments, unreadable
// config file): the plugin's exit code is then NagiosUnknown.
func NagiosUnknownLine(w io.Writer, msg string) error {
	_, err := fmt.Fprintf(w, "MAILCHECK UNKNOWN - %s\n", nagiosText(msg))
	return err
}

// nagiosItems names the first checks with a status, for the one-line summary.
func nagiosItems(run *check.Run, st check.Status) string {
	const show = 3
	var items []string
	n := 0
	for _, t := range run.Targets {
		for _, ck := range t.Checks {
			if ck.Status != st {
				continue
			}
			n++
			if n <= show {
				// The finding when it is short ("89 days left ..."), else the problem's title.
				what := shorten(ck.Found, 60)
				if ck.Problem != nil && len(ck.Found) > 60 {
					what = ck.Problem.Title()
				}
				items = append(items, nagiosText(t.Name+" "+ck.Check+": "+what))
			}
		}
	}
	out := strings.Join(items, "; ")
	if n > show {
		out += fmt.Sprintf("; and %d more", n-show)
	}
	return out
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// nagiosText keeps plugin output parseable: "|" starts the performance data and a newline ends line one.
func nagiosText(s string) string {
	return termsafe.String(strings.NewReplacer("|", "/", "\r", " ", "\n", " ").Replace(s))
}

// nagiosPerfdata is one time and one certificate value per target, labelled by endpoint.
func nagiosPerfdata(run *check.Run) []string {
	var out []string
	used := map[string]int{}
	for _, t := range run.Targets {
		label := perfLabel(t.Endpoint)
		used[label]++
		if n := used[label]; n > 1 {
			label = fmt.Sprintf("%s_%d", label, n) // two targets on one endpoint (say, two users)
		}
		out = append(out, fmt.Sprintf("'%s_time'=%.3fs;;;0", label, t.TimeMS/1000))
		if t.CertDaysLeft != nil {
			// Trailing empty fields may be dropped (Guidelines, "Performance data").
			out = append(out, strings.TrimRight(fmt.Sprintf("'%s_cert_days'=%d;%s;%s", label, *t.CertDaysLeft, perfMin(t.CertWarnDays), perfMin(t.CertMinDays)), ";"))
		}
	}
	return out
}

// perfLabel turns "imaps://mail.example.com:993" into imaps_mail.example.com_993. Labels may not contain
// "'" or "=" (Guidelines, "Performance data").
func perfLabel(endpoint string) string {
	return strings.NewReplacer("://", "_", ":", "_", "[", "", "]", "", "'", "_", "=", "_", " ", "_").Replace(endpoint)
}

// perfMin is a "below N is bad" threshold as a Nagios range ("N:"), or empty when there is none.
func perfMin(days int) string {
	if days <= 0 {
		return ""
	}
	return fmt.Sprintf("%d:", days)
}
