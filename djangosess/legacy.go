package djangosess

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// legacyCodec reads and writes the pre-3.1 format:
// base64std(hex(HMAC-SHA1(k, payload)) + ":" + payload), where
// k = SHA1("django.contrib.sessions" + ClassName + SECRET_KEY). Only
// SECRET_KEY ever signed it: fallback keys came with Django 4.1, which no
// longer reads it.
type legacyCodec struct {
	ser      serializer.Codec
	maxInput int
	macs     sync.Pool // hash.Hash: HMAC-SHA1 keyed with the derived key
}

func newLegacyCodec(secret []byte, class string, ser serializer.Codec, maxInput int) *legacyCodec {
	// Legacy salts use the class's __name__: the last part of its qualname.
	if i := strings.LastIndexByte(class, '.'); i >= 0 {
		class = class[i+1:]
	}
	h := sha1.New()
	h.Write([]byte("django.contrib.sessions" + class))
	h.Write(secret)
	key := h.Sum(nil)
	if maxInput <= 0 {
		maxInput = signing.DefaultMaxInput
	}
	l := &legacyCodec{ser: ser, maxInput: maxInput}
	l.macs.New = func() any { return hmac.New(sha1.New, key) }
	return l
}

func (l *legacyCodec) mac(payload []byte) []byte {
	m := l.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(payload)
	sum := m.Sum(nil)
	l.macs.Put(m)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

func (l *legacyCodec) decode(data string) (Decoded, error) {
	if len(data) > l.maxInput {
		return Decoded{}, fmt.Errorf("%w: session data of %d bytes (limit %d)", signing.ErrTooLarge, len(data), l.maxInput)
	}
	for i := 0; i < len(data); i++ {
		if data[i] >= 0x80 { // Django: str.encode("ascii") fails
			return Decoded{}, fmt.Errorf("%w: legacy session data is not ASCII", signing.ErrMalformed)
		}
	}
	raw, err := signing.B64DecodeStd(data)
	if err != nil {
		return Decoded{}, err
	}
	mac, payload, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		return Decoded{}, fmt.Errorf("%w: legacy session data has no \":\"", signing.ErrBadSignature)
	}
	if subtle.ConstantTimeCompare(mac, l.mac(payload)) != 1 {
		return Decoded{}, fmt.Errorf("%w: legacy session data corrupted", signing.ErrBadSignature)
	}
	v, err := l.ser.Unmarshal(payload)
	if err != nil {
		return Decoded{}, fmt.Errorf("%w: %w", signing.ErrMalformed, err)
	}
	d, err := asDict(v)
	if err != nil {
		return Decoded{}, err
	}
	return Decoded{Data: d, Format: FormatLegacy, Algorithm: "sha1"}, nil
}

func (l *legacyCodec) encode(d *serializer.Dict) (string, error) {
	payload, err := l.ser.Marshal(d)
	if err != nil {
		return "", err
	}
	raw := make([]byte, 0, 41+len(payload))
	raw = append(raw, l.mac(payload)...)
	raw = append(raw, ':')
	raw = append(raw, payload...)
	return base64.StdEncoding.EncodeToString(raw), nil
}
