package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/explain"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// job is one running check, followed live by its page over Server-Sent Events.
type job struct {
	id, user, target string
	started          time.Time

	mu       sync.Mutex
	lines    []string
	changed  chan struct{} // closed and replaced whenever lines or done change
	done     bool
	resultID string
	err      string
}

// maxJobLines bounds what one job's progress keeps.
const maxJobLines = 2000

func (j *job) add(line string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.lines) < maxJobLines {
		j.lines = append(j.lines, line)
	}
	close(j.changed)
	j.changed = make(chan struct{})
}

func (j *job) finish(resultID, errMsg string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.done, j.resultID, j.err = true, resultID, errMsg
	close(j.changed)
	j.changed = make(chan struct{})
}

// since returns the lines after the first n, whether the job is done, and a channel closed at the next change.
func (j *job) since(n int) ([]string, bool, chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.lines[min(n, len(j.lines)):]...), j.done, j.changed
}

type jobs struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*job
}

func newJobs(now func() time.Time) *jobs { return &jobs{now: now, m: map[string]*job{}} }

func (js *jobs) add(j *job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for id, old := range js.m { // finished jobs are kept an hour for their page, then the result has it
		old.mu.Lock()
		stale := old.done && js.now().Sub(old.started) > time.Hour
		old.mu.Unlock()
		if stale {
			delete(js.m, id)
		}
	}
	js.m[j.id] = j
}

func (js *jobs) get(id string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.m[id]
}

// oneLine makes a server's or resolver's string safe for an SSE data line and a page: no control
// characters (a CR or LF would end the event early), at most 300 runes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

func progressLine(ev probe.Event) string {
	where := ev.Endpoint.String()
	if ev.Address != "" {
		where += " (" + ev.Address + ")"
	}
	switch ev.Kind {
	case probe.StepStarted:
		return oneLine(fmt.Sprintf("%s: %s…", where, ev.Step))
	case probe.EndpointDone:
		return oneLine(fmt.Sprintf("%s: %s", where, ev.Result.Status))
	case probe.LoginDone:
		verdict := "not tested"
		if a := ev.Result.Auth; a != nil && a.Tested {
			verdict = "login refused"
			if a.OK {
				verdict = "login accepted"
			}
		}
		return oneLine(fmt.Sprintf("%s: %s", where, verdict))
	}
	return ""
}

// startProbe checks the form and the limits, starts the probe in the background and sends the browser to
// its progress page. The password goes only into probe.Credentials: never a URL, a log line or the database.
func (s *Server) startProbe(w http.ResponseWriter, r *http.Request) {
	se := sessionOf(r)
	target := strings.TrimSpace(r.PostFormValue("target"))
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	token := strings.TrimSpace(r.PostFormValue("token"))
	if password != "" && token != "" {
		s.fail(w, r, http.StatusBadRequest, "Give a password or an OAuth2 access token, not both.")
		return
	}
	req, err := probe.ParseRequest(target)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "Target: "+err.Error())
		return
	}
	if s.cfg.Allow != nil && !s.cfg.Allow.Allows(req) {
		s.fail(w, r, http.StatusForbidden, fmt.Sprintf("%q is not among the targets this page may check (--allow-target).", req.Target))
		return
	}
	var creds *probe.Credentials
	if password != "" || token != "" {
		if login == "" {
			login = req.Address
		}
		if login == "" {
			s.fail(w, r, http.StatusBadRequest, "With a password or token, give the login name too (or check an e-mail address).")
			return
		}
		if err := probe.ValidUser(login); err != nil {
			s.fail(w, r, http.StatusBadRequest, "Login name: "+err.Error())
			return
		}
		if err := s.gate.check(req); err != nil {
			s.fail(w, r, http.StatusTooManyRequests, err.Error())
			return
		}
		creds = &probe.Credentials{User: login, Password: password, Token: token}
	}
	release, err := s.quota.take(se.user)
	if err != nil {
		s.fail(w, r, http.StatusTooManyRequests, err.Error())
		return
	}
	j := &job{id: NewID(), user: se.user, target: req.Target, started: s.cfg.Now(), changed: make(chan struct{})}
	s.jobs.add(j)
	s.cfg.Log.Printf("check %s by %s: %s (login: %t)", j.id, se.user, req.Target, creds != nil)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		defer release()
		s.run(j, req, creds)
	}()
	http.Redirect(w, r, "/run/"+j.id, http.StatusSeeOther)
}

