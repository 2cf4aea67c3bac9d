package probe

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AutoconfigLookup records one fetch of a mail client configuration file (Thunderbird's autoconfig,
// config-v1.1.xml) and the servers it lists.
type AutoconfigLookup struct {
	URL string `json:"url"`
	// HTTPStatus is the server's status code, 0 when no answer came.
	HTTPStatus int `json:"http_status,omitempty"`
	// Servers are the endpoints the file lists, in its order.
	Servers []Endpoint `json:"servers,omitempty"`
	// Authentication are the login methods the file names per server URL, as mail clients label them
	// ("OAuth2 (modern authentication)", "normal password"; see authentication.go).
	Authentication map[string][]string `json:"authentication,omitempty"`
	// Error says why nothing usable came back (most domains publish no such file: that is no problem).
	Error  string  `json:"error,omitempty"`
	TimeMS float64 `json:"time_ms"`
}

// maxAutoconfig bounds the configuration file read; real ones are a few kilobytes.
const maxAutoconfig = 256 << 10

// autoconfigURLs are the places Thunderbird looks first, HTTPS only: a configuration fetched in clear
// text could send the user's password anywhere.
func autoconfigURLs(domain, address string) []string {
	q := ""
	if address != "" {
		q = "?emailaddress=" + url.QueryEscape(address)
	}
	return []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml" + q,
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// autoconfig fetches the domain's configuration files in parallel and plans a probe for every server
// they list.
func (r *run) autoconfig() {
	d := r.req.Domain
	for _, u := range autoconfigURLs(d, r.req.Address) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			lookup := r.fetchAutoconfig(u)
			r.mu.Lock()
			r.report.Autoconfig = append(r.report.Autoconfig, lookup)
			r.mu.Unlock()
			for _, ep := range lookup.Servers {
				r.plan(ep, SourceAutoconfig)
			}
		}()
	}
}

func (r *run) fetchAutoconfig(rawURL string) (out AutoconfigLookup) {
	out.URL = rawURL
	start := time.Now()
	defer func() { out.TimeMS = ms(time.Since(start)) }()
	ctx, cancel := context.WithTimeout(r.ctx, 3*r.p.cfg.Timeout) // connect, handshake, request
	defer cancel()
	transport := &http.Transport{
		// Names are resolved by mailcheck's own resolver, so the fetch sees the same DNS as the probes.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			addrs, err := r.resolve(host)
			if err != nil {
				return nil, err
			}
			return r.p.cfg.Dialer.DialContext(ctx, network, net.JoinHostPort(addrs[0], port))
		},
		TLSClientConfig:       &tls.Config{RootCAs: r.p.cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   r.p.cfg.Timeout,
		ResponseHeaderTimeout: r.p.cfg.Timeout,
		DisableKeepAlives:     true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		// Redirects are followed only to HTTPS (the default client would follow one to http://).
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" || len(via) >= 3 {
				return errors.New("redirect refused: only up to 3 redirects to https:// are followed")
			}
			r.lookupHost(req.URL.Hostname()) // see above: runs in the counted fetch goroutine
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	// Start the host's lookup here, in a goroutine Run waits for: the transport dials from goroutines of
	// its own, which must only wait for a lookup, never start one.
	r.lookupHost(req.URL.Hostname())
	resp, err := client.Do(req)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	defer resp.Body.Close()
	out.HTTPStatus = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		out.Error = "HTTP " + resp.Status
		return out
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfig))
	if err != nil {
		out.Error = err.Error()
		return out
	}
	servers, auth, err := readAutoconfig(body, r.req.Domain, r.req.Address)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Servers = servers
	out.Authentication = auth
	return out
}

// clientConfig is the part of Thunderbird's config-v1.1.xml that names servers
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
type clientConfig struct {
	XMLName  xml.Name `xml:"clientConfig"`
	Provider struct {
		Incoming []autoconfigServer `xml:"incomingServer"`
		Outgoing []autoconfigServer `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type autoconfigServer struct {
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
	// Authentication may repeat: the methods the server accepts, preferred first.
	Authentication []string `xml:"authentication"`
}

// parseAutoconfig reads the servers of a configuration file; entries it cannot use are skipped.
func parseAutoconfig(body []byte, domain, address string) ([]Endpoint, error) {
	eps, _, err := readAutoconfig(body, domain, address)
	return eps, err
}

// readAutoconfig reads the servers of a configuration file and the login methods it names for each (by
// endpoint URL, see authentication.go).
func readAutoconfig(body []byte, domain, address string) ([]Endpoint, map[string][]string, error) {
	var cfg clientConfig
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, nil, fmt.Errorf("not a mail client configuration file: %v", err)
	}
	auth := map[string][]string{}
	local := ""
	if i := strings.LastIndexByte(address, '@'); i > 0 {
		local = address[:i]
	}
	placeholders := strings.NewReplacer("%EMAILDOMAIN%", domain, "%EMAILLOCALPART%", local, "%EMAILADDRESS%", address)
	var eps []Endpoint
	seen := map[Endpoint]bool{}
	for _, s := range append(cfg.Provider.Incoming, cfg.Provider.Outgoing...) {
		ep := Endpoint{Host: strings.ToLower(strings.TrimSpace(placeholders.Replace(s.Hostname)))}
		switch strings.ToLower(s.Type) {
		case "imap":
			ep.Protocol = IMAP
		case "pop3":
			ep.Protocol = POP3
		case "smtp":
			ep.Protocol = SMTP
		default:
			continue // exchange, ews, jmap...: not probed
		}
		switch strings.ToUpper(strings.TrimSpace(s.SocketType)) {
		case "SSL":
			ep.Security = TLS
		case "STARTTLS":
			ep.Security = STARTTLS
		default:
			ep.Security = Plain
		}
		port, err := strconv.Atoi(strings.TrimSpace(s.Port))
		if err != nil || port < 1 || port > 65535 || ValidateHost(ep.Host) != nil {
			continue
		}
		ep.Port = port
		auth[ep.URL()] = appendAuthMethods(auth[ep.URL()], s.Authentication)
		if !seen[ep] {
			seen[ep] = true
			eps = append(eps, ep)
		}
	}
	if len(eps) == 0 {
		return nil, nil, errors.New("the configuration file lists no IMAP, POP3 or SMTP server")
	}
	return eps, auth, nil
}
