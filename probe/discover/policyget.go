package discover

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// GetPolicy fetches one https:// document the way a policy must be fetched: the certificate verified
// against the name, no redirect followed (RFC 8461 section 3.3: an MTA-STS policy fetch MUST NOT follow
// redirects), only 200 accepted, and at most limit bytes read. It dials through f.Dial, so the caller's
// resolver, connection policy and sandbox apply.
func (f *Fetcher) GetPolicy(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%s is not an https:// URL", u.Redacted())
	}
	ans, err := f.do(ctx, http.MethodGet, rawURL, "", nil, false, limit)
	if err != nil {
		return nil, err
	}
	return ans.body, nil
}
