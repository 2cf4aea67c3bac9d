package discover

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// GetPolicy fetches one https:// document the way a policy must be fetched: the certificate verified
// against the name, no redirect followed (RFC 8461 section 3.3: an MTA-STS policy fetch MUST NOT follow
// redirects), only 200 accepted, and at most limit bytes read. It dials through f.Dial, so the caller's
// resolver, connection policy and sandbox apply.
func (f *Fetcher) GetPolicy(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	timeout := f.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	transport := f.transport()
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("it redirects to %s, and a policy fetch follows no redirect", req.URL.Redacted())
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme != "https" {
		return nil, fmt.Errorf("%s is not an https:// URL", req.URL.Redacted())
	}
	req.Header.Set("User-Agent", "mailcheck")
	if f.Prepare != nil {
		f.Prepare(req.URL.Hostname())
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError(ctx, err, timeout)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("the answer is larger than %d KiB", limit>>10)
	}
	return b, nil
}
