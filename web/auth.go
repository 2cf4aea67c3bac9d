package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Cookie names. The session cookie is HttpOnly and SameSite=Strict (Secure over TLS); the pre-session
// cookie carries the sign-in form's CSRF token (double submit), since there is no session yet.
const (
	sessionCookie    = "mailcheck_session"
	preSessionCookie = "mailcheck_signin"
	// sessionLife is how long a sign-in lasts: one working day.
	sessionLife = 12 * time.Hour
)

type session struct {
	user    string
	csrf    string
	expires time.Time
}

// sessions are kept in memory: a restart signs everybody out, which is fine for a helpdesk page.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

func (ss *sessions) create(user string) (string, *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, v := range ss.m {
		if ss.now().After(v.expires) {
			delete(ss.m, k)
		}
	}
	tok := NewID() + NewID()
	se := &session{user: user, csrf: NewID() + NewID(), expires: ss.now().Add(sessionLife)}
	ss.m[tok] = se
	return tok, se
}

func (ss *sessions) get(tok string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	se := ss.m[tok]
	if se == nil || ss.now().After(se.expires) {
		delete(ss.m, tok)
		return nil
	}
	return se
}

func (ss *sessions) drop(tok string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, tok)
}

type ctxKey struct{}

func sessionOf(r *http.Request) *session { se, _ := r.Context().Value(ctxKey{}).(*session); return se }

func sameToken(a, b string) bool {
	return a != "" && len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.cfg.SecureCookies}
}

// staff lets only signed-in users through; a POST must also carry the session's CSRF token (403
// otherwise), read from the form after its body is parsed within maxForm.
func (s *Server) staff(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var se *session
		if err == nil {
			se = s.sessions.get(c.Value)
		}
		if user := s.proxyUser(r); user != "" && (se == nil || se.user != user) {
			// Signed in by the trusted proxy: a session of that user (a new one when the proxy now
			// names someone else), so that forms get their CSRF token as after a password sign-in.
			var tok string
			tok, se = s.sessions.create(user)
			s.cfg.Log.Printf("signed in by the proxy: %s from %s", user, clientAddr(r))
			http.SetCookie(w, s.cookie(r, sessionCookie, tok, int(sessionLife.Seconds())))
			if r.Method == http.MethodPost {
				s.fail(w, r, http.StatusForbidden, "Your session was just started by the sign-in proxy: reload the page and send the form again.")
				return
			}
		}
		if se == nil {
			if r.Method == http.MethodGet && r.URL.Path == "/" {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			if r.Method == http.MethodPost {
				s.fail(w, r, http.StatusForbidden, "Your session has ended: sign in again.")
				return
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				s.fail(w, r, http.StatusRequestEntityTooLarge, "The form could not be read (at most 1 MiB).")
				return
			}
			if !sameToken(r.PostFormValue("csrf"), se.csrf) {
				s.fail(w, r, http.StatusForbidden, "This form is not from this page (missing or wrong CSRF token): reload the page and send it again.")
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, se)))
	}
}

// proxyUser is the staff name a trusted reverse proxy vouches for in ProxyUserHeader, "" when proxy
// sign-in is off, the request did not come from a trusted proxy's address (anyone could send the header),
// or the name is not a valid user name.
func (s *Server) proxyUser(r *http.Request) string {
	if s.cfg.ProxyUserHeader == "" {
		return ""
	}
	addr, err := netip.ParseAddr(clientAddr(r))
	if err != nil {
		return ""
	}
	addr = addr.Unmap()
	trusted := false
	for _, p := range s.cfg.TrustedProxies {
		trusted = trusted || p.Contains(addr)
	}
	name := strings.TrimSpace(r.Header.Get(s.cfg.ProxyUserHeader))
	if !trusted || !userName.MatchString(name) {
		return ""
	}
	return name
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.showSignin(w, r, http.StatusOK, "")
}

func (s *Server) showSignin(w http.ResponseWriter, r *http.Request, code int, msg string) {
	tok := NewID()
	http.SetCookie(w, s.cookie(r, preSessionCookie, tok, 3600))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	s.render(w, r, "signin", map[string]any{"SigninCSRF": tok, "Message": msg})
}

// signin checks the name and password. A failure waits FailDelay and counts against the name and the
// client address; too many within the window refuse further attempts (429) without checking them.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "The form could not be read.")
		return
	}
	c, err := r.Cookie(preSessionCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		s.fail(w, r, http.StatusForbidden, "This form is not from this page (missing or wrong CSRF token): reload the sign-in page.")
		return
	}
	name, password := r.PostFormValue("name"), r.PostFormValue("password")
	if len(name) > 64 { // no valid name is longer; the limiter's keys stay small
		name = name[:64]
	}
	addr := clientAddr(r)
	shown := "an unknown name" // never what was typed: it may be a password in the wrong field
	if s.cfg.Users.Has(name) {
		shown = fmt.Sprintf("user %q", name)
	}
	for _, k := range []struct {
		f   *failures
		key string
	}{{s.userFails, "u:" + name}, {s.addrFails, "a:" + addr}} {
		if blocked, left := k.f.blocked(k.key); blocked {
			s.cfg.Log.Printf("sign-in refused: too many failures (%s, from %s)", shown, addr)
			w.Header().Set("Retry-After", fmt.Sprint(int(left.Seconds())+1))
			s.showSignin(w, r, http.StatusTooManyRequests,
				fmt.Sprintf("Too many failed sign-ins: try again in %s.", left.Round(time.Second)))
			return
		}
	}
	if !userName.MatchString(name) || len(password) > MaxPasswordBytes || !s.cfg.Users.Verify(name, password) {
		s.userFails.add("u:" + name)
		s.addrFails.add("a:" + addr)
		s.cfg.Log.Printf("sign-in failed (%s, from %s)", shown, addr)
		select { // slow down guessing; a client that gives up frees the handler
		case <-time.After(s.cfg.FailDelay):
		case <-r.Context().Done():
			return
		}
		s.showSignin(w, r, http.StatusUnauthorized, "Wrong name or password.")
		return
	}
	tok, _ := s.sessions.create(name)
	s.cfg.Log.Printf("signed in: %s from %s", name, addr)
	http.SetCookie(w, s.cookie(r, sessionCookie, tok, int(sessionLife.Seconds())))
	http.SetCookie(w, s.cookie(r, preSessionCookie, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.drop(c.Value)
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

var pageNames = []string{"signin", "home", "run", "result", "history", "explain", "error"}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	funcs := template.FuncMap{"age": func(t time.Time) string { return ageOf(s.cfg.Now(), t) }}
	for _, p := range pageNames {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+p+".html")
		if err != nil {
			return err
		}
		s.pages[p] = t
	}
	return nil
}

// render executes a page; the session's user and CSRF token are added for the layout's forms.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	if se := sessionOf(r); se != nil {
		data["User"], data["CSRF"] = se.user, se.csrf
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if err := s.pages[page].Execute(w, data); err != nil {
		s.cfg.Log.Printf("page %s: %v", page, err)
	}
}
