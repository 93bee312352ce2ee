package cachevalue

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/djangosess/djangosess/internal/zlibx"
	"github.com/djangosess/djangosess/serializer"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// compressor is one django-redis compressor.
type compressor struct {
	name   string
	minLen int // compress only values longer than this
	magic  []byte
	// compress writes a stream django-redis's compressor reads.
	compress func([]byte) ([]byte, error)
	// decompress inflates b to at most max bytes. ok is false when the
	// Python compressor raises CompressorError (the value is then taken as
	// stored uncompressed); err is for output over max and for the errors
	// django-redis does not catch.
	decompress func(b []byte, max int) (out []byte, ok bool, err error)
}

var compressors = []*compressor{
	{name: "zlib", minLen: 15, magic: []byte{0x78}, compress: zlibCompress, decompress: zlibDecompress},
	{name: "gzip", minLen: 15, magic: []byte{0x1f, 0x8b}, compress: gzipCompress, decompress: gzipDecompress},
	{name: "lzma", minLen: 100, magic: []byte{0xfd, '7', 'z', 'X', 'Z', 0}, compress: xzCompress, decompress: xzDecompress},
	{name: "lz4", minLen: 15, magic: []byte{0x04, 0x22, 0x4d, 0x18}, compress: lz4Compress, decompress: lz4Decompress},
	{name: "zstd", minLen: 15, magic: []byte{0x28, 0xb5, 0x2f, 0xfd}, compress: zstdCompress, decompress: zstdDecompress},
}

func compressorNamed(name string) *compressor {
	for _, c := range compressors {
		if c.name == name {
			return c
		}
	}
	return nil
}

// sniff picks the compressor whose stream b starts like ("auto").
func sniff(b []byte) *compressor {
	for _, c := range compressors {
		if bytes.HasPrefix(b, c.magic) {
			if c.name == "zlib" && (len(b) < 2 || (int(b[0])<<8|int(b[1]))%31 != 0) {
				continue
			}
			return c
		}
	}
	return nil
}

func tooLarge(name string, max int) error {
	return fmt.Errorf("%w: cachevalue: %s data inflates past the limit of %d bytes", serializer.ErrTooLarge, name, max)
}

// readCapped reads r to its end, failing once more than max bytes come out.
func readCapped(name string, r io.Reader, max int) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if len(out) > max {
		return nil, tooLarge(name, max)
	}
	return out, err
}

// zlib.compress(v, 6) / zlib.decompress(v): zlib format only, and data after
// the end of the stream is ignored. Every failure is zlib.error, which
// django-redis catches. internal/zlibx inflates exactly what
// zlib.decompress accepts.
func zlibCompress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, 6)
	w.Write(b)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zlibDecompress(b []byte, max int) ([]byte, bool, error) {
	out, err := zlibx.Inflate(nil, b, max)
	switch {
	case errors.Is(err, zlibx.ErrTooLarge):
		return nil, false, tooLarge("zlib", max)
	case err != nil:
		return nil, false, nil // zlib.error
	case out == nil:
		out = []byte{}
	}
	return out, true, nil
}

// gzip.compress(v) / gzip.decompress(v) as in CPython 3.11, wrapped by
// django-redis 6's GzipCompressor, which catches only BadGzipFile (a bad
// magic or method, a CRC or length mismatch); a truncated stream (EOFError)
// or corrupt deflate data (zlib.error) escapes as an error.
func gzipCompress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 9)
	w.Write(b)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipDecompress(b []byte, max int) ([]byte, bool, error) {
	var out []byte
	rest := b
	var zr gzip.Reader
	for len(rest) > 0 {
		if len(rest) < 2 || rest[0] != 0x1f || rest[1] != 0x8b {
			if len(rest) == 1 && rest[0] == 0x1f {
				return nil, false, gzipEOF()
			}
			return nil, false, nil // BadGzipFile: not a gzipped file
		}
		if len(rest) < 3 {
			return nil, false, gzipEOF()
		}
		if rest[2] != 8 {
			return nil, false, nil // BadGzipFile: unknown compression method
		}
		br := bytes.NewReader(rest)
		if err := zr.Reset(br); err != nil {
			return nil, false, gzipErr(err)
		}
		zr.Multistream(false)
		member, err := readCapped("gzip", &zr, max-len(out))
		if err != nil {
			return nil, false, gzipErr(err)
		}
		out = append(out, member...)
		rest = bytes.TrimLeft(rest[len(rest)-br.Len():], "\x00")
	}
	if out == nil {
		out = []byte{}
	}
	return out, true, nil
}

