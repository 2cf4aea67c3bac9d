package probe

import (
	"context"
	"net"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/discover"
)

// DNS returns the prober's resolver, so that checks beside a probe (probe/posture) ask the same DNS
// servers as the probe itself.
func (p *Prober) DNS() *Resolver { return p.cfg.Resolver }

// GetPolicy fetches an https:// policy document (an MTA-STS policy) with the prober's resolver, dialer
// (so its connection policy and a sandbox apply) and trust roots: certificate verified, no redirects, at
// most limit bytes (discover.Fetcher.GetPolicy).
func (p *Prober) GetPolicy(ctx context.Context, url string, limit int64) ([]byte, error) {
	f := &discover.Fetcher{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if net.ParseIP(host) == nil {
				addrs, err := p.lookupAny(ctx, host)
				if err != nil {
					return nil, err
				}
				host = addrs[0]
			}
			return p.cfg.Dialer.DialContext(ctx, network, net.JoinHostPort(host, port))
		},
		RootCAs: p.cfg.RootCAs,
		Timeout: 3 * p.cfg.Timeout, // connect, handshake, request
	}
	return f.GetPolicy(ctx, url, limit)
}

// lookupAny resolves host's A records, else its AAAA records.
func (p *Prober) lookupAny(ctx context.Context, host string) ([]string, error) {
	addrs, _, _, err := p.cfg.Resolver.LookupAddrs(ctx, host, dns.TypeA)
	if err == nil {
		return addrs, nil
	}
	if six, _, _, err6 := p.cfg.Resolver.LookupAddrs(ctx, host, dns.TypeAAAA); err6 == nil {
		return six, nil
	}
	return nil, err
}
