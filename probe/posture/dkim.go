package posture

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// DKIM key records (RFC 6376 section 3.6.1) are parsed here: go-msgauth's dkim package parses them only
// inside verification and does not export the parser, and the record is a simple tag list.

// DKIMKey is a parsed DKIM key record.
type DKIMKey struct {
	// Type is rsa or ed25519.
	Type string
	// Bits is the key size (256 for ed25519).
	Bits int
	// Revoked is an empty p=.
	Revoked bool
	// Testing is t=y.
	Testing bool
}

func checkDKIM(ctx context.Context, env *Env, t Target) Finding {
	name := t.DKIMSelector + "._domainkey." + t.Domain
	f, ok := records(ctx, env, name, "")
	if !ok {
		return f
	}
	all := f.Records
	switch len(all) {
	case 0:
		f.Verdict = Absent
		f.Meaning = fmt.Sprintf("no DKIM key at %s, so mail signed with selector %s fails DKIM", name, t.DKIMSelector)
		f.Instructions = []string{fmt.Sprintf(`publish the signing key: %s. TXT "v=DKIM1; k=rsa; p=<base64 public key>" (your mail server or provider gives the value)`, name)}
		return f
	case 1:
	default:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%d TXT records at %s: verifiers may pick any, so signatures fail at random", len(all), name)
		f.Instructions = []string{"keep only the current key's record"}
		return f
	}
	k, err := ParseDKIMKey(all[0])
	if err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the DKIM key record is malformed (%v), so every signature with selector %s fails", err, t.DKIMSelector)
		f.Instructions = []string{fmt.Sprintf(`republish it as your mail server gives it: %s. TXT "v=DKIM1; k=rsa; p=<base64 public key>"`, name)}
		return f
	}
	f.Value = fmt.Sprintf("%s-%d", k.Type, k.Bits)
	switch {
	case k.Revoked:
		f.Verdict, f.Value = Fail, "revoked"
		f.Meaning = fmt.Sprintf("the key of selector %s is revoked (empty p=): signatures with it fail", t.DKIMSelector)
		f.Instructions = []string{"sign with a selector whose key is published, or publish the current key here"}
	case k.Type == "rsa" && k.Bits < 1024:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("RSA key of %d bits: verifiers reject keys under 1024 bits (RFC 8301 section 3.2)", k.Bits)
		f.Instructions = []string{"generate a 2048-bit key and publish it under a new selector"}
	case k.Type == "rsa" && k.Bits < 2048:
		f.Verdict = Warn
		f.Meaning = fmt.Sprintf("RSA key of %d bits: valid, but 2048 bits is the recommended size", k.Bits)
		f.Instructions = []string{"generate a 2048-bit key and publish it under a new selector"}
	default:
		f.Verdict = OK
		f.Meaning = fmt.Sprintf("%s key of %d bits published for selector %s", strings.ToUpper(k.Type), k.Bits, t.DKIMSelector)
	}
	if k.Testing && f.Verdict == OK {
		f.Verdict = Warn
		f.Meaning += "; t=y (testing): verifiers may treat failures as unsigned"
		f.Instructions = append(f.Instructions, "remove t=y once signing works")
	}
	return f
}

// ParseDKIMKey reads a DKIM key record (RFC 6376 section 3.6.1).
func ParseDKIMKey(rec string) (*DKIMKey, error) {
	tags := map[string]string{}
	for i, fld := range strings.Split(rec, ";") {
		fld = strings.TrimSpace(fld)
		if fld == "" {
			continue
		}
		k, v, ok := strings.Cut(fld, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not tag=value", clip(fld))
		}
		k = strings.TrimSpace(k)
		if _, dup := tags[k]; dup {
			return nil, fmt.Errorf("tag %s is given twice", clip(k))
		}
		tags[k] = strings.TrimSpace(v)
		if k == "v" && (i != 0 || tags[k] != "DKIM1") {
			return nil, fmt.Errorf("v= must come first and be DKIM1")
		}
	}
	p, ok := tags["p"]
	if !ok {
		return nil, fmt.Errorf("it has no p= (public key)")
	}
	key := &DKIMKey{Type: strings.ToLower(orDefault(tags["k"], "rsa"))}
	for _, fl := range strings.Split(tags["t"], ":") {
		if strings.TrimSpace(fl) == "y" {
			key.Testing = true
		}
	}
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, p)
	if p == "" {
		key.Revoked = true
		return key, nil
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, fmt.Errorf("p= is not base64")
	}
	switch key.Type {
	case "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			pk1, err1 := x509.ParsePKCS1PublicKey(der)
			if err1 != nil {
				return nil, fmt.Errorf("p= is not an RSA public key")
			}
			pub = pk1
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("k=rsa but p= is another kind of key")
		}
		key.Bits = rk.N.BitLen()
	case "ed25519":
		// RFC 8463 section 4.2: the bare 32-byte key, not wrapped in a SubjectPublicKeyInfo.
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("an ed25519 p= must be 32 bytes, not %d", len(der))
		}
		key.Bits = 256
	default:
		return nil, fmt.Errorf("key type k=%s is not rsa or ed25519", clip(key.Type))
	}
	return key, nil
}
