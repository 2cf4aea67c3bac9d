package exporter

import (
	"strings"
	"testing"
)

// A modules file's errors about password_env and password_file name the key, never what was pasted there.
func TestModuleErrorsNeverShowSecrets(t *testing.T) {
	for _, body := range []string{
		"password_env = hunter2secret\n",
		"password_env = \"hunter2 secret\"\n",
		"password_file = hunter2secret\n",
		"password_file = \"hunter2secret\"\n",
		"password_env = \"hunter2secret\n",
	} {
		src := "[module.login]\nlogin = true\nuser = \"mon@example.com\"\n" + body
		mods, err := ParseModules("modules.toml", []byte(src))
		if err == nil {
			_, err = mods["login"].Credentials(func(string) string { return "" })
		}
		if err == nil {
			t.Errorf("%q accepted", body)
			continue
		}
		if strings.Contains(err.Error(), "hunter") {
			t.Errorf("%q: the error shows the value: %v", body, err)
		}
	}
}
