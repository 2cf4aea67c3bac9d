package discover

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Microsoft Autodiscover, the Plain Old XML protocol with response schema 2006a ([MS-OXDSCLI]), as
// Outlook and Thunderbird use it to find IMAP, POP3 and SMTP settings. mailcheck never sends credentials
// to it: servers that answer only with a login are recorded as HTTP 401.
const (
	autodiscoverRequestNS  = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
	autodiscoverResponseNS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
	autodiscoverPath       = "/autodiscover/autodiscover.xml"
)

// maxAddrRedirects caps RedirectAddr/RedirectUrl answers followed, as Thunderbird does.
const maxAddrRedirects = 2

// AutodiscoverURLs are the three places of the domain itself, in the order Outlook and Thunderbird give
// them: POST to https://autodiscover.D, POST to https://D, and a GET to http://autodiscover.D that is
// only followed to an https redirect. The fourth, the _autodiscover._tcp.D SRV target, needs a DNS
// answer first: see AutodiscoverSRV.
func AutodiscoverURLs(domain string) []Attempt {
	return []Attempt{
		{Autodiscover, domain, "https://autodiscover." + domain + autodiscoverPath},
		{Autodiscover, domain, "https://" + domain + autodiscoverPath},
		{AutodiscoverRedirected, domain, "http://autodiscover." + domain + autodiscoverPath},
	}
}

// AutodiscoverSRV is the attempt an _autodiscover._tcp SRV target names (forgeable: DNS is not
// authenticated).
func AutodiscoverSRV(domain, target string) Attempt {
	return Attempt{AutodiscoverRedirected, domain, "https://" + strings.TrimSuffix(strings.ToLower(target), ".") + autodiscoverPath}
}

// autodiscoverResponse is the part of a 2006a answer that matters here.
type autodiscoverResponse struct {
	XMLName  xml.Name `xml:"Autodiscover"`
	Response struct {
		Error *struct {
			ErrorCode string `xml:"ErrorCode"`
			Message   string `xml:"Message"`
		} `xml:"Error"`
		Account struct {
			AccountType  string                 `xml:"AccountType"`
			Action       string                 `xml:"Action"`
			RedirectAddr string                 `xml:"RedirectAddr"`
			RedirectURL  string                 `xml:"RedirectUrl"`
			Protocols    []autodiscoverProtocol `xml:"Protocol"`
		} `xml:"Account"`
	} `xml:"Response"`
}

type autodiscoverProtocol struct {
	Type         string `xml:"Type"`
	Server       string `xml:"Server"`
	Port         string `xml:"Port"`
	SSL          string `xml:"SSL"`
	Encryption   string `xml:"Encryption"`
	SPA          string `xml:"SPA"`
	LoginName    string `xml:"LoginName"`
	AuthRequired string `xml:"AuthRequired"`
}

