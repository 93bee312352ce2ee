package zlibx

import "math/bits"

// A table entry describes the code found under a bit pattern:
//
//	bits 0-7    code length, the bits to consume
//	bits 8-11   extra bits that follow the code (lengths and distances),
//	            or the index bits of a subtable
//	bits 12-15  kind
//	bits 16-31  value: the literal byte, the base length or distance, or
//	            the subtable's offset
//
// The kind of a literal (or of any distance) is zero, so the hot path
// tests one mask.
const (
	kindLiteral = 0 << 12 // also: a distance
	kindLength  = 1 << 12
	kindEOB     = 2 << 12
	kindSub     = 3 << 12 // longer than the root bits: look in a subtable
	kindInvalid = 4 << 12
	kindMask    = 0xF << 12
)

// Root bits of each table, and the sizes of the entry arrays: the root
// table plus subtables for the longer codes. A subtable indexed by k bits
// holds a complete code of k+1 or more symbols, so subtables take at most
// 32/6 entries per symbol (k = 5, for a 10-bit root and 15-bit codes) and
// 128/8 for distances (k = 7): 1024 + 286*32/6 < 4096 and
// 256 + 30*16 < 1024.
const (
	litRootMax  = 10
	distRootMax = 8
	codeRootMax = 7
	litEntries  = 4096
	distEntries = 1024
	codeEntries = 1 << codeRootMax
)

// Entry templates per symbol, without the code length.
var (
	litTemplate  = makeLitTemplate()
	distTemplate = makeDistTemplate()
	codeTemplate = makeCodeTemplate()
)

func makeLitTemplate() (t [288]uint32) {
	for s := range 256 {
		t[s] = uint32(s) << 16
	}
	t[endOfBlock] = kindEOB
	for i := range lengthBase {
		t[257+i] = kindLength | uint32(lengthExtra[i])<<8 | uint32(lengthBase[i])<<16
	}
	t[286], t[287] = kindInvalid, kindInvalid
	return t
}

func makeDistTemplate() (t [32]uint32) {
	for i := range distBase {
		t[i] = uint32(distExtra[i])<<8 | uint32(distBase[i])<<16
	}
	t[30], t[31] = kindInvalid, kindInvalid
	return t
}

func makeCodeTemplate() (t [numCodeLen]uint32) {
	for s := range t {
		t[s] = uint32(s) << 16
	}
	return t
}

// huffTable decodes one canonical Huffman code (RFC 1951 section 3.2.2):
// the low root bits of the input index entries; codes longer than that
// continue in a subtable.
type huffTable struct {
	root    uint        // bits indexing the root table
	entries []uint32    // litEntries, distEntries or codeEntries long
	sorted  [288]uint16 // scratch for build: the symbols grouped by length
	longs   [288]uint32 // scratch for build: codes longer than root
}

// build makes t decode the code with the given code lengths (0: symbol
// unused), with a root table of at most rootMax bits. It fails, like zlib's
// inflate_table, for an over-subscribed code, and for an incomplete one
// unless it is a single code of one bit (allowed for literal/length and
// distance codes, not for the code length code). A code with no symbols
// at all is accepted, except as the code length code, and decodes nothing.
func (t *huffTable) build(lens []uint8, tmpl []uint32, rootMax uint, isCodeLen bool) bool {
	// Sort the symbols by length (counting), keeping symbol order within
	// a length.
	var count, first, next [maxCodeLen + 1]uint32
	for _, l := range lens {
		count[l&maxCodeLen]++
	}
	idx := uint32(0)
	for l := 1; l <= maxCodeLen; l++ {
		first[l], next[l] = idx, idx
		idx += count[l]
	}
	for s, l := range lens {
		if l != 0 {
			t.sorted[next[l&maxCodeLen]] = uint16(s)
			next[l&maxCodeLen]++
		}
	}
	return t.buildSorted(t.sorted[:], &first, 0, &count, tmpl, rootMax, isCodeLen)
}

