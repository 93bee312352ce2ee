package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
	"github.com/djangosess/djangosess/signing"
)

const cacheDoc = `
With --cache-value, reads (decode) or writes (encode) the raw bytes a Django
cache stores for a value in Redis — for the cache and cached_db session
engines, the session dict itself, unsigned — on stdin/stdout, with tagged
JSON on the other side.`

// hasCacheValue reports whether args ask for --cache-value.
func hasCacheValue(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "--cache-value" || a == "-cache-value" || strings.HasPrefix(a, "--cache-value=")
	})
}

func runCacheValue(ctx context.Context, name string, decode bool, args []string, e *env) error {
	fs := newFlagSet(name, "--cache-value [flags] [JSON]", cacheDoc, e)
	var cv bool
	var client, ser, comp string
	var proto int
	fs.BoolVar(&cv, "cache-value", false, "handle a cache value instead of session_data")
	fs.StringVar(&client, "cache-client", "django-redis", "`CLIENT` that stored it: django-redis or django (RedisCache, 4.0+)")
	fs.StringVar(&ser, "cache-serializer", "pickle", "the cache's serializer: `pickle`, json or msgpack")
	fs.StringVar(&comp, "compressor", "", "`none`, zlib, gzip, lzma, lz4, zstd (and auto when decoding; default none, or auto when decoding)")
	fs.IntVar(&proto, "pickle-protocol", 0, "pickle protocol `N` to write (default: the client's: 4 for django-redis ≥ 5.1, 5 for Django)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	c := cachevalue.Codec{Serializer: ser, Compressor: comp, PickleProtocol: proto}
	switch client {
	case "django-redis":
		c.Client = cachevalue.DjangoRedis
	case "django":
		c.Client = cachevalue.Django
	default:
		return usageErrorf("--cache-client: want django-redis or django, got %q", client)
	}
	if decode {
		if len(pos) > 0 {
			return usageErrorf("decode --cache-value reads the raw value from stdin")
		}
		if c.Compressor == "" {
			c.Compressor = "auto"
		}
		raw, err := io.ReadAll(io.LimitReader(e.stdin, maxStdin+1))
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		if len(raw) > maxStdin {
			return fmt.Errorf("%w: stdin over %d bytes", signing.ErrTooLarge, maxStdin)
		}
		v, err := c.Decode(raw)
		if err != nil {
			return err
		}
		out, err := serializer.AppendTagged(nil, v)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(append(out, '\n'))
		return err
	}
	in, err := oneInput(pos, e)
	if err != nil {
		return err
	}
	v, err := serializer.UnmarshalTagged(in)
	if err != nil {
		return err
	}
	raw, err := c.Encode(v)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(raw)
	return err
}
