package cluster

import "errors"

// Sentinel errors.
var (
	// ErrBadMessage: a gossip or transfer message that does not decode.
	ErrBadMessage = errors.New("cluster: malformed message")
	// ErrConfig: a configuration that cannot start a node.
	ErrConfig = errors.New("cluster: invalid configuration")
	// ErrKeys: the gossip key file cannot be used.
	ErrKeys = errors.New("cluster: bad gossip key file")
)
