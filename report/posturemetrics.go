package report

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mailcheck/mailcheck/probe/posture"
)

// Posture metric families (README "Metrics"), for an exporter module with posture = true: one series per
// check, so an alert can name the record that broke (a DMARC policy relaxed, an MTA-STS policy left
// behind by an MX move).
const (
	MetricPostureOK      = "mailcheck_posture_ok"
	MetricPostureVerdict = "mailcheck_posture_verdict"
)

// addPostureMetrics registers the posture families of rep on reg; nothing when rep is nil.
func addPostureMetrics(reg *prometheus.Registry, rep *posture.Report) {
	if rep == nil {
		return
	}
	ok := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricPostureOK,
		Help: "Whether the posture check's verdict is ok (1) or not (0: warn, fail, absent or unknown), per check (spf, dmarc, mta_sts, tls_rpt, dane)."}, []string{"check"})
	verdict := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricPostureVerdict,
		Help: "The posture check's verdict as a label (ok, warn, fail, absent, unknown); the value is always 1."}, []string{"check", "verdict"})
	reg.MustRegister(ok, verdict)
	for _, f := range rep.Checks {
		v := 0.0
		if f.Verdict == posture.OK {
			v = 1
		}
		ok.WithLabelValues(f.Check).Set(v)
		verdict.WithLabelValues(f.Check, string(f.Verdict)).Set(1)
	}
}