func gzipEOF() error {
	return fmt.Errorf("%w: cachevalue: gzip: compressed data ended before the end-of-stream marker", serializer.ErrMalformed)
}

func gzipErr(err error) error {
	switch {
	case errors.Is(err, serializer.ErrTooLarge):
		return err
	case errors.Is(err, gzip.ErrChecksum):
		return nil // BadGzipFile: CRC check failed / incorrect length
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return gzipEOF()
	}
	var ce flate.CorruptInputError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w: cachevalue: gzip: invalid deflate data (zlib.error): %v", serializer.ErrMalformed, err)
	}
	return fmt.Errorf("%w: cachevalue: gzip: %v", serializer.ErrMalformed, err)
}

// lzma.compress(v, preset=4) / lzma.decompress(v): every failure is
// LZMAError, which django-redis catches.
func xzCompress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := xz.WriterConfig{CheckSum: xz.CRC64}.NewWriter(&buf)
	if err != nil {
		return nil, err
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func xzDecompress(b []byte, max int) ([]byte, bool, error) {
	if len(b) > 0 && b[0] != 0xFD {
		return lzmaAloneDecompress(b, max)
	}
	// lzma.decompress reads stream after stream; data after a stream that
	// does not start a new one (garbage, padding) is ignored, but a stream
	// that ends early fails.
	var out []byte
	for first := true; ; first = false {
		stream, ok, err := xzPrepare(b, max-len(out))
		if err != nil {
			return nil, false, err
		}
		if !ok {
			if !first && !xzTruncated(b) {
				return out, true, nil // trailing data that is not a stream
			}
			return nil, false, nil
		}
		r, err := xz.ReaderConfig{SingleStream: true, DictCap: xzMinDict}.NewReader(bytes.NewReader(stream))
		if err != nil {
			if !first {
				return out, true, nil
			}
			return nil, false, nil
		}
		part, err := readCapped("lzma", r, max-len(out))
		if errors.Is(err, serializer.ErrTooLarge) {
			return nil, false, err
		}
		if err != nil {
			if !first {
				return out, true, nil // a corrupt later stream is ignored
			}
			return nil, false, nil
		}
		out = append(out, part...)
		b = b[len(stream):]
		if len(b) == 0 {
			if out == nil {
				out = []byte{}
			}
			return out, true, nil
		}
	}
}

// lzmaAloneDecompress reads a value in the legacy .lzma format
// (lzma.FORMAT_ALONE), which lzma.decompress's FORMAT_AUTO also accepts:
// a 13-byte header (properties, dictionary size, uncompressed size or -1)
// and one LZMA stream. A header liblzma refuses, or a stream that fails or
// ends early, is LZMAError: the value counts as uncompressed. A declared
// size over max is ErrTooLarge at once; the dictionary the header asks for
// is cut to max (no output we accept can reach further back), so a header
// declaring 4 GiB allocates no more than the output may hold. Data after
// the stream is ignored (lzma.decompress would try it as another stream).
func lzmaAloneDecompress(b []byte, max int) ([]byte, bool, error) {
	if len(b) < lzma.HeaderLen+1 || !xzTruncated(b) {
		return nil, false, nil
	}
	if size := int64(binary.LittleEndian.Uint64(b[5:13])); size != -1 && size > int64(max) {
		return nil, false, tooLarge("lzma", max)
	}
	dictCap := uint32(lzma.MinDictCap)
	if max > lzma.MinDictCap {
		dictCap = uint32(max)
	}
	hdr := b[:lzma.HeaderLen]
	if binary.LittleEndian.Uint32(b[1:5]) > dictCap {
		hdr = append([]byte(nil), hdr...)
		binary.LittleEndian.PutUint32(hdr[1:5], dictCap)
	}
	r, err := lzma.ReaderConfig{DictCap: int(dictCap)}.NewReader(io.MultiReader(bytes.NewReader(hdr), bytes.NewReader(b[lzma.HeaderLen:])))
	if err != nil {
		return nil, false, nil
	}
	out, err := readCapped("lzma", r, max)
	if errors.Is(err, serializer.ErrTooLarge) {
		return nil, false, err
	}
	if err != nil {
		return nil, false, nil
	}
	if out == nil {
		out = []byte{}
	}
	return out, true, nil
}

// xzTruncated reports whether lzma.decompress, reading the data after a
// complete stream with a new FORMAT_AUTO decoder, would not fail outright
// (so that it ends with "Compressed data ended before the end-of-stream
// marker" and django-redis takes the whole value as uncompressed). That
// decoder reads an xz stream when the first byte is 0xFD and a legacy
// .lzma header otherwise, which it refuses at once for a properties byte
// over 224, a dictionary size that is not 2^n or 2^n+2^(n-1), an
// uncompressed size of 2^38 or more, or a first range-coder byte that is
// not zero. A plausible .lzma stream (which this package does not decode)
// is also reported, so the value is taken as uncompressed.
func xzTruncated(b []byte) bool {
	const magic = "\xfd7zXZ\x00"
	if b[0] == 0xFD {
		if len(b) < len(magic) {
			return string(b) == magic[:len(b)]
		}
		return string(b[:len(magic)]) == magic
	}
	if b[0] > 224 {
		return false
	}
	if len(b) < 5 {
		return true
	}
	if d := binary.LittleEndian.Uint32(b[1:]); d != math.MaxUint32 {
		x := d - 1
		x |= x >> 2
		x |= x >> 3
		x |= x >> 4
		x |= x >> 8
		x |= x >> 16
		if x+1 != d {
			return false
		}
	}
	if len(b) < 13 {
		return true
	}
	if n := binary.LittleEndian.Uint64(b[5:]); n != math.MaxUint64 && n >= 1<<38 {
		return false
	}
	return len(b) == 13 || b[13] == 0
}

// lz4.frame.compress(v) / lz4.frame.decompress(v): django-redis treats any
// exception as "not compressed".
func lz4Compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.SizeOption(uint64(len(b))), lz4.ChecksumOption(false)); err != nil {
		return nil, err
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func lz4Decompress(b []byte, max int) ([]byte, bool, error) {
	// lz4.frame.decompress reads one frame and ignores what follows it.
	if end, ok := lz4FrameEnd(b); ok {
		b = b[:end]
	}
	r := lz4.NewReader(bytes.NewReader(b))
	out, err := readCapped("lz4", r, max)
	if errors.Is(err, serializer.ErrTooLarge) {
		return nil, false, err
	}
	if err != nil {
		return nil, false, nil
	}
	return out, true, nil
}

// lz4FrameEnd finds the end of the LZ4 frame b starts with by walking its
// header and block sizes (nothing is decompressed).
func lz4FrameEnd(b []byte) (int, bool) {
	if len(b) < 7 || binary.LittleEndian.Uint32(b) != 0x184D2204 {
		return 0, false
	}
	flg := b[4]
	pos := 6
	if flg&0x08 != 0 {
		pos += 8
	}
	if flg&0x01 != 0 {
		pos += 4
	}
	pos++ // header checksum
	for {
		if pos+4 > len(b) {
			return 0, false
		}
		size := binary.LittleEndian.Uint32(b[pos:])
		pos += 4
		if size == 0 {
			break
		}
		n := int(size & 0x7FFFFFFF)
		if n > len(b)-pos {
			return 0, false
		}
		pos += n
		if flg&0x10 != 0 {
			pos += 4
		}
	}
	if flg&0x04 != 0 {
		pos += 4
	}
	if pos > len(b) {
		return 0, false
	}
	return pos, true
}

// pyzstd.compress(v) / pyzstd.decompress(v): ZstdError is caught.
func zstdCompress(b []byte) ([]byte, error) {
	return zstdEncoder.EncodeAll(b, nil), nil
}

var zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))

