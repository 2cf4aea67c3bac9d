package probe

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

func TestJudgeSources(t *testing.T) {
	imap993 := Endpoint{Protocol: IMAP, Host: "imap.x.test", Port: 993, Security: TLS}
	imap143 := Endpoint{Protocol: IMAP, Host: "imap.x.test", Port: 143, Security: STARTTLS}
	other := Endpoint{Protocol: IMAP, Host: "mail.x.test", Port: 993, Security: TLS}
	works := func(ep Endpoint, source string) Result { return Result{Endpoint: ep, Source: source, Status: StatusOK} }
	fails := func(ep Endpoint) Result {
		return Result{Endpoint: ep, Status: StatusFail, Problems: []Problem{newProblem(catalog.ConnectRefused, "refused", "")}}
	}
	cases := []struct {
		name    string
		claims  []claim
		results []Result
		want    string // "" for no disagreement
	}{
		{"one source, working", []claim{{discover.Autoconfig, "u", imap993}}, []Result{works(imap993, "")}, ""},
		{"sources overlap", []claim{{discover.Autoconfig, "u", imap993}, {SourceSRV, "_imaps._tcp.x.test", imap993}, {SourceSRV, "_imap._tcp.x.test", imap143}},
			[]Result{works(imap993, ""), works(imap143, "")}, ""},
		{"out of date autoconfig", []claim{{discover.Autoconfig, "u", imap143}, {SourceSRV, "_imaps._tcp.x.test", imap993}},
			[]Result{works(imap993, ""), fails(imap143)},
			"for IMAP, the domain's autoconfig file says imap.x.test:143 STARTTLS (fails: Connection refused); the domain's SRV records say imap.x.test:993 SSL/TLS (works); imap.x.test:993 SSL/TLS works: the domain's autoconfig file is out of date"},
		{"both work", []claim{{discover.ISPDB, "u", imap143}, {SourceSRV, "s", imap993}},
			[]Result{works(imap993, ""), works(imap143, "")}, "each works, but mail clients that follow different sources get different settings"},
		{"only a guess works", []claim{{discover.Autoconfig, "u", imap143}},
			[]Result{fails(imap143), works(other, SourceGuess)},
			"none of that works, but mail.x.test:993 SSL/TLS does (found through the usual host names): the domain's autoconfig file is out of date"},
		{"nothing works anywhere", []claim{{discover.Autoconfig, "u", imap143}}, []Result{fails(imap143)}, ""},
		{"port 25 is no client setting", []claim{{discover.Autoconfig, "u", Endpoint{Protocol: SMTP, Host: "mx.x.test", Port: 25, Security: STARTTLS}},
			{SourceSRV, "s", Endpoint{Protocol: SMTP, Host: "smtp.x.test", Port: 587, Security: STARTTLS}}}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &run{req: Request{Domain: "x.test"}, report: &Report{Endpoints: c.results}, claims: c.claims}
			r.judgeSources()
			pr := topProblem(r.report, catalog.SourcesDisagree)
			switch {
			case c.want == "" && pr != nil:
				t.Errorf("unexpected disagreement: %s", pr.Summary)
			case c.want != "" && pr == nil:
				t.Errorf("no disagreement, want %q", c.want)
			case c.want != "" && !strings.Contains(pr.Summary, c.want):
				t.Errorf("summary %q, want it to contain %q", pr.Summary, c.want)
			}
		})
	}
}
