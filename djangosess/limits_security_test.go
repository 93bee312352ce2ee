package djangosess_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// TestCodecLimits: CodecConfig.MaxInput bounds session_data in both formats
// (the signed one through the signing package, the legacy one in the
// codec itself) and MaxDecompressed what a compressed payload inflates to;
// at the limit the data decodes, one byte over it gives signing.ErrTooLarge,
// before the signature is even checked. Zero means the signing package's
// defaults (4 MiB, 2 MiB).
func TestCodecLimits(t *testing.T) {
	clock := func() time.Time { return time.Unix(1700000000, 0) }
	newCodec := func(maxInput, maxDecompressed int) *djangosess.Codec {
		c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(oracleSecret), Now: clock,
			MaxInput: maxInput, MaxDecompressed: maxDecompressed})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	legacyWriter, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(oracleSecret), Target: djangosess.Version{Major: 3}})
	if err != nil {
		t.Fatal(err)
	}
	// Incompressible data: the signed string grows with it.
	random := strings.Repeat("q7Zp0xK2", 64)
	d := serializer.DictOf("r", serializer.Str(random))
	signed, err := newCodec(0, 0).Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := legacyWriter.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"signed": signed, "legacy": legacy} {
		if _, err := newCodec(len(data), 0).Decode(data); err != nil {
			t.Errorf("%s data of %d bytes, MaxInput %d: %v", name, len(data), len(data), err)
		}
		if _, err := newCodec(len(data)-1, 0).Decode(data); !errors.Is(err, signing.ErrTooLarge) {
			t.Errorf("%s data of %d bytes, MaxInput %d: %v, want ErrTooLarge", name, len(data), len(data)-1, err)
		}
		// Over the limit, a tampered string is still "too large", not a
		// bad signature: the length is checked first.
		if _, err := newCodec(len(data)-1, 0).Decode(data[:len(data)-1] + "x"); !errors.Is(err, signing.ErrTooLarge) {
			t.Errorf("%s: tampered and over MaxInput: %v, want ErrTooLarge", name, err)
		}
	}

	// The default MaxInput (4 MiB) for both formats.
	big := strings.Repeat("A", signing.DefaultMaxInput+1)
	if _, err := newCodec(0, 0).Decode(big); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("legacy-looking data over 4 MiB: %v", err)
	}
	if _, err := newCodec(0, 0).Decode(big[:len(big)-9] + ":1r31eq:x"); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("signed-looking data over 4 MiB: %v", err)
	}

	// MaxDecompressed: a compressible payload (a compressed session) whose
	// inflated JSON is n bytes.
	zeros := serializer.DictOf("z", serializer.Str(strings.Repeat("0", 5000)))
	compressed, err := newCodec(0, 0).Encode(zeros)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(compressed, ".") {
		t.Fatal("the session was not compressed")
	}
	n := len(`{"z":"`) + 5000 + len(`"}`)
	if _, err := newCodec(0, n).Decode(compressed); err != nil {
		t.Errorf("inflating to %d bytes, MaxDecompressed %d: %v", n, n, err)
	}
	if _, err := newCodec(0, n-1).Decode(compressed); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("inflating to %d bytes, MaxDecompressed %d: %v, want ErrTooLarge", n, n-1, err)
	}
}

// takenStore is a Store on which every key is taken.
type takenStore struct{ creates int }

func (s *takenStore) Load(context.Context, string) (djangosess.Record, error) {
	return djangosess.Record{}, djangosess.ErrNotFound
}

func (s *takenStore) Create(context.Context, string, djangosess.Record) error {
	s.creates++
	return djangosess.ErrExists
}

func (s *takenStore) Save(context.Context, string, djangosess.Record) error {
	return djangosess.ErrVanished
}
func (s *takenStore) Delete(context.Context, string) error         { return nil }
func (s *takenStore) Exists(context.Context, string) (bool, error) { return true, nil }
func (s *takenStore) ClearExpired(context.Context) (int, error)    { return 0, nil }
func (s *takenStore) Keys(context.Context) iter.Seq2[string, error] {
	return func(func(string, error) bool) {}
}

// TestCreateNewGivesUp: where Django's create() draws keys forever,
// CreateNew stops after MaxCreateAttempts taken keys with ErrUnavailable
// (a store that claims every key is taken is broken, or hostile).
func TestCreateNewGivesUp(t *testing.T) {
	s := &takenStore{}
	var store djangosess.Store = s
	_, err := djangosess.CreateNew(t.Context(), store, djangosess.Record{Data: serializer.NewDict(0)})
	if !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("CreateNew on a full store: %v, want ErrUnavailable", err)
	}
	if s.creates != djangosess.MaxCreateAttempts || djangosess.MaxCreateAttempts != 10000 {
		t.Errorf("CreateNew tried %d keys; MaxCreateAttempts is %d (documented: 10000)", s.creates, djangosess.MaxCreateAttempts)
	}
}
