package discover

import (
	"slices"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Candidate is one endpoint discovery found, with every source that named it (in the order they
// answered) and the login name the first of them that gives one gives.
type Candidate struct {
	endpoint.Endpoint
	Username string   `json:"username,omitempty"`
	Sources  []string `json:"sources"`
}

// Candidates merges the servers of the lookups into one candidate per endpoint.
func Candidates(lookups []Lookup) []Candidate {
	var out []Candidate
	index := map[endpoint.Endpoint]int{}
	for _, l := range lookups {
		for _, s := range l.Servers {
			i, ok := index[s.Endpoint]
			if !ok {
				i = len(out)
				index[s.Endpoint] = i
				out = append(out, Candidate{Endpoint: s.Endpoint})
			}
			c := &out[i]
			if c.Username == "" {
				c.Username = s.Username
			}
			if !slices.Contains(c.Sources, l.Source) {
				c.Sources = append(c.Sources, l.Source)
			}
		}
	}
	return out
}

// Trusted says whether a candidate may receive the password wherever its host is: at least one of its
// sources vouches for hosts outside the domain (its registry row, the rule probe's trust model applies).
// A host inside the domain may receive it whatever named it; that is probe's to judge.
func (c Candidate) Trusted() bool {
	for _, s := range c.Sources {
		if row, ok := Source(s); ok && row.VouchesOutside {
			return true
		}
	}
	return false
}
