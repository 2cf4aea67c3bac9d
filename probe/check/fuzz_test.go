package check

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseConfig feeds arbitrary TOML to ParseConfig: never a panic, and every failure is one
// *ConfigError naming the file, on one line.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(exampleConfig))
	f.Add([]byte("[[target]]\nurl = \"imaps://mail.example.com\"\nexpect = \"absent\"\n"))
	f.Add([]byte("[[target]]\nurl = 3\n"))
	f.Add([]byte("[[target]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		targets, err := ParseConfig("fuzz.toml", src, Defaults{CertMinDays: 7, CertWarnDays: 14})
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, tg := range targets {
			if tg.Endpoint.Port < 1 || tg.Endpoint.Port > 65535 {
				t.Fatalf("target with port %d", tg.Endpoint.Port)
			}
		}
	})
}