// zstdDecoders holds idle decoders per output cap (a decoder is costly to
// build, and its limits are fixed when it is).
var zstdDecoders sync.Map // int → *sync.Pool of *zstd.Decoder

func zstdDecoder(max int) (*zstd.Decoder, *sync.Pool, error) {
	p, _ := zstdDecoders.LoadOrStore(max, new(sync.Pool))
	pool := p.(*sync.Pool)
	if d, ok := pool.Get().(*zstd.Decoder); ok {
		return d, pool, nil
	}
	window := max
	if window < zstd.MinWindowSize {
		window = zstd.MinWindowSize
	}
	if window > zstd.MaxWindowSize {
		window = zstd.MaxWindowSize
	}
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(uint64(max)), zstd.WithDecoderMaxWindow(uint64(window)))
	return d, pool, err
}

func zstdDecompress(b []byte, max int) ([]byte, bool, error) {
	d, pool, err := zstdDecoder(max)
	if err != nil {
		return nil, false, err
	}
	out, err := d.DecodeAll(b, nil)
	pool.Put(d)
	switch {
	case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
		return nil, false, tooLarge("zstd", max)
	case err != nil:
		return nil, false, nil
	case len(out) > max:
		return nil, false, tooLarge("zstd", max)
	}
	if out == nil {
		out = []byte{}
	}
	return out, true, nil
}
