package bundletest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
)

// ZipBomb is a gzipped tarball of files files of mib MiB of zeros each
// (promo/pad/f<i>/data.json), about 1 KiB compressed per MiB. It is made
// of gzip members, which a reader sees as one stream, so that making it
// costs nothing: one member of 1 MiB of zeros is repeated.
func ZipBomb(files, mib int) []byte {
	zeros := gzipped(make([]byte, 1<<20))
	var out bytes.Buffer
	for i := range files {
		var hdr bytes.Buffer
		tw := tar.NewWriter(&hdr)
		name := fmt.Sprintf("promo/pad/f%d/data.json", i)
		// The header block is written at once; the content follows as
		// the repeated members.
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(mib) << 20, Typeflag: tar.TypeReg})
		out.Write(gzipped(hdr.Bytes()))
		for range mib {
			out.Write(zeros)
		}
	}
	out.Write(gzipped(make([]byte, 1024))) // the end of the archive
	return out.Bytes()
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
