// Package cachevalue reads and writes the bytes that Django's Redis cache
// backends store for a value, which for the cache and cached_db session
// engines is the session dict itself, unsigned.
//
// Two clients are modeled:
//
//   - DjangoRedis, django-redis's DefaultClient (encode/decode). An int that
//     is not a bool is stored as its decimal ASCII digits and never
//     compressed. Anything else goes through the serializer (pickle, JSON
//     with DjangoJSONEncoder, or msgpack) and then the compressor, which
//     compresses only values longer than its threshold (15 bytes; lzma
//     100). Reading tries Python's int() on the bytes first, then
//     decompression; a value that does not decompress is taken to be stored
//     uncompressed, exactly as django-redis decides (there is no flag byte).
//   - Django, django.core.cache.backends.redis.RedisCache (Django 4.0+): an
//     int (type(v) is int, so not a bool: 4.1+) as its digits, everything
//     else pickled at protocol 5 with no compression.
//
// A Codec holds the configuration; its zero value is django-redis's default
// (pickle at protocol 4, no compression):
//
//	v, err := cachevalue.Codec{}.Decode(redisBytes)
//	b, err := cachevalue.Codec{Compressor: "zlib"}.Encode(v)
//
// # Safety
//
// Cache values are not signed: whoever can write to Redis chooses the
// bytes. Decode caps the input and every decompressor's output at MaxSize
// (ErrTooLarge, with memory bounded by the cap), hands the pickle decoder
// the same cap (it refuses code-executing globals), bounds the nesting of
// msgpack and JSON, and never panics. Errors match serializer.ErrMalformed,
// serializer.ErrTooLarge or serializer.ErrUnsupported with errors.Is.
//
// # Fidelity
//
// Uncompressed output is byte for byte what django-redis or Django writes
// (for pickle, as far as serializer.Pickle is; JSON with json.dumps's
// default ", " and ": " separators; msgpack as msgpack-python 1.0 packs).
// Compressed output is a valid stream of the right format that django-redis
// decompresses, but not the same bytes as C zlib, liblzma, lz4 or libzstd
// write (compare values, or the bytes after decompression).
//
// Decompression follows the Python functions django-redis calls, including
// what they do with data after the compressed stream: zlib and lz4 ignore
// it; lzma.decompress reads further xz streams, ignores data that cannot
// start one and fails (so the value counts as uncompressed) on data that
// could; gzip (django-redis 6's GzipCompressor) reads further members after
// zero padding, and only a bad magic, method or checksum means
// "uncompressed": a truncated stream or corrupt deflate data is an error,
// as the exception escapes django-redis; pyzstd reads every frame and fails
// on a truncated one. A value in the legacy .lzma format, which
// lzma.decompress also accepts, is read too (data after its stream is
// ignored, where lzma.decompress would try it as another stream). msgpack
// extension types are Objects as Python holds them: msgpack.ext.ExtType
// (code, data) and msgpack.ext.Timestamp (seconds and nanoseconds in its
// state), and encode back to the bytes msgpack-python packs. Known
// difference: a zstd frame whose window is larger than MaxSize fails with
// ErrTooLarge.
//
// Compressor "auto" (Decode only) picks the compressor by the stream's
// magic (zlib 78 with a valid header check, gzip 1f 8b, xz fd 37 7a 58 5a
// 00, lz4 04 22 4d 18, zstd 28 b5 2f fd) and otherwise reads the value as
// uncompressed, which is what django-redis does when the value was written
// by a client configured with that compressor.
package cachevalue
