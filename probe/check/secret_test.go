package check

import (
	"strings"
	"testing"
)

// TestConfigErrorsNeverShowSecrets: people paste the password itself into password =, password_env or
// token_env, quoted or not, on one line or several. Every error names the file, the line and the key,
// never the value.
func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	const head = "[[target]]\nendpoint = \"imaps://mail.example.com\"\nlogin = true\n"
	for _, tc := range []struct {
		name, body, key string
		line            int
	}{
		{"bare password", "password = hunter2secret\n", "password", 4},
		{"quoted password", "password = \"hunter2secret\"\n", "password", 4},
		{"unterminated password", "password = \"hunter2secret\n", "password", 4},
		{"bare password_env", "password_env = hunter2secret\n", "password_env", 4},
		{"password_env with spaces", "password_env = \"hunter2 secret!\"\n", "password_env", 4},
		{"password_env with a bad escape", "password_env = \"hunter2secret\\q\"\n", "password_env", 4},
		{"password_env multi-line", "password_env = \"\"\"hunter2secret\n", "password_env", 4},
		{"password_env bad datetime", "password_env = 2024-13-45hunter2secret\n", "password_env", 4},
		{"token_env", "token_env = \"ya29.hunter2secret\"\n", "token_env", 4},
		{"quoted key", "\"password_env\" = hunter2secret\n", "password_env", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("ci.toml", []byte(head+tc.body), Defaults{})
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, leak := range []string{"hunter", "secret!", "2secret"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the error shows the value: %s", msg)
				}
			}
			if !strings.HasPrefix(msg, "ci.toml:") || !strings.Contains(msg, tc.key) {
				t.Errorf("the error does not name the file, line and key %s: %s", tc.key, msg)
			}
			if ce, ok := err.(*ConfigError); !ok || ce.Line != tc.line {
				t.Errorf("line %v, want %d (%s)", err, tc.line, msg)
			}
		})
	}
}

func TestSecretKey(t *testing.T) {
	for _, k := range []string{"password", "password_env", "password_file", "target.password_env", "token_env", "client_secret", "Passwd", "pwd"} {
		if !SecretKey(k) {
			t.Errorf("SecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"user", "endpoint", "auth_mechanisms", "login", "name"} {
		if SecretKey(k) {
			t.Errorf("SecretKey(%q) = true", k)
		}
	}
}
