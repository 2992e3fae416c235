package cluster

import (
	"log/slog"
	"os"
)

func init() {
	if os.Getenv("CLUSTER_DEBUG") != "" {
		testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}
