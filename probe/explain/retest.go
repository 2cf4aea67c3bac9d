package explain

import (
	"fmt"

	"github.com/mailcheck/mailcheck/probe"
)

// Verdict says what a re-test found about the pasted error's cause.
type Verdict struct {
	// StillThere is true when the re-test shows the same problem the paste was diagnosed with.
	StillThere bool `json:"still_there"`
	// Works is true when the re-tested endpoint works now.
	Works bool `json:"works"`
	// Summary says it in one sentence.
	Summary string `json:"summary"`
}

// Judge compares an explanation with the probe report of its re-test.
func Judge(e Explanation, rep *probe.Report) Verdict {
	var found []probe.Problem
	works := len(rep.Endpoints) > 0
	for _, r := range rep.Endpoints {
		if r.Status == probe.StatusFail {
			works = false
		}
		for _, pr := range r.Problems {
			if pr.Code == e.Problem && e.Problem != "" {
				return Verdict{StillThere: true, Summary: fmt.Sprintf("The cause is still there: %s.", pr.Summary)}
			}
			if pr.Severity == "fail" {
				found = append(found, pr)
			}
		}
	}
	target := e.Retest.Endpoint().String()
	switch {
	case works:
		return Verdict{Works: true, Summary: fmt.Sprintf("%s works now with these settings; if the error comes back, it lies elsewhere (the password, the device's network, or local software).", target)}
	case len(found) > 0:
		return Verdict{Summary: fmt.Sprintf("The re-test of %s found a different problem: %s (%s).", target, found[0].Title(), found[0].Summary)}
	}
	return Verdict{Summary: fmt.Sprintf("The re-test of %s found nothing conclusive.", target)}
}
