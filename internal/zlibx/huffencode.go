package zlibx

import (
	"math"
	"math/bits"
	"slices"
)

// huffScratch is the working memory of huffLengths, kept with the
// encoder so that building a code neither allocates nor clears memory.
type huffScratch struct {
	syms  [512]uint16            // the symbols with a code (512: masked indexes)
	keys  [288]uint64            // leaves: weight<<16 | symbol, sorted
	start [512]uint16            // counting sort: where each weight goes
	leafW [512]uint64            // depths' working array (512: masked indexes)
	count [maxCodeLen + 1]uint16 // symbols of each code length, set by depths
}

// huffLengths sets lens[s] to the length of an optimal prefix code for
// the frequencies freq[s] (0: the symbol is unused and gets length 0),
// with no code longer than maxBits, and returns the symbols that have a
// code, in increasing order (in h). Codes are complete, as zlib requires
// of what it reads: with fewer than two used symbols the lowest unused
// ones are given a weight of one to make two. A code that would be too
// long is rebuilt from frequencies halved (rounded up to one) until it
// fits: with all weights one the tree is balanced, and 286 symbols fit in
// 9 bits.
func huffLengths(freq []uint32, maxBits int, lens []uint8, h *huffScratch) []uint16 {
	clear(lens)
	n := 0
	top := uint32(0)
	s := 0
	// Most symbols are unused: skip them eight at a time.
	for ; s+8 <= len(freq); s += 8 {
		f := freq[s : s+8 : s+8]
		if f[0]|f[1]|f[2]|f[3]|f[4]|f[5]|f[6]|f[7] == 0 {
			continue
		}
		for i, x := range f {
			h.syms[n&511] = uint16(s + i)
			n += int(min(x, 1))
			top = max(top, x)
		}
	}
	for ; s < len(freq); s++ {
		h.syms[n&511] = uint16(s)
		n += int(min(freq[s], 1))
		top = max(top, freq[s])
	}
	if n < 2 {
		for s := 0; n < 2; s++ {
			if freq[s] == 0 {
				copy(h.syms[1:], h.syms[:n])
				h.syms[0] = uint16(s)
				n++
				slices.Sort(h.syms[:n])
			}
		}
		top = max(top, 1)
	}
	syms := h.syms[:n]
	for shift := uint(0); ; shift++ {
		h.sortLeaves(freq, syms, shift, max(top>>shift, 1))
		if h.depths(h.keys[:n], lens, maxBits) {
			return syms
		}
	}
}

// sortLeaves fills h.keys with weight<<16 | symbol for syms (in
// increasing order), the weight being the frequency shifted right (at
// least one, at most top), sorted by weight then symbol: by counting
// when the weights are small, as they are for small inputs.
func (h *huffScratch) sortLeaves(freq []uint32, syms []uint16, shift uint, top uint32) {
	if top >= uint32(len(h.start)) {
		for i, s := range syms {
			h.keys[i] = max(uint64(freq[s])>>shift, 1)<<16 | uint64(s)
		}
		slices.Sort(h.keys[:len(syms)])
		return
	}
	start := h.start[:top+1]
	clear(start)
	for _, s := range syms {
		start[max(freq[s]>>shift, 1)]++
	}
	at := uint16(0)
	for w, c := range start {
		start[w] = at
		at += c
	}
	for _, s := range syms {
		w := max(freq[s]>>shift, 1)
		h.keys[start[w]] = uint64(w)<<16 | uint64(s)
		start[w]++
	}
}

// depths computes the code lengths of an optimal prefix code for the
// sorted leaves (at least two) and stores each leaf's length in lens. It
// reports false, leaving lens alone, if a length passes maxBits.
//
// It works in place on the weights, after Moffat and Katajainen's
// "In-place calculation of minimum-redundancy codes" (1995): the tree is
// built with internal nodes made in order of weight (a leaf is taken on
// ties), each internal node's slot then holding its parent; the depths of
// the internal nodes are computed from the root down; and the leaves are
// given the depths the internal nodes leave free, the lightest the
// deepest.
func (h *huffScratch) depths(leaves []uint64, lens []uint8, maxBits int) bool {
	n := len(leaves)
	// a[n] is a sentinel: an exhausted leaf queue weighs the most.
	a := h.leafW[: n+1 : n+1]
	for i, k := range leaves {
		a[i] = k >> 16
	}
	a[n] = math.MaxUint64
	// Phase 1: a[0..next) become internal nodes; root is the lightest
	// node not yet given a parent, leaf the lightest unused leaf.
	a[0] += a[1]
	root, leaf := 0, 2
	for next := 1; next < n-1; next++ {
		if a[root] < a[leaf] {
			a[next] = a[root]
			a[root] = uint64(next)
			root++
		} else {
			a[next] = a[leaf]
			leaf++
		}
		if root < next && a[root] < a[leaf] {
			a[next] += a[root]
			a[root] = uint64(next)
			root++
		} else {
			a[next] += a[leaf]
			leaf++
		}
	}
	// Phase 2: depths of the internal nodes, the root (n-2) at 0.
	a[n-2] = 0
	for i := n - 3; i >= 0; i-- {
		a[i] = h.leafW[a[i]&(uint64(len(h.leafW))-1)] + 1 // a is h.leafW
	}
	// Phase 3: at each depth, the slots not taken by internal nodes are
	// leaves. The deepest leaves (the lightest) are one below the deepest
	// internal node, a[0]: check the limit before writing anything.
	if int(a[0])+1 > maxBits {
		return false
	}
	clear(h.count[:])
	avail, depth := 1, uint64(0)
	r, next := n-2, n-1
	for avail > 0 {
		used := 0
		for r >= 0 && a[r] == depth {
			used++
			r--
		}
		h.count[depth&maxCodeLen] = uint16(avail - used)
		for ; avail > used; avail-- {
			a[next] = depth
			next--
		}
		avail = 2 * used
		depth++
	}
	for i, k := range leaves {
		lens[k&0xffff] = uint8(a[i])
	}
	return true
}

// huffCodes sets codes[s] to the canonical code of each symbol in syms
// (all the symbols with a non-zero length, in increasing order),
// bit-reversed for writing least significant bit first.
func huffCodes(lens []uint8, syms []uint16, codes []uint16) {
	var count [maxCodeLen + 1]uint16
	for _, s := range syms {
		count[lens[s]&maxCodeLen]++
	}
	huffCodesCounted(lens, syms, &count, codes)
}

// huffCodesCounted is huffCodes given the number of symbols of each
// length (count[0] is ignored), as huffLengths leaves them in its scratch.
func huffCodesCounted(lens []uint8, syms []uint16, count *[maxCodeLen + 1]uint16, codes []uint16) {
	var next [maxCodeLen + 1]uint16
	count[0] = 0
	code := uint16(0)
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for _, s := range syms {
		l := lens[s] & maxCodeLen
		codes[s] = bits.Reverse16(next[l]) >> (16 - l)
		next[l]++
	}
}
