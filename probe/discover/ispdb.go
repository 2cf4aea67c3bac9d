package discover

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultISPDB is Mozilla's ISPDB, the database of provider settings Thunderbird asks
// (https://github.com/thunderbird/autoconfig). Asking it sends the domain name to that service.
const DefaultISPDB = "https://autoconfig.thunderbird.net/v1.1/"

// ISPDBAttempt is where the ISPDB entry of domain lives in base: an https:// URL prefix (the domain is
// appended) or a directory holding one file per domain, as the autoconfig repository's ispdb/ does
// (domain.xml, or domain).
func ISPDBAttempt(source, base, domain string) Attempt {
	if strings.HasPrefix(base, "https://") || strings.HasPrefix(base, "http://") {
		if !strings.HasSuffix(base, "/") {
			base += "/"
		}
		return Attempt{source, domain, base + domain}
	}
	return Attempt{source, domain, filepath.Join(base, domain+".xml")}
}

// ISPDB fetches the ISPDB entry an attempt names, over HTTPS or from the file tree.
func (f *Fetcher) ISPDB(ctx context.Context, a Attempt, userDomain, address string) Lookup {
	if strings.Contains(a.URL, "://") {
		return f.FetchConfig(ctx, a, userDomain, address)
	}
	out := Lookup{Source: a.Source, Domain: a.Domain, URL: a.URL}
	start := time.Now()
	defer func() { out.TimeMS = ms(time.Since(start)) }()
	body, err := readFile(a.URL)
	if os.IsNotExist(err) {
		// The tree's own layout without the extension.
		alt := strings.TrimSuffix(a.URL, ".xml")
		if body, err = readFile(alt); err == nil {
			out.URL = alt
		}
	}
	if err != nil {
		if os.IsNotExist(err) {
			out.Error = "the ISPDB has no entry for " + a.Domain
		} else {
			out.Error = err.Error()
		}
		return out
	}
	if out.Servers, err = ParseConfig(body, userDomain, address); err != nil {
		out.Error = err.Error()
	}
	return out
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return readCapped(f)
}
