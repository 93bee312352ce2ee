package zlibx

import (
	"math"
	"math/bits"
	"slices"
)

// huffScratch is the working memory of huffLengths, kept with the
// encoder so that building a code neither allocates nor clears memory.
type huffScratch struct {
	syms   [288]uint16 // the symbols with a code
	keys   [288]uint64 // leaves: weight<<16 | symbol, sorted
	start  [512]uint16 // counting sort: where each weight goes
	leafW  [289]uint64 // leaf weights, then a sentinel
	nodeW  [288]uint64 // internal node weights
	parent [2 * 288]uint16
	depth  [2 * 288]uint8
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
	for s, f := range freq {
		h.syms[n] = uint16(s)
		n += int(min(f, 1))
	}
	for s := 0; n < 2; s++ {
		if freq[s] == 0 {
			copy(h.syms[1:], h.syms[:n])
			h.syms[0] = uint16(s)
			n++
			slices.Sort(h.syms[:n])
		}
	}
	syms := h.syms[:n]
	for shift := uint(0); ; shift++ {
		h.sortLeaves(freq, syms, shift)
		if h.depths(h.keys[:n], lens, maxBits) {
			return syms
		}
	}
}

// sortLeaves fills h.keys with weight<<16 | symbol for syms (in
// increasing order), the weight being the frequency shifted right (at
// least one), sorted by weight then symbol: by counting when the weights
// are small, as they are for small inputs.
func (h *huffScratch) sortLeaves(freq []uint32, syms []uint16, shift uint) {
	top := uint32(1) // weights are at least one
	for _, s := range syms {
		top = max(top, freq[s]>>shift)
	}
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

// depths builds a Huffman tree over the sorted leaves with the two-queue
// method (internal nodes are made in order of weight, so the two
// lightest nodes are always at the heads of the leaf queue and the node
// queue) and stores each leaf's depth in lens. It reports false if a
// depth passes maxBits.
func (h *huffScratch) depths(leaves []uint64, lens []uint8, maxBits int) bool {
	n := len(leaves)
	leafW, nodeW := &h.leafW, &h.nodeW
	for i, k := range leaves {
		leafW[i] = k >> 16
	}
	leafW[n] = math.MaxUint64 // the leaf queue is empty
	// Nodes are numbered leaves first (0..n-1), then internal nodes by
	// creation (n+0, n+1, ...); parent holds each node's parent.
	li, ni := 0, 0 // heads of the queues
	for next := 0; next < n-1; next++ {
		nodeW[next] = math.MaxUint64 // the node queue ends here
		var sum uint64
		for range 2 {
			// Take the lighter head (a leaf on ties).
			if wl, wn := leafW[li], nodeW[ni]; wl <= wn {
				sum += wl
				h.parent[li] = uint16(n + next)
				li++
			} else {
				sum += wn
				h.parent[n+ni] = uint16(n + next)
				ni++
			}
		}
		nodeW[next] = sum
	}
	root := 2*n - 2
	h.depth[root] = 0
	for i := root - 1; i >= 0; i-- {
		d := h.depth[h.parent[i]] + 1
		if int(d) > maxBits {
			return false
		}
		h.depth[i] = d
	}
	for i, k := range leaves {
		lens[k&0xffff] = h.depth[i]
	}
	return true
}

// huffCodes sets codes[s] to the canonical code of each symbol in syms
// (all the symbols with a non-zero length, in increasing order),
// bit-reversed for writing least significant bit first.
func huffCodes(lens []uint8, syms []uint16, codes []uint16) {
	var count, next [maxCodeLen + 1]uint16
	for _, s := range syms {
		count[lens[s]&maxCodeLen]++
	}
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
