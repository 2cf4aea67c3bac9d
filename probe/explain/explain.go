// Package explain reads the error messages users paste (Outlook and Thunderbird dialogs, server replies,
// bounces, library errors) and explains them with the same catalogue of problems that `mailcheck probe`
// reports. It never prints; package report renders an Explanation.
//
// Reading pasted text is the one place where mailcheck matches error wording: the wording is data in
// probe/catalog (Code.Match) and the field patterns are the tables in fields.go and scan.go. The probe
// itself classifies its own errors by type (probe/classify.go).
package explain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// Match is one catalogued code recognised in the text.
type Match struct {
	// Code is the catalogue entry.
	Code catalog.Code
	// Seen is the code as the text wrote it, canonicalised ("5.1.1" for the entry X.1.1).
	Seen string
	// Why quotes the part of the text that identified it ("Socket Error: 11001").
	Why string
	// Problem is what this code points to in the context found; a refinement (port, SSL, reply code) may
	// make it differ from Code.Problem.
	Problem string
}

// MarshalJSON writes the match with the catalogue facts a reader needs, not the whole entry.
func (m Match) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind    catalog.CodeKind `json:"kind"`
		Code    string           `json:"code"`
		Entry   string           `json:"entry,omitempty"`
		Name    string           `json:"name"`
		Meaning string           `json:"meaning"`
		Problem string           `json:"problem,omitempty"`
		Grade   string           `json:"source_grade"`
		Why     string           `json:"why"`
	}{m.Code.Kind, m.Seen, entryIfDifferent(m), m.Code.Name, m.Code.Meaning, m.Problem, m.Code.Confidence, m.Why})
}

func entryIfDifferent(m Match) string {
	if m.Code.Code == m.Seen {
		return ""
	}
	return m.Code.Code
}

