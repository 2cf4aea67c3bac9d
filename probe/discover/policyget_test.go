package discover

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// An MTA-STS policy fetch verifies the certificate, follows no redirect (RFC 8461 section 3.3), accepts
// only 200 and reads at most the limit.
func TestGetPolicy(t *testing.T) {
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("version: STSv1\n"))
		case "/moved":
			http.Redirect(w, r, "https://mta-sts.example.com/ok", http.StatusFound)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	if b, err := wb.fetcher.GetPolicy(ctx, "https://mta-sts.example.com/ok", 1024); err != nil || string(b) != "version: STSv1\n" {
		t.Errorf("ok: %q, %v", b, err)
	}
	for _, tc := range []struct{ url, want string }{
		{"https://mta-sts.example.com/moved", "follows no redirect"},
		{"https://mta-sts.example.com/big", "larger than 1 KiB"},
		{"https://mta-sts.example.com/missing", "HTTP 404"},
		{"https://mta-sts.example.org/ok", "certificate"}, // the test certificate is for example.com
		{"http://mta-sts.example.com/ok", "not an https:// URL"},
	} {
		_, err := wb.fetcher.GetPolicy(ctx, tc.url, 1024)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.url, err, tc.want)
		}
	}
}
