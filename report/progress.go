package report

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briandowns/spinner"
	"golang.org/x/term"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/internal/textwrap"
	"github.com/mailcheck/mailcheck/probe"
)

// Progress is the live region a probe shows on a terminal's stderr while it runs: one animated line that
// says what is being waited for and for how long ("waiting for smtp.example.com:25 (STARTTLS,
// IPv6): greeting … 3.0 s of 5 s"), and above it each endpoint's one-line verdict as soon as it is
// known. Stop erases the live line, so the report that follows on stdout starts on a clean line. Nothing
// of it goes to stdout, and the report does not depend on it.
//
// The animation, its timer and the erasing are github.com/briandowns/spinner (what gh uses); this type
// only chooses the words. A nil *Progress does nothing, so callers need not check.
type Progress struct {
	sp    *spinner.Spinner
	out   io.Writer
	width func() int
	pal   palette
	label string
	start time.Time

	mu      sync.Mutex
	waits   map[waitKey]wait
	done    int
	stopped bool
	// rows are the verdict lines printed above the spinner, erased by Stop: the report repeats them.
	rows int
}

type waitKey struct {
	ep   probe.Endpoint
	addr string
}

type wait struct {
	step  string
	since time.Time
	limit time.Duration
}

// NewProgress starts the live region on f, labelled with what is probed (e.g. "alice@example.com"). It
// returns nil, and draws nothing, when f is not a terminal.
func NewProgress(f *os.File, label string, color bool) *Progress {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	p := &Progress{
		out: f, pal: newPalette(color), label: label, start: time.Now(), waits: map[waitKey]wait{},
		width: func() int {
			if w, _, err := term.GetSize(fd); err == nil && w > 0 {
				return w
			}
			return 80
		},
	}
	// A visible cursor: an interrupted run must not leave the terminal without one.
	p.sp = spinner.New(spinner.CharSets[14], 100*time.Millisecond, spinner.WithWriterFile(f), spinner.WithHiddenCursor(false))
	p.sp.PreUpdate = func(s *spinner.Spinner) { s.Suffix = " " + p.status(time.Now()) }
	p.sp.Suffix = " " + p.status(p.start)
	p.sp.Start()
	return p
}

// Event takes one event of the run (a probe.Progress hook); safe for concurrent use.
func (p *Progress) Event(e probe.Event) {
	if p == nil {
		return
	}
	k := waitKey{e.Endpoint, e.Address}
	var line string
	p.mu.Lock()
	switch e.Kind {
	case probe.StepStarted:
		p.waits[k] = wait{step: e.Step, since: time.Now(), limit: e.Limit}
	case probe.EndpointDone:
		delete(p.waits, k)
		p.done++
		if !unoffered(*e.Result, false) { // refused guessed ports: folded into one line by the report too
			line = p.verdictLine(mark(p.pal, e.Result.Status), " "+endpointFields(*e.Result))
		}
	case probe.LoginDone:
		delete(p.waits, k)
		if a := e.Result.Auth; a != nil {
			st, outcome := probe.StatusOK, "accepted"
			if !a.OK {
				st, outcome = probe.StatusFail, "not accepted"
				if a.Problem != nil {
					outcome = a.Problem.Title()
				}
			}
			line = p.verdictLine(mark(p.pal, st), fmt.Sprintf(" login %s on %s %s: %s", a.User, strings.ToUpper(string(e.Endpoint.Protocol)), where(k), outcome))
		}
	}
	stopped := p.stopped
	if line != "" && !stopped {
		p.rows++
	}
	p.mu.Unlock()
	if line == "" || stopped {
		return
	}
	// Above the live line: erase it, print the verdict, and the spinner draws itself again below. The
	// verdict is cut to the terminal's width, so that it takes one row and Stop knows how many to erase.
	line = cutToWidth(line, p.width()-1)
	p.sp.Lock()
	fmt.Fprint(p.out, "\r\033[K"+line+"\n")
	p.sp.Unlock()
}

// verdictLine is a mark (maybe coloured) and the rest of a line, made safe for the terminal: it carries
// strings a server chose (its login methods), which must not reach the terminal as control sequences.
func (p *Progress) verdictLine(mark styled, rest string) string {
	return "  " + string(mark+safe(rest))
}

// Stop erases the live line and ends the animation; later events print nothing. Safe to call twice.
func (p *Progress) Stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	rows := p.rows
	p.mu.Unlock()
	p.sp.Stop()
	if rows > 0 {
		// Leave nothing behind: the report that follows lists every endpoint again (issue 23).
		fmt.Fprintf(p.out, "\r\033[%dA\033[J", rows)
	}
}

// cutToWidth cuts a line with colour sequences to at most width terminal columns at a word boundary
// (a long word by runes), resetting the colour after the cut.
func cutToWidth(line string, width int) string {
	if width <= 0 || textwrap.Width(line) <= width {
		return line
	}
	first := textwrap.Wrap(line, width, 0)[0]
	if textwrap.Width(first) > width {
		var b strings.Builder
		for _, r := range first {
			if textwrap.Width(b.String()+string(r)) > width-1 {
				break
			}
			b.WriteRune(r)
		}
		first = b.String()
	}
	return first + "\033[0m"
}

// status is the live line's text: the longest wait (the one holding the run up), how many others, or
// what the run is doing while nothing is being waited for (DNS, autoconfig).
func (p *Progress) status(now time.Time) string {
	p.mu.Lock()
	var oldest *waitKey
	for k, w := range p.waits {
		if oldest == nil || w.since.Before(p.waits[*oldest].since) {
			k := k
			oldest = &k
		}
	}
	var text string
	if oldest == nil {
		text = fmt.Sprintf("probing %s … %s", p.label, elapsed(now.Sub(p.start)))
		if p.done > 0 {
			text = fmt.Sprintf("probing %s: %d endpoints done … %s", p.label, p.done, elapsed(now.Sub(p.start)))
		}
	} else {
		w := p.waits[*oldest]
		text = fmt.Sprintf("waiting for %s: %s … %s of %s", where(*oldest), w.step, elapsed(now.Sub(w.since)), limit(w.limit))
		if n := len(p.waits) - 1; n > 0 {
			text += fmt.Sprintf(" (and %d more)", n)
		}
	}
	p.mu.Unlock()
	// One line that never wraps: the spinner erases one line per frame. Bytes, not runes, are counted
	// (as the spinner does, so "…" counts three), and the frame takes a few.
	text = termsafe.String(text)
	for max := p.width() - 6; len(text) > max && max > 0; {
		_, size := utf8.DecodeLastRuneInString(text)
		text = text[:len(text)-size]
	}
	return text
}

// where names an endpoint and address briefly: "smtp.example.com:25 (STARTTLS)", with ", IPv6" when
// the address is one (each family is probed, and an IPv6 wait is often the slow one).
func where(k waitKey) string {
	family := ""
	if strings.Contains(k.addr, ":") {
		family = ", IPv6"
	}
	return fmt.Sprintf("%s:%d (%s%s)", k.ep.Host, k.ep.Port, k.ep.Security.Label(), family)
}

func elapsed(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// limit is a step's limit: "5 s", or "2.5 s" when it is not whole seconds.
func limit(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return elapsed(d)
}