// Retest is the endpoint the pasted settings describe, for `mailcheck probe` (or `explain --probe`) to test.
type Retest struct {
	// Protocol is imap, pop3 or smtp.
	Protocol string `json:"protocol"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	// Security is plain, starttls or tls: how the client in the paste connected.
	Security string `json:"security"`
}

// Endpoint converts the re-test into the probe's endpoint type.
func (r Retest) Endpoint() probe.Endpoint {
	return probe.Endpoint{Protocol: probe.Protocol(r.Protocol), Host: r.Host, Port: r.Port, Security: probe.Security(r.Security)}
}

// Explanation is what a pasted error means and what to do about it.
type Explanation struct {
	// Input is the text that was explained, normalised (line breaks, quotes) and capped at 64 KiB.
	Input string `json:"input"`
	// Recognised is false when no catalogued code or message was found.
	Recognised bool `json:"recognised"`
	// Code is the code the diagnosis rests on, as the text wrote it ("0x800CCC0D", "5.7.139").
	Code string `json:"code,omitempty"`
	// Problem is the problem code (the same closed set `mailcheck probe` reports); empty for success codes.
	Problem  string           `json:"problem,omitempty"`
	Severity catalog.Severity `json:"severity,omitempty"`
	// Title is the problem's short name.
	Title string `json:"title,omitempty"`
	// Meaning is what the code itself means.
	Meaning string `json:"meaning,omitempty"`
	// Explanation is the problem's shared explanation, word for word what `mailcheck probe` says.
	Explanation string `json:"explanation,omitempty"`
	// Causes are the likely causes, most likely first for the context found (port, SSL, protocol).
	Causes []string `json:"causes,omitempty"`
	// Steps are what to do, in order; the last one is the problem's shared fix.
	Steps []string `json:"steps,omitempty"`
	// Headline names the cause, or the two causes when they are close ("Wrong user name or password, or App
	// password or browser sign-in required").
	Headline string `json:"headline,omitempty"`
	// Confidence says how sure the diagnosis is: certain (a code or exact message that means exactly
	// this), likely (strong words, a provider's rule, a context refinement, or a close second cause),
	// possible (a catch-all code, or the word model's guess). Empty when nothing was recognised.
	Confidence Confidence `json:"confidence,omitempty"`
	// Evidence is what the diagnosis rests on: each recognised code or text that leads to Problem.
	Evidence []string `json:"evidence,omitempty"`
	// Alternatives are the other causes the text supports, most likely first, each with its evidence.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// SourceGrade grades the primary code's meaning: A primary source, B vendor text seen in reports, C
	// secondary, D unsourced.
	SourceGrade string `json:"source_grade,omitempty"`
	// Fields are the facts read from the text.
	Fields Fields `json:"fields"`
	// Matches are every recognised code, the one the diagnosis rests on first.
	Matches []Match `json:"matches,omitempty"`
	// Unrecognised are code-shaped numbers the catalogue does not know (0x800CCC81).
	Unrecognised []string `json:"unrecognised_codes,omitempty"`
	// Delivery is what a whole delivery-status notification (multipart/report, RFC 3464) says, when the
	// input was one; Input is then the report's fields and human-readable part, decoded.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Guess is the word model's proposal when no code or message was recognised (guess.go); the
	// confidence is then "possible".
	Guess *Guess `json:"guess,omitempty"`
	// Retest is the endpoint to test again, when the text names a server and a protocol.
	Retest *Retest `json:"retest,omitempty"`
	// ProbeCommand is the mailcheck command that tests the settings directly.
	ProbeCommand string `json:"probe_command,omitempty"`
}

// Confidence is how sure a diagnosis is.
type Confidence string

const (
	// Certain: a code or an exact message that means exactly this problem.
	Certain Confidence = "certain"
	// Likely: strong words, a provider's rule, a reading changed by the settings, or a close second cause.
	Likely Confidence = "likely"
	// Possible: a catch-all code, or the word model's guess (guess.go).
	Possible Confidence = "possible"
)

// Alternative is another cause the text supports.
type Alternative struct {
	Problem    string     `json:"problem"`
	Title      string     `json:"title"`
	Confidence Confidence `json:"confidence"`
	// Evidence quotes what points to this cause.
	Evidence []string `json:"evidence"`
}

// closeMargin is how near in rank a different cause must be for the headline to name both.
const closeMargin = 10

// kindRank orders recognised codes by how precisely they identify a failure: a provider's own message says
// more than the SMTP reply code it came with, which says more than the Outlook number wrapping it.
var kindRank = map[catalog.CodeKind]int{
	catalog.KindProvider: 100,
	catalog.KindTLS:      95,
	catalog.KindIMAP:     85,
	catalog.KindPOP3:     85,
	catalog.KindEnhanced: 75,
	catalog.KindWinsock:  70,
	catalog.KindNetwork:  68,
	catalog.KindSMTP:     60,
	catalog.KindOutlook:  55,
	catalog.KindClient:   45,
}

const (
	// A class-specific enhanced code (5.7.139) is more precise than a registry detail (X.7.8).
	bonusClassSpecific = 10
	// A refinement that changes the problem because of the settings (port, SSL, protocol) is evidence the
	// symptom codes lack, so it outranks them. A refinement by reply code only disambiguates.
	bonusRefined = 50
	// Catch-all codes defer to anything more specific.
	penaltyGeneric = 40
	// An "other or undefined" enhanced status defers to any words that name a cause.
	penaltyUndefinedStatus = 35
	// A preamble ("Recipient address rejected:") yields to the words after it, but not to a code.
	penaltyPreamble = 5
	// A provider's own meaning of a status code outranks the registry's and the words next to it: Gmail's
	// 4.7.30 is DKIM whatever else its sentence says (issue 21).
	bonusProviderMeaning = 30
	// Among texts of one kind, the inner exception of a stack trace outranks its wrapper: "Could not
	// connect to SMTP host" wraps the "No appropriate protocol" that says why.
	bonusInner = 5
	// Success and informational codes rank last: a failing reply next to them is the story.
	rankInfo = 5
)

// ranked is a recognised code with its diagnosis in this context.
type ranked struct {
	found
	score   int
	problem string
	refined []catalog.Refinement
	// ruled is set when a provider rule gave the problem; its causes then already name the generic
	// reading after the provider's.
	ruled bool
}

// context is where the error happened, as far as the text says.
type context struct {
	provider string
	// inner is where the first inner exception starts ("Caused by:", "nested exception is:", "--->"), or -1.
	inner       int
	protocol    string
	port        int
	security    string
	replyCodes  []string
	socketError bool
}

func (c context) matches(w catalog.Context) bool {
	if len(w.Protocols) > 0 && !containsString(w.Protocols, c.protocol) {
		return false
	}
	if len(w.Ports) > 0 && !containsInt(w.Ports, c.port) {
		return false
	}
	if w.Security != "" && w.Security != c.security {
		return false
	}
	if len(w.ReplyCodes) > 0 && !anyIn(w.ReplyCodes, c.replyCodes) {
		return false
	}
	return !(w.NoSocketError && c.socketError)
}

// Explain reads a pasted error and explains it. It accepts anything, including empty or binary input.
func Explain(input string) Explanation {
	delivery, human, isDSN := parseDSN(input)
	if isDSN {
		input = delivery.text(human)
	}
	text := normalise(input)
	e := Explanation{Input: text}
	if isDSN {
		e.Delivery = &delivery
	}
	if text == "" {
		e.Meaning = "There is no text to explain."
		return e
	}
	f := extractFields(text)
	f.Bounce = f.Bounce || isDSN
	hits, unknown := scan(text+decodedChallenges(text), &f) // base64 OAuth2 error challenges, decoded (oauth.go)
	hits = dedupe(hits)
	inferProtocol(&f, hits, text)
	e.Fields = f
	e.Unrecognised = unknown
	e.Retest = retestFor(f)
	e.ProbeCommand = probeCommand(f, e.Retest)

	ctx := contextOf(f, hits, text)
	list := rankAll(hits, ctx)
	applyProviderRules(list, f)
	if len(list) == 0 {
		explainUnknown(&e)
		guessFromWords(&e, text)
		return e
	}
	for _, r := range list {
		e.Matches = append(e.Matches, Match{Code: r.code, Seen: r.seen, Why: r.why, Problem: r.problem})
	}
	primary := list[0]
	e.Recognised = true
	e.Code = primary.seen
	e.SourceGrade = primary.code.Confidence
	e.Meaning = meaningOf(primary)
	if primary.problem == "" {
		e.Title = "Not an error"
		e.Steps = []string{"Nothing needs fixing for this message. If mail still fails, paste the error that comes with the failure, or test the settings directly" + withCommand(e.ProbeCommand) + "."}
		return e
	}
	p, _ := catalog.Lookup(primary.problem)
	e.Problem, e.Severity, e.Title, e.Explanation = p.Code, p.Severity, p.Title, p.Explanation
	e.Causes = causesFor(primary, list)
	e.Steps = stepsFor(primary, p)
	decide(&e, primary, list)
	return e
}

// decide grades the diagnosis and ranks the other causes the text supports, each with its evidence. A
// provider rule keeps the generic reading as the close second ("wrong password, or the provider wants an
// app password"); a different cause ranked within closeMargin is named in the headline too.
func decide(e *Explanation, primary ranked, list []ranked) {
	e.Confidence = confidenceOf(primary)
	e.Evidence = evidenceFor(primary.problem, list)
	e.Headline = e.Title
	close := false
	seen := map[string]bool{primary.problem: true}
	if primary.ruled && primary.code.Problem != primary.problem {
		generic := primary.code.Problem
		for _, ref := range primary.refined[1:] {
			if ref.Problem != "" {
				generic = ref.Problem
				break
			}
		}
		if p, ok := catalog.Lookup(generic); ok && !seen[generic] {
			seen[generic] = true
			e.Alternatives = append(e.Alternatives, Alternative{Problem: generic, Title: p.Title, Confidence: Likely,
				Evidence: []string{primary.why + " (read without the provider's policy)"}})
			close = true
		}
	}
	for _, r := range list[1:] {
		if r.problem == "" || seen[r.problem] || r.code.Info || within(r.found, primary.found) {
			continue
		}
		seen[r.problem] = true
		p, ok := catalog.Lookup(r.problem)
		if !ok {
			continue
		}
		conf := confidenceOf(r)
		if conf == Certain {
			conf = Likely // a cause ranked second is never certain
		}
		e.Alternatives = append(e.Alternatives, Alternative{Problem: r.problem, Title: p.Title, Confidence: conf,
			Evidence: evidenceFor(r.problem, list)})
		if len(e.Alternatives) == 1 && primary.score-r.score <= closeMargin && !r.code.Generic &&
			support(r.problem, list, primary.found) >= support(primary.problem, list, found{})-closeMargin {
			close = true
		}
		if len(e.Alternatives) == 3 {
			break
		}
	}
	if len(primary.code.Also) > 0 && primary.code.Kind == catalog.KindOutlook && primary.problem == primary.code.Problem &&
		support(primary.problem, list[1:], primary.found) == 0 {
		// An Outlook number alone cannot tell these apart (0x800CCC0E is a failed connection, refused or
		// timed out, until a socket error says which).
		var also []Alternative
		for _, a := range primary.code.Also {
			if p, ok := catalog.Lookup(a); ok && !seen[a] {
				seen[a] = true
				also = append(also, Alternative{Problem: a, Title: p.Title, Confidence: Possible, Evidence: []string{primary.why}})
			}
		}
		if len(also) > 0 {
			e.Alternatives = append(also, e.Alternatives...)
			close = true
			e.Confidence = Possible
		}
	}
	if close && len(e.Alternatives) > 0 {
		e.Headline = e.Title + ", or " + lowerFirst(e.Alternatives[0].Title)
		if e.Confidence == Certain {
			e.Confidence = Likely
		}
	}
}

// support sums the ranks of the specific sightings (not catch-all codes, not inside skip's text) that lead
// to problem: a second cause is close only when it rests on about as much as the first.
func support(problem string, list []ranked, skip found) int {
	n := 0
	for _, r := range list {
		if r.problem == problem && !r.code.Generic && !isClassLevel(r.code) && !within(r.found, skip) {
			n += r.score
		}
	}
	return n
}

// within says whether a sighting lies inside another's text: the shorter wording is part of the longer,
// more specific one ("authentication mechanism is not supported" inside Exchange's whole sentence), so it
// is no second cause.
func within(a, b found) bool {
	return a.span > 0 && b.span > a.span && a.pos >= b.pos && a.pos+a.span <= b.pos+b.span && textKind[a.code.Kind]
}

// confidenceOf grades one reading: catch-all codes are possible; words, provider rules, refinements by the
// settings and secondary sources are likely; a specific code or exact message is certain.
func confidenceOf(r ranked) Confidence {
	switch {
	case r.code.Generic || isClassLevel(r.code):
		return Possible
	case r.ruled || r.code.Cue || r.problem != r.code.Problem || r.code.Confidence == "C" || r.code.Confidence == "D":
		return Likely
	}
	return Certain
}

// isClassLevel says whether an enhanced code was only known by its subject or class (X.7.X, 5.X.X).
func isClassLevel(c catalog.Code) bool {
	return c.Kind == catalog.KindEnhanced && strings.HasSuffix(c.Code, ".X")
}

// evidenceFor quotes every recognised code or text that leads to problem, strongest first.
func evidenceFor(problem string, list []ranked) []string {
	var out []string
	for _, r := range list {
		if r.problem == problem && r.why != "" {
			out = appendNew(out, r.why)
		}
	}
	return out
}

// lowerFirst lowercases a title's first letter for use inside a sentence, unless it starts a name
// ("Gmail: …", "SMTP …").
func lowerFirst(s string) string {
	if len(s) < 2 || s[1] < 'a' || s[1] > 'z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func rankAll(hits []found, ctx context) []ranked {
	var list []ranked
	for _, h := range hits {
		r := ranked{found: h, problem: h.code.Problem, score: kindRank[h.code.Kind]}
		if h.code.Kind == catalog.KindEnhanced && !strings.HasPrefix(h.code.Code, "X.") && !strings.HasSuffix(h.code.Code, ".X.X") {
			r.score += bonusClassSpecific
		}
		if h.code.Generic {
			r.score -= penaltyGeneric
			if h.code.Kind == catalog.KindEnhanced {
				// An enhanced code known only as "other or undefined" (X.7.0) names no cause: its own
				// meaning says to read the text, so any wording that names one, even a library's
				// catch-all, comes first (issue 21).
				r.score -= penaltyUndefinedStatus
			}
		}
		if h.code.Preamble {
			r.score -= penaltyPreamble
		}
		if h.code.Kind == catalog.KindEnhanced {
			if pc, ok := catalog.LookupProviderStatus(ctx.provider, h.seen); ok && pc.Code == h.code.Code && pc.Name == h.code.Name || catalog.HasOwnMeaning(h.code) {
				r.score += bonusProviderMeaning
			}
		}
		if ctx.inner >= 0 && h.pos > ctx.inner && textKind[h.code.Kind] {
			r.score += bonusInner
		}
		for _, ref := range h.code.Refine {
			if !ctx.matches(ref.When) {
				continue
			}
			r.refined = append(r.refined, ref)
			if ref.Problem != "" && r.problem == h.code.Problem {
				r.problem = ref.Problem
				if fromSettings(ref.When) {
					r.score += bonusRefined
				}
			}
		}
		if h.code.Info {
			r.score = rankInfo
			if h.code.Generic {
				r.score--
			}
		}
		list = append(list, r)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.span != b.span {
			return a.span > b.span
		}
		return a.pos < b.pos
	})
	return list
}

// applyProviderRules gives refusals the meaning their provider gives them: the same "LOGIN failed" is a
// wrong password from most servers and "password logins are switched off" from Exchange Online. The
// provider's reading comes first among the causes, the generic one after it.
func applyProviderRules(list []ranked, f Fields) {
	for i := range list {
		rule, ok := catalog.ApplyProviderRule(f.Provider, f.Protocol, list[i].problem)
		if !ok {
			continue
		}
		list[i].problem, list[i].ruled = rule.Problem, true
		ref := catalog.Refinement{Problem: rule.Problem, Causes: rule.Causes, Step: rule.Step}
		list[i].refined = append([]catalog.Refinement{ref}, list[i].refined...)
	}
}

// fromSettings says whether a condition is about the client's settings rather than the server's reply.
func fromSettings(w catalog.Context) bool {
	return len(w.Ports) > 0 || w.Security != "" || len(w.Protocols) > 0
}

// textKind are the kinds recognised by their words, where an inner exception can outrank its wrapper.
var textKind = map[catalog.CodeKind]bool{catalog.KindTLS: true, catalog.KindNetwork: true, catalog.KindClient: true, catalog.KindProvider: true}

// innerMarker finds where a stack trace's first inner exception starts (Java "Caused by:" and JavaMail's
// "nested exception is:", .NET "--->"), or -1.
var innerMarker = regexp.MustCompile(`(?i)caused by:|nested exception is:?|--->|\bcaused:`)

func contextOf(f Fields, hits []found, text string) context {
	c := context{provider: f.Provider, inner: -1, protocol: f.Protocol, port: f.Port, security: securityOf(f.Protocol, f.Port, f.SSL)}
	if loc := innerMarker.FindStringIndex(text); loc != nil {
		c.inner = loc[0]
	}
	c.socketError = f.SocketError != "" && strings.Trim(f.SocketError, "0") != ""
	if f.ReplyCode != "" {
		c.replyCodes = append(c.replyCodes, f.ReplyCode)
	}
	for _, h := range hits {
		if h.code.Kind == catalog.KindSMTP {
			c.replyCodes = appendNew(c.replyCodes, h.seen)
		}
	}
	return c
}

// securityOf reads how the client protected the connection from the dialog's "Secure(SSL)" flag. Outlook
// Express's SSL flag on SMTP means STARTTLS on the same port (imnxport.h ISF_SSLONSAMEPORT) unless the port
// is 465; on IMAP and POP3 it means implicit TLS.
func securityOf(protocol string, port int, ssl *bool) string {
	if ssl == nil {
		return ""
	}
	if !*ssl {
		return string(probe.Plain)
	}
	switch port {
	case 465, 993, 995:
		return string(probe.TLS)
	}
	if protocol == "smtp" {
		return string(probe.STARTTLS)
	}
	return string(probe.TLS)
}

var (
	pop3Reply = regexp.MustCompile(`(?m)(?:^\s*|b?['"])(?:-ERR|\+OK)\b`)
	imapReply = regexp.MustCompile(`(?m)^\s*(?:\*|[A-Za-z0-9.]{1,20}) (?:OK|NO|BAD|BYE|PREAUTH)\b`)
	wordSMTP  = regexp.MustCompile(`\bSMTP\b`)
	wordIMAP  = regexp.MustCompile(`(?i)\bIMAP4?\b|imaplib`)
	wordPOP3  = regexp.MustCompile(`(?i)\bPOP3?\b|poplib`)
)

// inferProtocol fills Fields.Protocol when the dialog did not state it: from the shape of the server's
// reply, then from the codes found, then from the wording, then from a standard port.
func inferProtocol(f *Fields, hits []found, text string) {
	if f.Protocol != "" {
		return
	}
	reply := f.ServerResponse
	switch {
	case strings.HasPrefix(reply, "-ERR") || strings.HasPrefix(reply, "+OK") || pop3Reply.MatchString(text):
		f.Protocol = "pop3"
		return
	case imapReply.MatchString(text) || imapReply.MatchString(reply) || k9Response.MatchString(text):
		f.Protocol = "imap"
		return
	}
	votes := map[string]int{}
	for _, h := range hits {
		if p := protocolOfCode(h.code); p != "" {
			votes[p]++
		}
	}
	if p := onlyVote(votes); p != "" {
		f.Protocol = p
		return
	}
	words := map[string]int{}
	if wordSMTP.MatchString(text) || strings.Contains(strings.ToLower(text), "smtplib") {
		words["smtp"]++
	}
	if wordIMAP.MatchString(text) {
		words["imap"]++
	}
	if wordPOP3.MatchString(text) {
		words["pop3"]++
	}
	if p := onlyVote(words); p != "" {
		f.Protocol = p
		return
	}
	for _, s := range probe.Services {
		if s.Port == f.Port {
			f.Protocol = string(s.Protocol)
			return
		}
	}
}

func onlyVote(votes map[string]int) string {
	if len(votes) != 1 {
		return ""
	}
	for p := range votes {
		return p
	}
	return ""
}

// protocolOfCode says which protocol a code belongs to, when it belongs to one.
func protocolOfCode(c catalog.Code) string {
	switch c.Kind {
	case catalog.KindSMTP, catalog.KindEnhanced:
		return "smtp"
	case catalog.KindIMAP:
		return "imap"
	case catalog.KindPOP3:
		return "pop3"
	case catalog.KindOutlook:
		switch {
		case c.Code >= "0x800CCC60" && c.Code <= "0x800CCC80", c.Code == "0x80042109", c.Code == "0x8004210B":
			return "smtp"
		case c.Code >= "0x800CCC90" && c.Code <= "0x800CCC97", c.Code == "0x80042108", c.Code == "0x8004210A":
			return "pop3"
		case c.Code >= "0x800CCCD1" && c.Code <= "0x800CCCE0":
			return "imap"
		}
	}
	return ""
}

// retestFor derives the endpoint the paste describes. Without an SSL flag the port decides the security (the
// standard ports table); without a port the secure standard port of the protocol is used.
func retestFor(f Fields) *Retest {
	if f.Server == "" || f.Bounce {
		return nil
	}
	// What to test when the paste names neither port nor SSL: the port providers document for mail
	// clients, the protocol's ClientScheme.
	traits, ok := probe.TraitsOf(probe.Protocol(f.Protocol))
	if !ok {
		return nil
	}
	sec := securityOf(f.Protocol, f.Port, f.SSL)
	port := f.Port
	if sec == "" && port == 0 {
		svc, _ := probe.ServiceByScheme(traits.ClientScheme)
		return &Retest{Protocol: f.Protocol, Host: f.Server, Port: svc.Port, Security: string(svc.Security)}
	}
	if sec == "" {
		sec = string(probe.STARTTLS)
		for _, s := range probe.Services {
			if s.Protocol == traits.Protocol && s.Port == port {
				sec = string(s.Security)
				break
			}
		}
	}
	if port == 0 {
		want := probe.Security(sec)
		if want == probe.Plain {
			want = probe.STARTTLS
		}
		for _, s := range probe.Services {
			if s.Protocol == traits.Protocol && s.Security == want {
				port = s.Port
				break
			}
		}
	}
	return &Retest{Protocol: f.Protocol, Host: f.Server, Port: port, Security: sec}
}

func probeCommand(f Fields, r *Retest) string {
	if r != nil {
		cmd := "mailcheck probe " + r.Endpoint().URL()
		if r.Security == string(probe.Plain) {
			// The URL's scheme alone would mean STARTTLS (submission://, imap://): the paste says plain.
			cmd += " --starttls no"
		}
		return cmd
	}
	if f.Bounce {
		return ""
	}
	if strings.Contains(f.Account, "@") {
		if _, addr, err := probe.ParseTarget(f.Account); err == nil && addr != "" {
			return "mailcheck probe " + addr
		}
	}
	return ""
}

func withCommand(cmd string) string {
	if cmd == "" {
		return " with `mailcheck probe you@example.com`"
	}
	return " with `" + cmd + "`"
}

// meaningOf is the code's meaning; for an enhanced code the class (2, 4 or 5) adds whether retrying helps.
func meaningOf(r ranked) string {
	m := r.code.Meaning
	for _, ref := range r.refined {
		if ref.Meaning != "" {
			m = ref.Meaning
			break
		}
	}
	if r.code.Kind == catalog.KindEnhanced && strings.HasPrefix(r.code.Code, "X.") && r.seen != "" {
		if class, ok := catalog.LookupCode(catalog.KindEnhanced, r.seen[:1]+".X.X"); ok {
			m += " " + class.Meaning
		}
	}
	return m
}

// causesFor ranks the causes: those the context points to, then the primary code's own, then (when they
// are few) those of other codes in the paste that reach the same problem.
func causesFor(primary ranked, list []ranked) []string {
	const max = 5
	var out []string
	add := func(causes []string) {
		for _, c := range causes {
			if len(out) < max && !strings.HasPrefix(c, "Read the ") && !containsString(out, c) {
				out = append(out, c)
			}
		}
	}
	for _, ref := range primary.refined {
		add(ref.Causes)
	}
	if primary.ruled || replacesMeaning(primary) {
		return out
	}
	add(primary.code.Causes)
	for _, r := range list[1:] {
		if len(out) >= 3 {
			break
		}
		if r.problem != primary.problem || r.code.Info {
			continue
		}
		for _, ref := range r.refined {
			add(ref.Causes)
		}
		add(r.code.Causes)
	}
	if len(out) == 0 {
		// Only "read the server's reply" was known: say so.
		out = append(out, primary.code.Causes...)
	}
	return out
}

// replacesMeaning says whether a refinement gave the code another meaning in this context.
func replacesMeaning(r ranked) bool {
	for _, ref := range r.refined {
		if ref.Meaning != "" {
			return true
		}
	}
	return false
}

func stepsFor(primary ranked, p catalog.Problem) []string {
	var steps []string
	for _, ref := range primary.refined {
		if ref.Step != "" {
			steps = append(steps, ref.Step)
		}
	}
	if primary.code.Step != "" {
		steps = append(steps, primary.code.Step)
	}
	var out []string
	for _, s := range append(steps, p.Fix) {
		if !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// guessFromWords asks the word model about text no rule recognised; above its calibrated threshold the
// explanation names the guessed problem, says "possible", and keeps the not-recognised steps after the
// problem's own.
func guessFromWords(e *Explanation, text string) {
	m := loadModel()
	if m == nil {
		return
	}
	g, ok := m.Guess(text)
	if !ok {
		return
	}
	p, found := catalog.Lookup(g.Problem)
	if !found {
		return
	}
	e.Guess = &g
	e.Recognised = true
	e.Problem, e.Severity, e.Title, e.Explanation = p.Code, p.Severity, p.Title, p.Explanation
	e.Headline = p.Title
	e.Confidence = Possible
	e.Meaning = fmt.Sprintf("No code or known message was found; this is a guess from the words (%s), by a model trained on %d labelled pastes (%.0f%% for this cause). Treat it as a lead, not a diagnosis.",
		strings.Join(g.Words, ", "), g.Rows, 100*g.Probability)
	e.Evidence = []string{"words: " + strings.Join(g.Words, ", ")}
	e.Causes = []string{"The words of the text resemble pastes whose cause was: " + strings.ToLower(p.Title[:1]) + p.Title[1:] + "."}
	e.Steps = append(e.Steps, p.Fix)
}

func explainUnknown(e *Explanation) {
	e.Meaning = "mailcheck does not recognise this error: it contains no error number, server reply or message that mailcheck knows."
	if len(e.Unrecognised) > 0 {
		e.Meaning = "mailcheck does not recognise this error. It contains " + strings.Join(e.Unrecognised, ", ") +
			", which is not in mailcheck's catalogue (the program that showed it may still document it); the words around it are the best guide."
	}
	e.Steps = []string{
		"Test the account's servers directly" + withCommand(e.ProbeCommand) + "; it reports what fails in plain words.",
		"If the message quotes the server's reply (a line starting with a number such as 535, or with -ERR or NO), paste that line on its own.",
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

func anyIn(want, have []string) bool {
	for _, w := range want {
		if containsString(have, w) {
			return true
		}
	}
	return false
}
