package discover

import (
	"context"
	"encoding/xml"
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
	if os.IsNotExist(err) {
		// A file names every domain it serves (<domain>), as the ISPDB service resolves them:
		// office365.com.xml serves mail.protection.outlook.com too.
		if path := findByDomain(filepath.Dir(a.URL), a.Domain); path != "" {
			if body, err = readFile(path); err == nil {
				out.URL = path
			}
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

// maxTreeFiles caps the files of an --ispdb directory read to find a domain (the real ISPDB has a few
// hundred).
const maxTreeFiles = 2000

// findByDomain is the file of dir whose <domain> elements name domain, "" when none does.
func findByDomain(dir, domain string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for i, e := range entries {
		if i >= maxTreeFiles {
			break
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		body, err := readFile(path)
		if err != nil {
			continue
		}
		var cfg struct {
			Domains []string `xml:"emailProvider>domain"`
		}
		if xml.Unmarshal(body, &cfg) != nil {
			continue
		}
		for _, d := range cfg.Domains {
			if strings.EqualFold(strings.TrimSpace(d), domain) {
				return path
			}
		}
	}
	return ""
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
	return readCapped(f, MaxBody)
}
