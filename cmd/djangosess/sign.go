package main

import (
	"context"
	"flag"

	"github.com/djangosess/djangosess/signing"
)

const signDoc = `
Signs a raw value (the argument, or stdin) with django.core.signing.Signer,
or TimestampSigner with --timestamped, and prints value:signature.`

const unsignDoc = `
Verifies a raw Signer (or, with --timestamped, TimestampSigner) value and
prints the value that was signed.`

type signFlags struct {
	commonFlags
	salt, sep   string
	timestamped bool
}

func (s *signFlags) register(fs *flag.FlagSet) {
	s.commonFlags.register(fs)
	fs.StringVar(&s.salt, "salt", "", "the Signer's salt `S` (default: django.core.signing.Signer, or ...TimestampSigner)")
	fs.StringVar(&s.sep, "sep", ":", "the separator `SEP` (Django refuses letters, digits, -, _ and =)")
	fs.BoolVar(&s.timestamped, "timestamped", false, "use TimestampSigner (value:timestamp:signature)")
}

func (s *signFlags) config(e *env) (signing.Config, error) {
	key, fallbacks, err := s.keys(e)
	if err != nil {
		return signing.Config{}, err
	}
	accept, err := s.compat()
	if err != nil {
		return signing.Config{}, err
	}
	alg, legacy, err := accept.SignerAlgorithms(s.algorithm)
	if err != nil {
		return signing.Config{}, usageErrorf("%v", err)
	}
	now, err := s.clock()
	if err != nil {
		return signing.Config{}, err
	}
	cfg := signing.Config{Key: key, Salt: s.salt, Sep: s.sep, Algorithm: alg, LegacyAlgorithms: legacy, Now: now}
	if accept.AcceptsFallbackKeys() {
		cfg.FallbackKeys = fallbacks
	}
	return cfg, nil
}

// rawSigner is what sign and unsign need of Signer and TimestampSigner.
type rawSigner interface {
	Sign(value string) string
	Unsign(signed string) (string, error)
}

func (s *signFlags) signer(e *env) (rawSigner, *signing.TimestampSigner, error) {
	cfg, err := s.config(e)
	if err != nil {
		return nil, nil, err
	}
	if s.timestamped {
		t, err := signing.NewTimestampSigner(cfg)
		if err != nil {
			return nil, nil, usageErrorf("%v", err)
		}
		return t, t, nil
	}
	if s.maxAge != "" {
		return nil, nil, usageErrorf("--max-age needs --timestamped")
	}
	p, err := signing.NewSigner(cfg)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	return p, nil, nil
}

func runSign(ctx context.Context, args []string, e *env) error {
	var s signFlags
	fs := newFlagSet("sign", "[VALUE]", signDoc, e)
	s.register(fs)
	var timestamp string
	fs.StringVar(&timestamp, "timestamp", "", "with --timestamped: sign as of Unix time `UNIX` (whole seconds)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	ts, haveTS, err := parseTimestamp(timestamp)
	if err != nil {
		return err
	}
	if haveTS && !s.timestamped {
		return usageErrorf("--timestamp needs --timestamped")
	}
	plain, timed, err := s.signer(e)
	if err != nil {
		return err
	}
	sign := plain.Sign
	if haveTS {
		sign = func(v string) string { return timed.SignAt(v, ts) }
	}
	item := func(dst, in []byte) ([]byte, error) { return append(dst, sign(string(in))...), nil }
	return runItems(s.lines, pos, e, item, emptyItem)
}

func runUnsign(ctx context.Context, args []string, e *env) error {
	var s signFlags
	fs := newFlagSet("unsign", "[SIGNED]", unsignDoc, e)
	s.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	maxAge, checkAge, err := s.maxAgeDuration()
	if err != nil {
		return err
	}
	plain, timed, err := s.signer(e)
	if err != nil {
		return err
	}
	unsign := plain.Unsign
	if checkAge {
		unsign = func(v string) (string, error) { return timed.UnsignMaxAge(v, maxAge) }
	}
	item := func(dst, in []byte) ([]byte, error) {
		v, err := unsign(string(in))
		return append(dst, v...), err
	}
	return runItems(s.lines, pos, e, item, emptyItem)
}

// runItems runs item over stdin's lines with --lines, else over the one input.
func runItems(lines bool, pos []string, e *env, item itemFunc, errLine errLineFunc) error {
	if lines {
		return linesResult(runLines(e.stdin, e.stdout, item, errLine))
	}
	in, err := oneInput(pos, e)
	if err != nil {
		return err
	}
	out, err := item(nil, in)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(append(out, '\n'))
	return err
}
