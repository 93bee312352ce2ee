package cachevalue_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// cacheCase is the part of a cache_value vector these tests read
// (testdata/README.md).
type cacheCase struct {
	Name       string          `json:"name"`
	Op         string          `json:"op"`
	Params     map[string]any  `json:"params"`
	Input      json.RawMessage `json:"input"`
	Error      *string         `json:"error"`
	OutputB64  *string         `json:"output_b64"`
	RawInt     bool            `json:"raw_int"`
	Value      json.RawMessage `json:"value"`
	ValueError *string         `json:"value_error"`
}

type cacheFile struct {
	Django      string      `json:"django"`
	Unavailable []string    `json:"unavailable"`
	Cases       []cacheCase `json:"cases"`
}

func cacheVectors(t *testing.T) []cacheFile {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(djangotest.Root(t), "testdata", "vectors", "django-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files (%v)", err)
	}
	var out []cacheFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vf cacheFile
		if err := json.Unmarshal(b, &vf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, vf)
	}
	return out
}

// codecFor is the Codec of a case's params.
func codecFor(t *testing.T, p map[string]any) cachevalue.Codec {
	t.Helper()
	var c cachevalue.Codec
	if p["backend"] == "django" {
		c.Client = cachevalue.Django
	}
	if s, ok := p["serializer"].(string); ok {
		c.Serializer = s
	}
	if s, ok := p["compressor"].(string); ok {
		c.Compressor = s
	}
	if n, ok := p["pickle_version"].(float64); ok {
		c.PickleProtocol = int(n)
	}
	return c
}

func tagged(t *testing.T, raw json.RawMessage) serializer.Value {
	t.Helper()
	v, err := serializer.UnmarshalTagged(raw)
	if err != nil {
		t.Fatalf("tagged %s: %v", raw, err)
	}
	return v
}

func TestVectorsCacheValue(t *testing.T) {
	seen := map[string]int{}
	for _, vf := range cacheVectors(t) {
		for _, c := range vf.Cases {
			if c.Op != "cache_value" {
				continue
			}
			name := vf.Django + "/" + c.Name
			codec := codecFor(t, c.Params)
			if c.Error != nil {
				// Django could not serialize it (a datetime in msgpack, bytes
				// in JSON): neither may we.
				if _, err := codec.Encode(tagged(t, c.Input)); !errors.Is(err, serializer.ErrUnsupported) {
					t.Errorf("%s: Django raised %s, Encode err = %v", name, *c.Error, err)
				}
				seen["error"]++
				continue
			}
			wire, err := base64.StdEncoding.DecodeString(*c.OutputB64)
			if err != nil {
				t.Fatal(err)
			}
			seen[codec.Serializer+"/"+codec.Compressor]++
			// Decode Django's bytes.
			if c.ValueError == nil {
				got, err := codec.Decode(wire)
				if err != nil {
					t.Errorf("%s: Decode: %v", name, err)
				} else if want := tagged(t, c.Value); !serializer.Equal(got, want) {
					t.Errorf("%s: Decode = %#v, want %#v", name, got, want)
				}
			}
			// Encode the input.
			in := tagged(t, c.Input)
			out, err := codec.Encode(in)
			if err != nil {
				t.Errorf("%s: Encode: %v", name, err)
				continue
			}
			plain := codec
			plain.Compressor = "none"
			uncompressed, err := plain.Encode(in)
			if err != nil {
				t.Fatalf("%s: Encode uncompressed: %v", name, err)
			}
			if c.RawInt != (in.Kind() == serializer.KindInt && in.Kind() != serializer.KindBool) {
				t.Errorf("%s: raw_int %v for a %s", name, c.RawInt, in.Kind())
			}
			if bytes.Equal(uncompressed, wire) {
				// Django did not compress (or there is no compressor):
				// neither may we.
				if !bytes.Equal(out, wire) {
					t.Errorf("%s: Encode = %q, want %q", name, out, wire)
				}
				continue
			}
			// Django compressed: the bytes under the compression must be
			// ours, and Django's stream must decompress to them.
			inflated, err := plain.Decode(out)
			if err == nil {
				t.Errorf("%s: our compressed output decodes as uncompressed: %v", name, inflated)
			}
			back, err := codec.Decode(out)
			if err != nil {
				t.Errorf("%s: Decode(Encode) = %v", name, err)
			} else if want, err2 := codec.Decode(wire); err2 == nil && !serializer.Equal(back, want) {
				t.Errorf("%s: Decode(Encode) = %#v, want %#v", name, back, want)
			}
			if got := cachevalue.Decompress(t, codec.Compressor, wire); !bytes.Equal(got, uncompressed) {
				t.Errorf("%s: Django's stream inflates to %q, we serialize %q", name, got, uncompressed)
			}
		}
	}
	t.Logf("cache_value vectors by serializer/compressor: %v", seen)
	if len(seen) == 0 {
		t.Fatal("no cache_value vectors")
	}
}
