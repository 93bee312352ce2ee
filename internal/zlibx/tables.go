package zlibx

// The length and distance alphabets of RFC 1951 section 3.2.5: the base
// value and number of extra bits of each symbol.
var (
	// lengthBase and lengthExtra are indexed by symbol-257 (symbols 257..285).
	lengthBase = [29]uint16{
		3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
	}
	lengthExtra = [29]uint8{
		0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
	}
	distBase = [30]uint16{
		1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
		8193, 12289, 16385, 24577,
	}
	distExtra = [30]uint8{
		0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
	}
	// codeOrder is the order in which the code length code lengths are
	// sent in a dynamic block header.
	codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

const (
	maxCodeLen   = 15  // longest Huffman code in deflate
	numLitLen    = 286 // usable literal/length symbols (286 and 287 are invalid)
	numDist      = 30  // usable distance symbols (30 and 31 are invalid)
	numCodeLen   = 19  // code length alphabet
	maxMatch     = 258
	minMatch     = 3
	windowSize   = 1 << 15
	endOfBlock   = 256
	adlerModulus = 65521
)
