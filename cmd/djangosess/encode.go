package main

import (
	"context"
	"fmt"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

const encodeDoc = `
Reads a session as tagged JSON (the argument, or stdin) and prints it as
session_data for the target Django version. With --salt, prints
signing.dumps data of any value with that salt; with --salt and --untimed,
Signer.sign_object data (no timestamp).`

func runEncode(ctx context.Context, args []string, e *env) error {
	if hasCacheValue(args) {
		return runCacheValue(ctx, "encode", false, args, e)
	}
	var o objectFlags
	fs := newFlagSet("encode", "[JSON]", encodeDoc, e)
	o.register(fs)
	var timestamp string
	var noCompress bool
	fs.StringVar(&timestamp, "timestamp", "", "sign as of Unix time `UNIX` (whole seconds; default: --now or the clock)")
	fs.BoolVar(&noCompress, "no-compress", false, "never zlib-compress (Django compresses session data when that makes it shorter)")
	pos, ser, err := o.parse(fs, args)
	if err != nil {
		return err
	}
	ts, haveTS, err := parseTimestamp(timestamp)
	if err != nil {
		return err
	}
	if !haveTS {
		now, err := o.clock()
		if err != nil {
			return err
		}
		if now != nil {
			ts, haveTS = now().Unix(), true
		}
	}

	var encode func(v serializer.Value) (string, error)
	if o.saltSet {
		cfg, err := o.signingConfig(e, ser)
		if err != nil {
			return err
		}
		if o.untimed {
			s, err := signing.NewSigner(cfg)
			if err != nil {
				return usageErrorf("%v", err)
			}
			encode = func(v serializer.Value) (string, error) { return s.SignObject(v, !noCompress) }
		} else {
			s, err := signing.NewTimestampSigner(cfg)
			if err != nil {
				return usageErrorf("%v", err)
			}
			encode = func(v serializer.Value) (string, error) {
				if haveTS {
					return s.SignObjectAt(v, !noCompress, ts)
				}
				return s.SignObject(v, !noCompress)
			}
		}
	} else {
		if noCompress {
			return usageErrorf("--no-compress applies to --salt data: session data is always compressed when that is shorter, as Django does")
		}
		c, err := o.codec(e, ser)
		if err != nil {
			return err
		}
		encode = func(v serializer.Value) (string, error) {
			d, ok := v.(*serializer.Dict)
			if !ok {
				return "", fmt.Errorf("%w: a session is a dict, not a %s", serializer.ErrUnsupported, v.Kind())
			}
			if haveTS {
				return c.EncodeAt(d, ts)
			}
			return c.Encode(d)
		}
	}

	item := func(dst, in []byte) ([]byte, error) {
		v, err := serializer.UnmarshalTagged(in)
		if err != nil {
			return dst, err
		}
		s, err := encode(v)
		if err != nil {
			return dst, err
		}
		return append(dst, s...), nil
	}
	return runItems(o.lines, pos, e, item, emptyItem)
}