// Autodiscover asks one Autodiscover place about address and follows RedirectAddr and RedirectUrl at
// most twice. userDomain is the domain of the address the user gave; a redirect into another registrable
// domain is recorded in CrossDomain.
func (f *Fetcher) Autodiscover(ctx context.Context, a Attempt, address string) (out Lookup) {
	out = Lookup{Source: a.Source, Domain: a.Domain, URL: a.URL, Method: http.MethodPost, Forgeable: Forgeable(a.Source)}
	start := time.Now()
	defer func() { out.TimeMS = ms(time.Since(start)) }()
	target, addr := a.URL, address
	if strings.HasPrefix(target, "http://") {
		// The clear-text place is only asked where it redirects to (Microsoft's own rule): a GET whose
		// redirect to https:// is then POSTed to.
		out.Method = http.MethodGet
		next, status, err := f.httpRedirect(ctx, target)
		out.HTTPStatus = status
		if err != nil {
			out.Error = err.Error()
			return out
		}
		out.Redirects = append(out.Redirects, next)
		out.Forgeable = true
		target = next
	}
	for hop := 0; ; hop++ {
		body := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns=%q>
  <Request>
    <EMailAddress>%s</EMailAddress>
    <AcceptableResponseSchema>%s</AcceptableResponseSchema>
  </Request>
</Autodiscover>
`, autodiscoverRequestNS, xmlEscape(addr), autodiscoverResponseNS)
		// outlook.com wants exactly this content type (Thunderbird bug 1454325).
		ans, err := f.fetch(ctx, http.MethodPost, target, "text/xml; charset=utf-8", []byte(body))
		out.HTTPStatus = ans.status
		out.Redirects = append(out.Redirects, ans.redirects...)
		if err != nil {
			if ans.status == http.StatusUnauthorized {
				err = errors.New("HTTP 401: the server answers only after a login, and mailcheck sends no credentials to Autodiscover")
			}
			out.Error = err.Error()
			return out
		}
		resp, err := parseAutodiscover(ans.body)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		acct := resp.Response.Account
		var next string
		switch {
		case strings.EqualFold(acct.Action, "redirectAddr") && acct.RedirectAddr != "":
			newAddr := strings.TrimSpace(acct.RedirectAddr)
			i := strings.LastIndexByte(newAddr, '@')
			if i <= 0 || endpoint.ValidateHost(newAddr[i+1:]) != nil {
				out.Error = fmt.Sprintf("RedirectAddr %q is not an e-mail address", clip(newAddr))
				return out
			}
			addr = newAddr
			next = "https://autodiscover." + strings.ToLower(newAddr[i+1:]) + autodiscoverPath
			out.Redirects = append(out.Redirects, "RedirectAddr "+newAddr)
		case strings.EqualFold(acct.Action, "redirectUrl") && acct.RedirectURL != "":
			next = strings.TrimSpace(acct.RedirectURL)
			if !strings.HasPrefix(next, "https://") {
				out.Error = fmt.Sprintf("RedirectUrl %q refused: only https:// is followed", clip(next))
				return out
			}
			out.Redirects = append(out.Redirects, "RedirectUrl "+next)
		}
		if next != "" {
			if host := hostOf(next); RegistrableDomain(host) != RegistrableDomain(a.Domain) {
				out.CrossDomain = RegistrableDomain(host)
			}
			if hop >= maxAddrRedirects {
				out.Error = fmt.Sprintf("more than %d Autodiscover redirects: not followed further", maxAddrRedirects)
				return out
			}
			target = next
			continue
		}
		out.Servers = autodiscoverServers(acct.Protocols, a.Domain, address)
		if len(out.Servers) == 0 {
			out.Error = "the Autodiscover answer lists no IMAP, POP3 or SMTP server"
		}
		return out
	}
}

// httpRedirect asks a plain-http place where it redirects to, without following: only an https target is
// accepted.
func (f *Fetcher) httpRedirect(ctx context.Context, rawURL string) (string, int, error) {
	timeout := f.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	transport := f.transport()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", 0, err
	}
	if f.Prepare != nil {
		f.Prepare(req.URL.Hostname())
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, fetchError(ctx, err, timeout)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode < 300 || resp.StatusCode > 399 || err != nil {
		return "", resp.StatusCode, fmt.Errorf("HTTP %s: no redirect to follow", resp.Status)
	}
	if loc.Scheme != "https" {
		return "", resp.StatusCode, fmt.Errorf("redirect to %s refused: only a redirect to https:// is followed", loc.Redacted())
	}
	if f.Prepare != nil {
		f.Prepare(loc.Hostname())
	}
	return loc.String(), resp.StatusCode, nil
}

// parseAutodiscover reads a 2006a answer; anything else is an error with the reason.
func parseAutodiscover(body []byte) (*autodiscoverResponse, error) {
	var resp autodiscoverResponse
	if err := xml.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("not an Autodiscover answer: %v", err)
	}
	if e := resp.Response.Error; e != nil {
		return nil, fmt.Errorf("the Autodiscover service answered error %s: %s", clip(e.ErrorCode), clip(e.Message))
	}
	return &resp, nil
}

// autodiscoverServers turns the IMAP, POP3 and SMTP Protocol blocks into servers. SSL "off" or Encryption
// "None" is clear text; otherwise Encryption "TLS" is STARTTLS and "SSL" implicit TLS, and a bare SSL
// "on" means STARTTLS on the standard clear-text ports and implicit TLS elsewhere (as Thunderbird reads
// it). LoginName is the user name; without it the address is.
func autodiscoverServers(protocols []autodiscoverProtocol, domain, address string) []Server {
	fill := placeholders(domain, address)
	var list []Server
	for _, p := range protocols {
		var s Server
		var ok bool
		if s.Protocol, ok = endpoint.ProtocolNamed(p.Type); !ok {
			continue // EXCH, EXPR, WEB: Exchange protocols, not probed
		}
		s.Host = strings.ToLower(strings.TrimSpace(p.Server))
		port, err := strconv.Atoi(strings.TrimSpace(p.Port))
		if err != nil {
			continue
		}
		s.Port = port
		ssl, enc := strings.ToLower(strings.TrimSpace(p.SSL)), strings.ToLower(strings.TrimSpace(p.Encryption))
		switch {
		case ssl == "off" || enc == "none":
			s.Security = endpoint.Plain
		case enc == "tls":
			s.Security = endpoint.STARTTLS
		case enc == "ssl":
			s.Security = endpoint.TLS
		case port == 143 || port == 110 || port == 25 || port == 587:
			s.Security = endpoint.STARTTLS
		default:
			s.Security = endpoint.TLS
		}
		s.Username = strings.TrimSpace(fill.Replace(p.LoginName))
		if s.Username == "" {
			s.Username = address
		}
		list = addServer(list, s)
	}
	return list
}

func hostOf(rawURL string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(rawURL, "https://"), "http://")
	if i := strings.IndexAny(rest, "/:?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.ToLower(rest)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// clip bounds a server-provided string kept in a record.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
