package discover

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Attempt is one place a source asks.
type Attempt struct {
	Source string
	// Domain is the domain asked about.
	Domain string
	URL    string
}

// AutoconfigURLs are the places Thunderbird fetches a domain's configuration file from, all at once:
// https://autoconfig.D/mail/config-v1.1.xml (with the address as a query, so a provider can answer per
// user), https://D/.well-known/autoconfig/mail/config-v1.1.xml, and the same two over plain http, which
// Thunderbird still tries by default and mailcheck reports as forgeable.
func AutoconfigURLs(domain, address string) []Attempt {
	q := ""
	if address != "" {
		q = "?emailaddress=" + url.QueryEscape(address)
	}
	return []Attempt{
		{Autoconfig, domain, "https://autoconfig." + domain + "/mail/config-v1.1.xml" + q},
		{Autoconfig, domain, "https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml"},
		{AutoconfigHTTP, domain, "http://autoconfig." + domain + "/mail/config-v1.1.xml" + q},
		{AutoconfigHTTP, domain, "http://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml"},
	}
}

// FetchConfig fetches one config-v1.1.xml (autoconfig, ISPDB over HTTP, a provider's file) and reads the
// servers it lists for address (the placeholders use the user's domain, also for a provider's file).
func (f *Fetcher) FetchConfig(ctx context.Context, a Attempt, userDomain, address string) (out Lookup) {
	out = Lookup{Source: a.Source, Domain: a.Domain, URL: a.URL, Forgeable: Forgeable(a.Source)}
	start := time.Now()
	defer func() { out.TimeMS = ms(time.Since(start)) }()
	ans, err := f.fetch(ctx, http.MethodGet, a.URL, "", nil)
	out.HTTPStatus, out.Redirects = ans.status, ans.redirects
	if err != nil {
		out.Error = err.Error()
		return out
	}
	if len(ans.redirects) > 0 && strings.HasPrefix(a.URL, "http:") {
		// Handed on to https by a redirect that came in clear text: still forgeable.
		out.Forgeable = true
	}
	out.Servers, err = ParseConfig(ans.body, userDomain, address)
	if err != nil {
		out.Error = err.Error()
	}
	return out
}

// clientConfig is the part of Thunderbird's config-v1.1.xml that names servers
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat; ISPDB files are the same
// format).
type clientConfig struct {
	XMLName  xml.Name `xml:"clientConfig"`
	Provider struct {
		Incoming []configServer `xml:"incomingServer"`
		Outgoing []configServer `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type configServer struct {
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
	Username   string `xml:"username"`
	// Authentication may repeat: the login methods the server accepts, preferred first.
	Authentication []string `xml:"authentication"`
}

// ParseConfig reads the servers of a configuration file; entries it cannot use (exchange, ews, jmap, a
// bad host or port) are skipped. A file that is not XML of this format, or lists nothing usable, is an
// error with the reason.
func ParseConfig(body []byte, domain, address string) ([]Server, error) {
	var cfg clientConfig
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, fmt.Errorf("not a mail client configuration file: %v", err)
	}
	fill := placeholders(domain, address)
	var list []Server
	for _, s := range append(cfg.Provider.Incoming, cfg.Provider.Outgoing...) {
		var srv Server
		srv.Host = strings.ToLower(strings.TrimSpace(fill.Replace(s.Hostname)))
		var ok bool
		if srv.Protocol, ok = endpoint.ProtocolNamed(s.Type); !ok {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(s.SocketType)) {
		case "SSL":
			srv.Security = endpoint.TLS
		case "STARTTLS":
			srv.Security = endpoint.STARTTLS
		default:
			srv.Security = endpoint.Plain
		}
		port, err := strconv.Atoi(strings.TrimSpace(s.Port))
		if err != nil {
			continue
		}
		srv.Port = port
		srv.Authentication = appendAuthMethods(nil, s.Authentication)
		srv.Username = strings.TrimSpace(fill.Replace(s.Username))
		if strings.Contains(srv.Username, "%") {
			srv.Username = "" // a placeholder mailcheck does not know (%REALNAME%...): no user name to suggest
		}
		list = addServer(list, srv)
	}
	if len(list) == 0 {
		return nil, errors.New("the configuration file lists no IMAP, POP3 or SMTP server")
	}
	return list, nil
}
