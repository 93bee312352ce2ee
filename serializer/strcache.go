package serializer

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unsafe"
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
	s    string // v's str, while v is set
	w    uint64 // strWord of the str last put here
	hash uint32 // of the str last put here, kept when v is dropped
}

const (
	strCacheSetBits = 5
	strCacheSets    = 1 << strCacheSetBits
	// strOwnedMax is the longest str given a box of its own copy.
	strOwnedMax = 32
)

// box returns Str(s) as a Value, from the cache when an equal str is
// there, else boxed by b and cached.
func (c *strCache) box(s string, b *boxes) Value {
	if s == "" {
		return Str("") // boxing the zero value allocates nothing
	}
	w := strWord(s)
	h := strHashWord(w, len(s))
	i := strSet(h) * 2
	pair := (*[2]strSlot)(c.slots[i : i+2])
	// A str of up to 8 bytes is its length and word; a longer one is
	// compared whole once its length and first 8 bytes match.
	for k := range pair {
		if p := &pair[k]; p.w == w && len(p.s) == len(s) && p.v != nil && (len(s) <= 8 || p.s == s) {
			return p.v
		}
	}
	for k := range pair {
		if pair[k].v == nil && pair[k].hash == h && len(s) <= strOwnedMax {
			// Seen in an earlier input: keep a copy from now on.
			cp := strings.Clone(s)
			pair[k] = strSlot{v: Str(cp), s: cp, w: w, hash: h}
			return pair[k].v
		}
	}
	if c.clone && len(s) > strOwnedMax {
		return b.str(strings.Clone(s))
	}
	// Replace an empty slot, else one borrowed from this input, else the
	// second: a str seen in every input stays in the first.
	k := 1
	switch {
	case pair[0].v == nil:
		k = 0
	case pair[1].v == nil:
	case c.borrowed>>i&1 != 0:
		k = 0
	}
	if c.clone {
		cp := strings.Clone(s)
		pair[k] = strSlot{v: Str(cp), s: cp, w: w, hash: h}
		c.borrowed &^= 1 << (i + k)
		return pair[k].v
	}
	pair[k] = strSlot{v: b.str(s), s: s, w: w, hash: h}
	c.borrowed |= 1 << (i + k)
	return pair[k].v
}

// drop forgets the boxes that point into the input, keeping their hashes.
func (c *strCache) drop() {
	for m := c.borrowed; m != 0; m &= m - 1 {
		sl := &c.slots[bits.TrailingZeros64(m)]
		sl.v, sl.s = nil, ""
	}
	c.borrowed = 0
}

// strWord returns the bytes of a non-empty str s in one word: its first
// eight, or for a shorter str bytes read so that, with the length, the
// word tells the str apart from every other of that length (two
// overlapping 4-byte reads from 4 bytes on, bytes 0, n/2 and n-1 below).
func strWord(s string) uint64 {
	n := len(s)
	switch {
	case n >= 8:
		return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
	case n >= 4:
		lo := binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(s), 4))
		hi := binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(s[n-4:]), 4))
		return uint64(lo) | uint64(hi)<<32
	}
	return uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16
}

// strHash hashes a non-empty str for the cache from its length and
// strWord: strs longer than eight bytes that share their first eight
// share a hash.
func strHash(s string) uint32 { return strHashWord(strWord(s), len(s)) }

func strHashWord(w uint64, n int) uint32 {
	h := (w ^ uint64(n)<<56) * 0x9E3779B97F4A7C15
	return uint32(h >> 32)
}

// strSet returns the cache set of a str of hash h: its top bits, the
// best mixed of a multiplicative hash.
func strSet(h uint32) int { return int(h >> (32 - strCacheSetBits)) }
