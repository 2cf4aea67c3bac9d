package posture

import (
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/explain"
)

// What a diagnosis of explain and the posture checks say to each other: which diagnoses a check of the
// sending domain can confirm, how to read the domain from the paste, and whether the records still show
// the cause. explain --probe and mailcheck serve's "Check the sender's records" both decide here.

// confirming are the diagnoses the sending domain's posture can confirm: sender authentication (SPF,
// DKIM, DMARC) and reputation (blocklists, reverse DNS), with the checks that can.
var confirming = map[string][]string{
	catalog.AuthenticationPolicy: {"spf", "dmarc", "dkim"},
	catalog.SenderBlocklisted:    {"dnsbl", "reverse_dns"},
}

// ForDiagnosis says whether the sending domain's posture can confirm a diagnosis of text, and which
// domain (and address) to check, read from the paste (evidence says where): exactly the checks that can
// confirm it are asked for.
func ForDiagnosis(e explain.Explanation, text string) (Target, []string, bool) {
	checks, ok := confirming[e.Problem]
	if !ok {
		return Target{}, nil, false
	}
	t, evidence, ok := FromBounce(text)
	t.Only = checks
	return t, evidence, ok
}

// Judge says whether the checks that can confirm the diagnosis still find it: a check of the diagnosis
// that fails or finds no record keeps it there, and the summary names the first such check and the
// record that fixes it.
func Judge(e explain.Explanation, rep *Report) explain.Verdict {
	var wrong, unknown []string
	fix := ""
	for _, name := range confirming[e.Problem] {
		f := rep.Find(name)
		if f == nil {
			continue
		}
		switch f.Verdict {
		case Fail, Absent:
			wrong = append(wrong, strings.ToUpper(name)+": "+f.Meaning)
			if fix == "" && len(f.Instructions) > 0 {
				fix = f.Instructions[0]
			}
		case Unknown:
			unknown = append(unknown, name)
		}
	}
	switch {
	case len(wrong) > 0:
		s := "still wrong — " + strings.Join(wrong, "; ")
		if fix != "" {
			s += ". Fix: " + fix
		}
		return explain.Verdict{StillThere: true, Summary: s}
	case len(unknown) > 0:
		return explain.Verdict{Summary: "could not be checked (" + strings.Join(unknown, ", ") + "): see below"}
	}
	return explain.Verdict{Works: true, Summary: "the records are fine now (the refusal may be older than the last change, or come from something the records cannot show, such as a message without a DKIM signature)"}
}