// buildSorted is build given the symbols grouped by code length:
// sorted[first[l]:first[l]+count[l]] are the symbols of length l, in
// increasing order, each off more than its index in tmpl (count[0] is
// ignored).
func (t *huffTable) buildSorted(sorted []uint16, first *[maxCodeLen + 1]uint32, off uint16, count *[maxCodeLen + 1]uint32, tmpl []uint32, rootMax uint, isCodeLen bool) bool {
	count[0] = 0
	maxLen := uint(maxCodeLen)
	for maxLen > 0 && count[maxLen] == 0 {
		maxLen--
	}
	entries := t.entries
	if maxLen == 0 {
		if isCodeLen {
			return false
		}
		t.root = 1
		entries[0], entries[1] = kindInvalid, kindInvalid
		return true
	}
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - int(count[l])
		if left < 0 {
			return false // over-subscribed
		}
	}
	if left > 0 && (isCodeLen || maxLen != 1) {
		return false // incomplete
	}
	// The root table is no larger than the longest code needs: small
	// inputs have short codes, and filling the table is much of the cost
	// of a dynamic block.
	root := min(maxLen, rootMax)
	t.root = root

	// Canonical codes (RFC 1951 section 3.2.2): each length's codes are
	// consecutive, taken in symbol order.
	var firstCode [maxCodeLen + 1]uint32
	code := uint32(0)
	for l := uint(1); l <= maxLen; l++ {
		code = (code + count[l-1]) << 1
		firstCode[l] = code
	}

	// Codes of length l fill the first 2^l entries (the bits past l do
	// not matter to them); doubling the table then makes room for the
	// codes one bit longer. Going by length keeps the loops predictable.
	// A complete code covers every entry in the end (with its codes or
	// subtables), so the doubling starts at its shortest code: below
	// that it would copy only entries still to be written. An incomplete
	// code (a single 1-bit code) leaves the other entry invalid.
	minLen := uint(1)
	for count[minLen] == 0 {
		minLen++ // stops by maxLen
	}
	entries[0], entries[1] = kindInvalid, kindInvalid
	for l := minLen; l <= root; l++ {
		if l > minLen {
			copy(entries[1<<(l-1):1<<l], entries[:1<<(l-1)])
		}
		c, byCode := firstCode[l], sorted[first[l]:first[l]+count[l]]
		for k, s := range byCode {
			entries[reverse(c+uint32(k), l)] = tmpl[s-off] | uint32(l)
		}
	}
	if maxLen <= root {
		return true
	}

	// Longer codes, in code order, come in runs that share their first
	// root bits (their prefix); each run fills a subtable indexed by the
	// bits after the prefix, as many as the run's last (longest) code
	// needs.
	longs := &t.longs
	nl := 0
	for l := root + 1; l <= maxLen; l++ {
		for k := range count[l] {
			longs[nl] = packLong(firstCode[l]+k, l, sorted[first[l]+k]-off)
			nl++
		}
	}
	sub := uint32(1) << root // next free entry
	for i := 0; i < nl; {
		prefix := alignedCode(longs[i]) >> (maxCodeLen - root)
		j := i + 1
		for j < nl && alignedCode(longs[j])>>(maxCodeLen-root) == prefix {
			j++
		}
		_, lastLen, _ := unpackLong(longs[j-1])
		k := lastLen - root
		if sub+1<<k > uint32(len(entries)) {
			return false // cannot happen for a complete code
		}
		entries[reverse(prefix, root)] = kindSub | uint32(k)<<8 | sub<<16 | uint32(root)
		for _, p := range longs[i:j] {
			c, l, sym := unpackLong(p)
			e := tmpl[sym] | uint32(l)
			step := uint32(1) << (l - root)
			for x := reverse(c, l-root); x < 1<<k; x += step {
				entries[sub+x] = e
			}
		}
		sub += 1 << k
		i = j
	}
	return true
}

// packLong packs a code longer than the root bits, its length and its
// symbol for sorting.
func packLong(code uint32, l uint, sym uint16) uint32 {
	return code | uint32(l)<<15 | uint32(sym)<<19
}

func unpackLong(p uint32) (code uint32, l uint, sym uint16) {
	return p & 0x7fff, uint(p>>15) & 0xf, uint16(p >> 19)
}

// alignedCode returns the code of a packed long code shifted to 15 bits:
// canonical codes in code order have increasing aligned values.
func alignedCode(p uint32) uint32 {
	code, l, _ := unpackLong(p)
	return code << (maxCodeLen - l)
}

// reverse returns the low n bits of c in reverse order (Huffman codes are
// packed starting with their most significant bit).
func reverse(c uint32, n uint) uint32 {
	return uint32(bits.Reverse16(uint16(c))) >> (16 - n)
}

// The fixed codes of RFC 1951 section 3.2.6.
var fixedLit, fixedDist = makeFixed()

func makeFixed() (*huffTable, *huffTable) {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	lit := &huffTable{entries: make([]uint32, litEntries)}
	lit.build(lens[:], litTemplate[:], litRootMax, false)
	var dlens [32]uint8
	for i := range dlens {
		dlens[i] = 5
	}
	dist := &huffTable{entries: make([]uint32, distEntries)}
	dist.build(dlens[:], distTemplate[:], distRootMax, false)
	return lit, dist
}
