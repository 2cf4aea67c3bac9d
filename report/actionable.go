package report

import "github.com/mailcheck/mailcheck/probe"

// ProblemGroup is one problem code that needs action, with every place it was seen (each finding's
// summary).
type ProblemGroup struct {
	Problem probe.Problem
	Places  []string
}

// Actionable are the problems that need action (fail and warn), one group per code, failures first: the
// same selection as the text report's Problems section and the markdown ticket block, for pages that
// render them their own way (mailcheck serve).
func Actionable(rep *probe.Report) []ProblemGroup {
	groups := actionable(rep)
	out := make([]ProblemGroup, len(groups))
	for i, g := range groups {
		out[i] = ProblemGroup{Problem: g.first, Places: g.places}
	}
	return out
}
