package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// secretPrefix starts a Standard Webhooks secret.
const secretPrefix = "whsec_"

// ErrSecret: a secret is not whsec_ followed by base64.
var ErrSecret = errors.New("a webhook secret must be whsec_ followed by base64 (at least 16 bytes decoded)")

// ParseSecret decodes a whsec_ secret (surrounding white space, such as a
// file's last newline, is ignored) into its HMAC key.
func ParseSecret(text []byte) ([]byte, error) {
	text = bytes.TrimSpace(text)
	b64, ok := bytes.CutPrefix(text, []byte(secretPrefix))
	if !ok {
		return nil, fmt.Errorf("%w: it does not start with %s", ErrSecret, secretPrefix)
	}
	if bytes.ContainsAny(b64, "\r\n") {
		return nil, fmt.Errorf("%w: it spans lines", ErrSecret) // the decoder would skip them
	}
	key := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Strict().Decode(key, b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecret, err)
	}
	if n < 16 {
		return nil, fmt.Errorf("%w: it decodes to %d bytes", ErrSecret, n)
	}
	return key[:n], nil
}

// Sign is the webhook-signature header of body sent as id at timestamp
// (Unix seconds): "v1," and the base64 HMAC-SHA256 of "id.timestamp.body".
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
