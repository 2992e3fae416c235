package cluster

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// ReadKeyFile reads gossip keys: base64, one a line, the first being the
// primary; blank lines and lines starting with # are skipped.
func ReadKeyFile(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeys, err)
	}
	var keys [][]byte
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: not base64", ErrKeys, path, line)
		}
		if n := len(key); n != 16 && n != 24 && n != 32 {
			return nil, fmt.Errorf("%w: %s:%d: a key is 16, 24 or 32 bytes, got %d", ErrKeys, path, line, n)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: %s has no key", ErrKeys, path)
	}
	return keys, nil
}

// ReloadKeys reads Config.KeyFile again and installs its keys: new ones
// are added, the first becomes primary, keys no longer listed are removed.
// A node started without a key file cannot start encrypting this way.
func (n *Node) ReloadKeys() error {
	kr := n.mlConfig.Keyring
	if kr == nil {
		return fmt.Errorf("%w: this node was started without --cluster-key", ErrKeys)
	}
	keys, err := ReadKeyFile(n.cfg.KeyFile)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := kr.AddKey(k); err != nil {
			return fmt.Errorf("%w: %v", ErrKeys, err)
		}
	}
	if err := kr.UseKey(keys[0]); err != nil {
		return fmt.Errorf("%w: %v", ErrKeys, err)
	}
	for _, old := range kr.GetKeys() {
		if !containsKey(keys, old) {
			if err := kr.RemoveKey(old); err != nil {
				return fmt.Errorf("%w: %v", ErrKeys, err)
			}
		}
	}
	n.log.Info("gossip keys reloaded", "keys", len(keys))
	return nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
