package sandbox

import (
	"strings"
	"testing"
)

func TestStartRejectsBadWorlds(t *testing.T) {
	tests := []struct {
		name string
		edit func(w *World)
		want string
	}{
		{"no domain", func(w *World) { w.Domain = "" }, "Domain is empty"},
		{"bad record", func(w *World) { w.Records = append(w.Records, "sandbox.test. IN MX nonsense") }, "record"},
		{"record outside the zone", func(w *World) { w.Records = append(w.Records, "example.com. 300 IN A 192.0.2.1") }, "outside the zone"},
		{"two services", func(w *World) { w.Services = append(w.Services, w.Services[0]) }, "two services"},
		{"port 0 serving", func(w *World) {
			w.Services = append(w.Services, Service{IP: "127.0.0.9", Proto: ProtoIMAP, Mode: ModeTLS})
		}, "port 0"},
		{"no host for the certificate", func(w *World) {
			w.Services = append(w.Services, Service{IP: "127.0.0.99", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS})
		}, "CertHost"},
		{"unknown protocol", func(w *World) {
			w.Services = append(w.Services, Service{IP: "127.0.0.2", Port: 80, Proto: "http", Mode: ModePlain})
		}, "unknown protocol"},
		{"bad IP", func(w *World) { w.Services = append(w.Services, Service{IP: "imap.sandbox.test", Port: 1}) }, "service IP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := DemoWorld()
			tc.edit(&w)
			sb, err := Start(w)
			if err == nil {
				sb.Close()
				t.Fatalf("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestDemoWorld(t *testing.T) {
	sb, err := Start(DemoWorld())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	want := []string{"127.0.0.10:443", "127.0.0.20:25", "127.0.0.21:993", "127.0.0.22:587", "127.0.0.23:443",
		"127.0.0.2:143", "127.0.0.2:993", "127.0.0.3:110", "127.0.0.3:995", "127.0.0.4:25",
		"127.0.0.4:465", "127.0.0.4:587", "127.0.0.5:143", "127.0.0.5:993", "127.0.0.6:25", "127.0.0.7:443",
		"127.0.0.8:443", "127.0.0.9:443", "[2001:db8::2]:0"}
	if got := strings.Join(sb.Endpoints(), " "); got != strings.Join(want, " ") {
		t.Errorf("Endpoints = %s\nwant        %s", got, strings.Join(want, " "))
	}
	if sb.Messages(alice) != nil {
		t.Errorf("a fresh sandbox has delivered mail")
	}
}
