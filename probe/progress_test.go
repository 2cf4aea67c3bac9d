package probe

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// The Progress hook sees every probed endpoint start and end with the verdict the report gives it, and
// the login test after it.
func TestProgressReportsStepsAndVerdicts(t *testing.T) {
	w := sandbox.DemoWorld()
	user := "alice@" + w.Domain
	_, p := world(t, w, &Credentials{User: user, Password: w.Users[user]})
	var mu sync.Mutex
	type key struct {
		ep   Endpoint
		addr string
	}
	steps := map[key][]string{}
	done := map[key]Status{}
	logins := map[key]bool{}
	p.cfg.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		k := key{e.Endpoint, e.Address}
		switch e.Kind {
		case StepStarted:
			if _, over := done[k]; over && e.Step != StepLogin {
				t.Errorf("%s %s: step %q after the verdict", e.Endpoint, e.Address, e.Step)
			}
			if e.Limit <= 0 {
				t.Errorf("%s: step %q without a limit", e.Endpoint, e.Step)
			}
			steps[k] = append(steps[k], e.Step)
		case EndpointDone:
			if _, twice := done[k]; twice {
				t.Errorf("%s %s: two verdicts", e.Endpoint, e.Address)
			}
			done[k] = e.Result.Status
		case LoginDone:
			if e.Result.Auth == nil {
				t.Errorf("%s: login verdict without Auth", e.Endpoint)
			}
			logins[k] = true
		}
	}
	rep := p.Run(context.Background(), Request{Target: user, Domain: w.Domain, Address: user})

	mu.Lock()
	defer mu.Unlock()
	for _, e := range rep.Endpoints {
		if e.Address == "" {
			continue // never dialled: the name has no address
		}
		k := key{e.Endpoint, e.Address}
		st, ok := done[k]
		if !ok {
			t.Errorf("%s %s: no EndpointDone event", e.Endpoint, e.Address)
			continue
		}
		if len(steps[k]) == 0 || steps[k][0] != StepConnect {
			t.Errorf("%s %s: steps %q, want connect first", e.Endpoint, e.Address, steps[k])
		}
		// The report may lower an IPv6 failure to a warning (compareFamilies) or fail a login: only an
		// endpoint the report passes must have passed when it was announced.
		if e.Auth == nil && e.Status == StatusOK && st != StatusOK {
			t.Errorf("%s %s: announced %s, reported %s", e.Endpoint, e.Address, st, e.Status)
		}
		if e.Auth != nil && e.Auth.Tested && e.Auth.SameAs == "" && !logins[k] {
			t.Errorf("%s %s: login tested without a LoginDone event", e.Endpoint, e.Address)
		}
	}
}

// A port that accepts and stays silent shows, inside its greeting's wait, the TLS check asked on a second
// connection (tlsquestion.go).
func TestProgressShowsTheSecondWaitOfASilentPort(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain:   "silent.test",
		Records:  []string{"mx.silent.test." + ttl + "A 127.0.0.61"},
		Services: []sandbox.Service{{IP: "127.0.0.61", Port: 25, Behavior: sandbox.BehaveSilent}},
	}, nil)
	p.cfg.Timeout = silenceWait // the wait for silence; the steps, not their length, are the point
	var mu sync.Mutex
	var steps []string
	p.cfg.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == StepStarted {
			steps = append(steps, e.Step)
		}
	}
	ep := Endpoint{Protocol: SMTP, Host: "mx.silent.test", Port: 25, Security: STARTTLS}
	p.Run(context.Background(), Request{Target: ep.URL(), Endpoints: []Endpoint{ep}})
	mu.Lock()
	defer mu.Unlock()
	if want := []string{StepConnect, StepGreeting, StepTLSCheck}; strings.Join(steps, ",") != strings.Join(want, ",") {
		t.Errorf("steps = %q, want %q", steps, want)
	}
}
