/*
 * parts.c: the C libraries doing the parts of a session decode and encode
 * on the same bytes as the Go benchmarks (bench/c_parts.sh builds and runs
 * it): inflate (libdeflate, zlib), deflate (libdeflate levels 1 and 6,
 * zlib level 6, which Python's zlib.compress uses) and HMAC-SHA256
 * (OpenSSL, with the keyed context reused as the Go signer reuses its).
 *
 *   parts Z_FILE RAW_FILE SIGNED_FILE
 *
 * Prints one line per measurement: name, nanoseconds per call (the best
 * of 60 windows of a few milliseconds each, as bench/compare.py times: on
 * a shared virtual machine short windows find the quiet stretches) and,
 * for deflate, the compressed size in bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static double now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static size_t slurp(const char *path, unsigned char *buf, size_t cap) {
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

#define WINDOWS 60
#define BEST(name, iters, body, size)                                   \
	do {                                                            \
		double best = 1e30;                                     \
		for (int w = 0; w < WINDOWS; w++) {                     \
			double t0 = now_ns();                           \
			for (long i = 0; i < (iters); i++) {            \
				body;                                   \
			}                                               \
			double ns = (now_ns() - t0) / (iters);          \
			if (ns < best)                                  \
				best = ns;                              \
		}                                                       \
		printf("%s %.1f %zu\n", name, best, (size_t)(size));    \
	} while (0)

static void fail(const char *what) {
	fprintf(stderr, "parts: %s failed\n", what);
	exit(1);
}

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: parts Z_FILE RAW_FILE SIGNED_FILE\n");
		return 2;
	}
	static unsigned char z[1 << 16], raw[1 << 16], signed_[1 << 16], out[1 << 17];
	size_t nz = slurp(argv[1], z, sizeof z);
	size_t nraw = slurp(argv[2], raw, sizeof raw);
	size_t nsigned = slurp(argv[3], signed_, sizeof signed_);
	const long N = 15000;

	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t got;
	BEST("inflate/libdeflate", N, {
		if (libdeflate_zlib_decompress(d, z, nz, out, sizeof out, &got) || got != nraw)
			fail("libdeflate_zlib_decompress");
	}, 0);

	z_stream s;
	memset(&s, 0, sizeof s);
	if (inflateInit(&s) != Z_OK)
		fail("inflateInit");
	BEST("inflate/zlib", N, {
		inflateReset(&s);
		s.next_in = z;
		s.avail_in = nz;
		s.next_out = out;
		s.avail_out = sizeof out;
		if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.total_out != nraw)
			fail("inflate");
	}, 0);
	inflateEnd(&s);

	for (int level = 1; level <= 6; level += 5) {
		struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
		char name[64];
		snprintf(name, sizeof name, "deflate/libdeflate-%d", level);
		size_t nout = 0;
		BEST(name, N / 4, {
			if (!(nout = libdeflate_zlib_compress(c, raw, nraw, out, sizeof out)))
				fail("libdeflate_zlib_compress");
		}, nout);
		libdeflate_free_compressor(c);
	}

	memset(&s, 0, sizeof s);
	if (deflateInit(&s, 6) != Z_OK)
		fail("deflateInit");
	BEST("deflate/zlib-6", N / 4, {
		deflateReset(&s);
		s.next_in = raw;
		s.avail_in = nraw;
		s.next_out = out;
		s.avail_out = sizeof out;
		if (deflate(&s, Z_FINISH) != Z_STREAM_END)
			fail("deflate");
	}, s.total_out);
	deflateEnd(&s);

	unsigned char key[32] = {0}, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	HMAC_CTX *h = HMAC_CTX_new();
	if (!HMAC_Init_ex(h, key, sizeof key, EVP_sha256(), NULL))
		fail("HMAC_Init_ex");
	BEST("hmac/openssl", N, {
		HMAC_Init_ex(h, NULL, 0, NULL, NULL);
		HMAC_Update(h, signed_, nsigned);
		HMAC_Final(h, md, &mdlen);
	}, 0);
	HMAC_CTX_free(h);
	libdeflate_free_decompressor(d);
	return 0;
}
