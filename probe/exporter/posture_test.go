package exporter_test

import (
	"strings"
	"testing"
)

// A module with posture = true exports one series per posture check with its verdict; the demo domain
// publishes SPF (ok), DMARC p=none (warn), MTA-STS enforce (ok) and no TLS-RPT (absent).
func TestExporterPostureSeries(t *testing.T) {
	srv := startExporter(t)
	code, body := get(t, srv, probePath("sandbox.test", "posture"))
	for _, want := range []string{
		`mailcheck_posture_ok{check="spf"} 1`,
		`mailcheck_posture_ok{check="dmarc"} 0`,
		`mailcheck_posture_ok{check="mta_sts"} 1`,
		`mailcheck_posture_ok{check="tls_rpt"} 0`,
		`mailcheck_posture_verdict{check="dmarc",verdict="warn"} 1`,
		`mailcheck_posture_verdict{check="tls_rpt",verdict="absent"} 1`,
		`mailcheck_posture_verdict{check="dane",verdict="absent"} 1`, // the demo's MX has no TLSA record
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("HTTP %d, lacks %q:\n%s", code, want, body)
		}
	}
	// Without posture = true, no posture series.
	if _, body := get(t, srv, probePath("sandbox.test", "default")); strings.Contains(body, "mailcheck_posture") {
		t.Errorf("the default module exported posture series:\n%s", body)
	}
}
