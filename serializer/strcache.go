package serializer

import (
	"math/bits"
	"strings"
)

// strCache keeps the boxes of recent strs for a decoder, so that a str
// met again is not boxed again: objects in arrays repeat their keys, and
// sessions of one site repeat their keys (and many short values) from
// input to input. A str met again in a later input gets a box of its own
// copy, kept across inputs; other boxes point into the current input and
// are dropped with it (drop). The cache has strCacheSets sets of two
// slots, chosen by a hash of the str.
//
// Sharing boxes is safe because a Str is immutable: results that hold the
// same box cannot tell.
type strCache struct {
	slots    [2 * strCacheSets]strSlot
	borrowed uint64 // the slots whose box points into the input
	// clone is set for a JSONDecoder, whose input is not kept after the
	// call: every box is of a copy, and only strs of up to strOwnedMax
	// bytes are cached.
	clone bool
}

type strSlot struct {
	v    Value  // Str, or nil
	hash uint32 // of the str last put here, kept when v is dropped
}

const (
	strCacheSets = 32
	// strOwnedMax is the longest str given a box of its own copy.
	strOwnedMax = 32
)

// box returns Str(s) as a Value, from the cache when an equal str is
// there, else boxed by b and cached.
func (c *strCache) box(s string, b *boxes) Value {
	if s == "" {
		return Str("") // boxing the zero value allocates nothing
	}
	h := strHash(s)
	i := int(h%strCacheSets) * 2
	pair := (*[2]strSlot)(c.slots[i : i+2])
	for w := range pair {
		if v, ok := pair[w].v.(Str); ok && string(v) == s {
			return pair[w].v
		}
	}
	for w := range pair {
		if pair[w].v == nil && pair[w].hash == h && len(s) <= strOwnedMax {
			// Seen in an earlier input: keep a copy from now on.
			pair[w] = strSlot{v: Str(strings.Clone(s)), hash: h}
			return pair[w].v
		}
	}
	if c.clone && len(s) > strOwnedMax {
		return b.str(strings.Clone(s))
	}
	// Replace an empty slot, else one borrowed from this input, else the
	// second: a str seen in every input stays in the first.
	w := 1
	switch {
	case pair[0].v == nil:
		w = 0
	case pair[1].v == nil:
	case c.borrowed>>i&1 != 0:
		w = 0
	}
	if c.clone {
		pair[w] = strSlot{v: Str(strings.Clone(s)), hash: h}
		c.borrowed &^= 1 << (i + w)
		return pair[w].v
	}
	pair[w] = strSlot{v: b.str(s), hash: h}
	c.borrowed |= 1 << (i + w)
	return pair[w].v
}

// drop forgets the boxes that point into the input, keeping their hashes.
func (c *strCache) drop() {
	for m := c.borrowed; m != 0; m &= m - 1 {
		c.slots[bits.TrailingZeros64(m)].v = nil
	}
	c.borrowed = 0
}

// strHash hashes a non-empty str for the cache from its length and a few
// of its bytes.
func strHash(s string) uint32 {
	n := len(s)
	h := uint32(n) ^ uint32(s[0])<<8 ^ uint32(s[n-1])<<16 ^ uint32(s[n/2])<<24 ^ uint32(s[n/4])<<4
	h *= 0x9E3779B1
	return h ^ h>>15
}
