package sidecar

import (
	"bufio"
	"io"

	"github.com/valyala/fasthttp"
)

// actionBackup is a backup in the audit log: a copy of everything the
// store holds, customers included.
const actionBackup = "store.backup"

// Backuper is a State that can write a consistent copy of itself while
// serving. The bbolt store implements it (a copy of its file from one
// read transaction); `promoedge backup --url` downloads it.
type Backuper interface {
	Backup(w io.Writer) (int64, error)
}

// backup answers GET /v1/backup (admin): the store's copy, streamed. A
// copy cut short (a write timeout, the store failing mid-way) ends the
// stream early; the client checks what it received before keeping it.
func (s *Server) backup(ctx *fasthttp.RequestCtx, _ []string) {
	b, ok := s.state.(Backuper)
	if !ok {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_store", Message: "this sidecar has no store to back up"})
		return
	}
	ctx.SetContentType("application/octet-stream")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="promoedge.db"`)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		_, _ = b.Backup(w)
		_ = w.Flush()
	})
}
