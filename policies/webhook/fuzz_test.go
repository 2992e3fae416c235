package webhook_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/promoedge/promoedge/policies/webhook"
)

// FuzzParseSecret: a secret file's content is outside input. Whatever it
// holds, ParseSecret either refuses it with ErrSecret or returns the key
// that re-encodes to the file's base64 part.
func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_====", " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", "MfKQ9r8G", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		key, err := webhook.ParseSecret(text)
		if err != nil {
			if !errors.Is(err, webhook.ErrSecret) {
				t.Fatalf("error %v is not ErrSecret", err)
			}
			return
		}
		b64, _ := bytes.CutPrefix(bytes.TrimSpace(text), []byte("whsec_"))
		if len(key) < 16 || base64.StdEncoding.EncodeToString(key) != string(b64) {
			t.Fatalf("%q: key %x", text, key)
		}
	})
}
