package cachevalue_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// TestAllowGlobal: the codec hands its AllowGlobal to the pickle decoder,
// so a cache that others can write is read under an allowlist.
func TestAllowGlobal(t *testing.T) {
	thing := []byte("\x80\x04\x8c\x0cmyapp.models\x8c\x05Thing\x93)\x81.")
	other := []byte("\x80\x04\x8c\x0bother.stuff\x8c\x05Thing\x93)\x81.")
	c := cachevalue.Codec{AllowGlobal: func(module, _ string) bool { return strings.HasPrefix(module, "myapp.") }}
	if _, err := c.Decode(thing); err != nil {
		t.Errorf("allowed global: %v", err)
	}
	if _, err := c.Decode(other); !errors.Is(err, serializer.ErrForbiddenGlobal) {
		t.Errorf("other global: %v, want ErrForbiddenGlobal", err)
	}
	if _, err := (cachevalue.Codec{}).Decode(other); err != nil {
		t.Errorf("default policy: %v", err)
	}
}
