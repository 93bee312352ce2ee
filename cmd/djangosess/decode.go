package main

import (
	"context"
	"flag"
	"sync"
	"time"
	"unsafe"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

const decodeDoc = `
Reads session_data (the argument, or stdin) and prints the session as
tagged JSON. With --salt, reads signing.dumps data signed with that salt
(any value, not only dicts) instead; with --salt and --untimed,
Signer.sign_object data (no timestamp).`

// objectFlags are the flags decode and encode share.
type objectFlags struct {
	commonFlags
	salt         string
	saltSet      bool
	untimed      bool
	sessionClass string
	serializer   string
}

func (o *objectFlags) register(fs *flag.FlagSet) {
	o.commonFlags.register(fs)
	fs.StringVar(&o.salt, "salt", "", "handle plain signing.dumps/loads data with salt `S` instead of session_data")
	fs.BoolVar(&o.untimed, "untimed", false, "with --salt: Signer.sign_object/unsign_object (no timestamp) instead of dumps/loads")
	fs.StringVar(&o.sessionClass, "session-class", djangosess.DefaultSessionClass, "session store class `NAME` (__qualname__), which names the salt")
	fs.StringVar(&o.serializer, "serializer", "json", "SESSION_SERIALIZER: `json` or pickle")
}

// parse parses args, records which flags were set explicitly (--salt ""
// is a salt), and returns the positional arguments and the serializer.
func (o *objectFlags) parse(fs *flag.FlagSet, args []string) ([]string, serializer.Codec, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "salt" {
			o.saltSet = true
		}
	})
	if o.untimed && !o.saltSet {
		return nil, nil, usageErrorf("--untimed needs --salt")
	}
	ser, err := serializerByName(o.serializer)
	return pos, ser, err
}

// codec builds the session_data codec the flags describe.
func (o *objectFlags) codec(e *env, ser serializer.Codec) (*djangosess.Codec, error) {
	key, fallbacks, err := o.keys(e)
	if err != nil {
		return nil, err
	}
	v, err := o.version()
	if err != nil {
		return nil, err
	}
	accept, _ := o.compat()
	now, err := o.clock()
	if err != nil {
		return nil, err
	}
	c, err := djangosess.NewCodec(djangosess.CodecConfig{
		SecretKey: key, FallbackKeys: fallbacks, SessionClass: o.sessionClass,
		Serializer: ser, Accept: accept, Target: v, HashingAlgorithm: o.algorithm, Now: now,
	})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

// signingConfig builds the Signer configuration for --salt data.
func (o *objectFlags) signingConfig(e *env, ser serializer.Codec) (signing.Config, error) {
	key, fallbacks, err := o.keys(e)
	if err != nil {
		return signing.Config{}, err
	}
	accept, err := o.compat()
	if err != nil {
		return signing.Config{}, err
	}
	alg, legacy, err := accept.SignerAlgorithms(o.algorithm)
	if err != nil {
		return signing.Config{}, usageErrorf("%v", err)
	}
	now, err := o.clock()
	if err != nil {
		return signing.Config{}, err
	}
	cfg := signing.Config{
		Key: key, Salt: o.salt, Algorithm: alg, LegacyAlgorithms: legacy,
		Serializer: ser, Now: now,
	}
	if accept.AcceptsFallbackKeys() {
		cfg.FallbackKeys = fallbacks
	}
	return cfg, nil
}

func runDecode(ctx context.Context, args []string, e *env) error {
	if hasCacheValue(args) {
		return runCacheValue(ctx, "decode", true, args, e)
	}
	var o objectFlags
	fs := newFlagSet("decode", "[DATA]", decodeDoc, e)
	o.register(fs)
	pos, ser, err := o.parse(fs, args)
	if err != nil {
		return err
	}
	maxAge, checkAge, err := o.maxAgeDuration()
	if err != nil {
		return err
	}

	var decode func(data string) (serializer.Value, error)
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
			decode = s.UnsignObject
		} else {
			s, err := signing.NewTimestampSigner(cfg)
			if err != nil {
				return usageErrorf("%v", err)
			}
			decode = s.UnsignObject
			if checkAge {
				decode = func(data string) (serializer.Value, error) { return s.UnsignObjectMaxAge(data, maxAge) }
			}
		}
	} else {
		c, err := o.codec(e, ser)
		if err != nil {
			return err
		}
		now, _ := o.clock()
		if now == nil {
			now = time.Now
		}
		// Each item's session is printed before the next is decoded with
		// the same Decoder, whose memory it reuses (one per worker, with
		// --lines).
		decoders := sync.Pool{New: func() any { return c.NewDecoder() }}
		item := func(dst, in []byte) ([]byte, error) {
			dec := decoders.Get().(*djangosess.Decoder)
			defer decoders.Put(dec)
			// in is never overwritten (see runLines): no copy.
			d, err := dec.DecodeInfo(unsafe.String(unsafe.SliceData(in), len(in)))
			if err != nil {
				return dst, err
			}
			// Django ignores the timestamp of session data; --max-age asks
			// for it to be judged. Legacy data has none.
			if checkAge && d.Format == djangosess.FormatSigned {
				age := now().Sub(time.Unix(d.Timestamp, 0))
				if age > maxAge {
					return dst, &signing.ExpiredError{Age: age, MaxAge: maxAge}
				}
			}
			return serializer.AppendTagged(dst, d.Data)
		}
		return runItems(o.lines, pos, e, item, errorItem)
	}

	item := func(dst, in []byte) ([]byte, error) {
		// in is never overwritten (see runLines): no copy.
		v, err := decode(unsafe.String(unsafe.SliceData(in), len(in)))
		if err != nil {
			return dst, err
		}
		return serializer.AppendTagged(dst, v)
	}
	return runItems(o.lines, pos, e, item, errorItem)
}
