package session

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode"
)

// echoes says whether line carries one of the redactor's secrets in any reading a server could produce:
// the text itself, percent- or quoted-printable-decoded (%70, =70), base64-decoded (standard or URL
// alphabet, from each of the four character offsets of every run, so a secret at any byte offset of a
// longer blob is found), hex-decoded (lower or upper case, with or without separators, \x70 or 0x70),
// each folded: lower case, white space and separators removed ("H U N T E R 2", "hunter-2").
func (r *Redactor) echoes(line string) bool {
	r.mu.Lock()
	keys := r.keys
	r.mu.Unlock()
	if len(keys) == 0 {
		return false
	}
	found := func(s string) bool {
		f := fold(s)
		for _, k := range keys {
			if strings.Contains(f, k) {
				return true
			}
		}
		return false
	}
	readings := []string{line}
	if pd := percentDecode(line); pd != line {
		readings = append(readings, pd)
	}
	for _, text := range readings {
		if found(text) {
			return true
		}
		for _, d := range base64Readings(text) {
			if found(d) {
				return true
			}
		}
		for _, d := range hexReadings(text) {
			if found(d) {
				return true
			}
		}
	}
	return false
}

// fold is the form secrets are compared in: lower case, without white space and the separators people
// and programs put between characters.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-_.:,;'\"`\\/|", r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// percentDecode decodes %XX (URL encoding) and =XX (quoted-printable) escapes, in either case, leaving
// everything else as it is; + becomes a space, as in a form-encoded value.
func percentDecode(s string) string {
	if !strings.ContainsAny(s, "%=+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c == '%' || c == '=') && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := hex.DecodeString(s[i+1 : i+3])
			b.WriteByte(v[0])
			i += 2
			continue
		}
		if c == '+' {
			c = ' '
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// runs returns the maximal runs of bytes in s for which in is true, at least min long.
func runs(s string, in func(byte) bool, min int) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && in(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= min {
			out = append(out, s[start:i])
		}
		start = -1
	}
	return out
}

// base64Readings decodes every run of base64 characters from each of its first four offsets (the run
// may start inside a quantum: "x" + blob), in the standard and URL alphabets. A secret at any byte
// offset of the encoded bytes appears in one of these decodings.
func base64Readings(s string) []string {
	var out []string
	for _, run := range runs(s, isBase64, 6) {
		run = strings.NewReplacer("-", "+", "_", "/").Replace(run)
		for off := 0; off < 4 && len(run)-off >= 6; off++ {
			part := run[off:]
			if len(part)%4 == 1 {
				part = part[:len(part)-1]
			}
			if b, err := base64.RawStdEncoding.DecodeString(part); err == nil {
				out = append(out, string(b))
			}
		}
	}
	return out
}

// hexReadings decodes every run of hex digits, once the text is folded (so "68 75 6E", "68:75:6e" and
// "\x68\x75" are runs too), from both offsets.
func hexReadings(s string) []string {
	var out []string
	esc := strings.NewReplacer(`\x`, "", `\X`, "").Replace(s)
	pre := strings.NewReplacer("0x", "", "0X", "").Replace(s)
	for _, text := range []string{fold(s), fold(esc), fold(pre)} {
		for _, run := range runs(text, isHex, 2*minKey) {
			for off := 0; off < 2; off++ {
				part := run[off:]
				part = part[:len(part)/2*2]
				if b, err := hex.DecodeString(part); err == nil {
					out = append(out, string(b))
				}
			}
		}
	}
	return out
}