func (s *Server) run(j *job, req probe.Request, creds *probe.Credentials) {
	cfg := s.cfg.Base
	cfg.Policy = s.cfg.Policy
	cfg.Credentials = creds
	cfg.Transcript = true
	if cfg.CertWarnDays == 0 {
		cfg.CertWarnDays = probe.DefaultCertWarnDays
	}
	cfg.Progress = func(ev probe.Event) {
		if l := progressLine(ev); l != "" {
			j.add(l)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.MaxTime)
	defer cancel()
	rep := probe.NewProber(cfg).Run(ctx, req)
	if creds != nil {
		s.gate.record(req, rep)
	}
	summary, md, details, err := renderResult(rep, s.cfg.Version)
	if err != nil {
		j.finish("", "the report could not be rendered")
		return
	}
	res := &Result{ID: NewID(), User: j.user, Target: req.Target, Domain: strings.ToLower(rep.Domain), Status: string(rep.Status),
		Created: s.cfg.Now(), Summary: summary, Markdown: md, Details: details}
	if res.Domain == "" && len(req.Endpoints) > 0 {
		res.Domain = strings.ToLower(req.Endpoints[0].Host)
	}
	if err := s.cfg.Store.Save(context.Background(), res); err != nil {
		s.cfg.Log.Printf("check %s: saving the result: %v", j.id, err)
		j.finish("", "the result could not be saved")
		return
	}
	j.finish(res.ID, "")
}

func (s *Server) ownJob(w http.ResponseWriter, r *http.Request) *job {
	j := s.jobs.get(r.PathValue("id"))
	if j == nil || j.user != sessionOf(r).user {
		s.fail(w, r, http.StatusNotFound, "No such check running.")
		return nil
	}
	return j
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	j := s.ownJob(w, r)
	if j == nil {
		return
	}
	lines, done, _ := j.since(0)
	j.mu.Lock()
	resultID, errMsg := j.resultID, j.err
	j.mu.Unlock()
	if done && resultID != "" {
		http.Redirect(w, r, "/r/"+resultID, http.StatusSeeOther)
		return
	}
	s.render(w, r, "run", map[string]any{"ID": j.id, "Target": j.target, "Lines": lines, "Done": done, "Error": errMsg})
}

// runEvents streams a job's progress (text/event-stream): one "message" per line, then a "done" event whose
// data is the result's path (or an "failed" event with the reason).
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request) {
	j := s.ownJob(w, r)
	if j == nil {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	n := 0
	for {
		lines, done, changed := j.since(n)
		for _, l := range lines {
			fmt.Fprintf(w, "data: %s\n\n", l)
		}
		n += len(lines)
		if done {
			j.mu.Lock()
			resultID, errMsg := j.resultID, j.err
			j.mu.Unlock()
			if resultID != "" {
				fmt.Fprintf(w, "event: done\ndata: /r/%s\n\n", resultID)
			} else {
				fmt.Fprintf(w, "event: failed\ndata: %s\n\n", oneLine(errMsg))
			}
			fl.Flush()
			return
		}
		fl.Flush()
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

func (s *Server) resultPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		s.fail(w, r, http.StatusNotFound, ErrNotFound.Error())
		return
	}
	res, err := s.cfg.Store.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		s.cfg.Log.Printf("result %s: %v", id, err)
		s.fail(w, r, http.StatusInternalServerError, "The database could not be read.")
		return
	}
	var sum Summary
	_ = json.Unmarshal([]byte(res.Summary), &sum)
	s.render(w, r, "result", map[string]any{"R": res, "S": sum})
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(r.URL.Query().Get("domain")), "."))
	if _, after, ok := strings.Cut(domain, "@"); ok { // an address pasted from a ticket: its domain
		domain = after
	}
	if len(domain) > 253 {
		domain = domain[:253]
	}
	mine := r.URL.Query().Get("mine") == "1"
	user := ""
	if mine {
		user = sessionOf(r).user
	}
	list, err := s.cfg.Store.List(r.Context(), user, domain, 200)
	if err != nil {
		s.cfg.Log.Printf("history: %v", err)
		s.fail(w, r, http.StatusInternalServerError, "The database could not be read.")
		return
	}
	s.render(w, r, "history", map[string]any{"Results": list, "Domain": domain, "Mine": mine})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Store.List(r.Context(), sessionOf(r).user, "", 10)
	if err != nil {
		s.cfg.Log.Printf("history: %v", err)
	}
	s.render(w, r, "home", map[string]any{"Results": list})
}

// maxPaste is what explain reads of a paste or an .eml.
const maxPaste = 512 << 10

// explain shows what a pasted error, dialog or bounce means. The paste is not stored.
func (s *Server) explain(w http.ResponseWriter, r *http.Request) {
	text := r.PostFormValue("text")
	if f, _, err := r.FormFile("eml"); err == nil {
		defer f.Close()
		b := make([]byte, maxPaste)
		n, _ := readFull(f, b)
		if n > 0 {
			text = string(b[:n])
		}
	}
	if strings.TrimSpace(text) == "" {
		s.fail(w, r, http.StatusBadRequest, "Paste an error message, a dialog's text or a bounce, or choose an .eml file.")
		return
	}
	if len(text) > maxPaste {
		text = text[:maxPaste]
	}
	ex := explain.Explain(text)
	data := map[string]any{"E": ex}
	if ex.Retest != nil {
		data["Retest"] = ex.Retest.Endpoint().URL()
	}
	if t, evidence, ok := posture.ForDiagnosis(ex, text); ok {
		// A bounce about the sender's records: offer to check them (the paste goes back in the form,
		// never into a URL or the database).
		data["Records"], data["Paste"], data["ReadFrom"] = t.Domain, text, evidence
		if r.PostFormValue("records") == "1" {
			if req, err := probe.ParseRequest(t.Domain); err != nil {
				s.fail(w, r, http.StatusBadRequest, "The sending domain read from the paste: "+err.Error())
				return
			} else if s.cfg.Allow != nil && !s.cfg.Allow.Allows(req) {
				s.fail(w, r, http.StatusForbidden, fmt.Sprintf("%q is not among the targets this page may check (--allow-target).", t.Domain))
				return
			}
			// A records check asks DNS and fetches an MTA-STS policy: it counts against the user's limits
			// like a probe (--max-concurrent, --max-per-hour).
			release, err := s.quota.take(sessionOf(r).user)
			if err != nil {
				s.fail(w, r, http.StatusTooManyRequests, err.Error())
				return
			}
			defer release()
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.MaxTime)
			defer cancel()
			p := probe.NewProber(s.cfg.Base) // the page's resolver, roots and connection policy
			rep := posture.Run(ctx, &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy, Timeout: s.cfg.MaxTime}, t)
			data["Verdict"], data["Posture"] = posture.Judge(ex, rep), rep
			s.cfg.Log.Printf("records checked: %s by %s", t.Domain, sessionOf(r).user)
		}
	}
	s.render(w, r, "explain", data)
}

func readFull(f interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := f.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
