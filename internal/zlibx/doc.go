// Package zlibx inflates and deflates small zlib streams (RFC 1950 around
// RFC 1951 deflate) fast, for the compressed payloads of Django's signing
// (session_data and dumps with compress=True), which are a few hundred
// bytes.
//
// [Inflate] decodes one complete stream from a byte slice in one call: a
// 64-bit bit buffer over the slice, table-driven Huffman decoding (tables
// built per dynamic block, sized to its longest code, kept in a pool),
// and word-at-a-time match copies. It accepts what Python's
// zlib.decompress(data) accepts and rejects what it rejects:
//
//   - the header: CM must be 8, CINFO at most 7, FCHECK valid; a preset
//     dictionary (FDICT) is an error, as zlib.decompress without zdict;
//   - stored, fixed and dynamic blocks up to the final one, with zlib's
//     checks: stored LEN/NLEN, at most 286 literal/length and 30 distance
//     codes, no over-subscribed code, no incomplete code except a single
//     one-bit code (literal/length or distance), a code for end-of-block,
//     no literal/length symbol 286 or 287, no distance symbol 30 or 31,
//     no code length repeat before the first length or past the end, no
//     distance further back than the output so far (the stream's own
//     output: bytes already in dst are not a preset dictionary);
//   - the Adler-32 trailer must match;
//   - a stream that ends early (anywhere, trailer included) is an error;
//   - bytes after the trailer are ignored.
//
// Every rejection is an error matching [ErrCorrupt] (a [*CorruptError]
// whose Reason is zlib's message). Output past the caller's limit is
// [ErrTooLarge], found before anything past the limit is allocated or
// written, so a stream that declares gigabytes costs only the limit.
//
// [Deflate] writes a valid zlib stream: greedy LZ77 over a hash table
// sized to the input, then the smallest of a fixed-Huffman, a
// dynamic-Huffman and a stored block. On typical session JSON its output
// is within about 1% of C zlib at the default level (the level
// zlib.compress uses). Inputs over 64 KiB are handed to compress/zlib.
//
// Both functions are safe for concurrent use and allocate nothing but
// their output. They append to dst, so a caller that reuses a buffer
// allocates nothing at all:
//
//	buf, err = zlibx.Inflate(buf[:0], stream, 1<<20)
package zlibx
