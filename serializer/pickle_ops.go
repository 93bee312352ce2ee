package serializer

// The pickle opcodes, as Python's pickle module names them (pk + CamelCase).
const (
	pkMark           = '('
	pkStop           = '.'
	pkPop            = '0'
	pkPopMark        = '1'
	pkDup            = '2'
	pkFloat          = 'F'
	pkInt            = 'I'
	pkBinInt         = 'J'
	pkBinInt1        = 'K'
	pkLong           = 'L'
	pkBinInt2        = 'M'
	pkNone           = 'N'
	pkPersID         = 'P'
	pkBinPersID      = 'Q'
	pkReduce         = 'R'
	pkString         = 'S'
	pkBinString      = 'T'
	pkShortBinString = 'U'
	pkUnicode        = 'V'
	pkBinUnicode     = 'X'
	pkAppend         = 'a'
	pkBuild          = 'b'
	pkGlobal         = 'c'
	pkDict           = 'd'
	pkEmptyDict      = '}'
	pkAppends        = 'e'
	pkGet            = 'g'
	pkBinGet         = 'h'
	pkInst           = 'i'
	pkLongBinGet     = 'j'
	pkList           = 'l'
	pkEmptyList      = ']'
	pkObj            = 'o'
	pkPut            = 'p'
	pkBinPut         = 'q'
	pkLongBinPut     = 'r'
	pkSetItem        = 's'
	pkTuple          = 't'
	pkEmptyTuple     = ')'
	pkSetItems       = 'u'
	pkBinFloat       = 'G'

	// Protocol 2.
	pkProto    = 0x80
	pkNewObj   = 0x81
	pkExt1     = 0x82
	pkExt2     = 0x83
	pkExt4     = 0x84
	pkTuple1   = 0x85
	pkTuple2   = 0x86
	pkTuple3   = 0x87
	pkNewTrue  = 0x88
	pkNewFalse = 0x89
	pkLong1    = 0x8a
	pkLong4    = 0x8b

	// Protocol 3.
	pkBinBytes      = 'B'
	pkShortBinBytes = 'C'

	// Protocol 4.
	pkShortBinUnicode = 0x8c
	pkBinUnicode8     = 0x8d
	pkBinBytes8       = 0x8e
	pkEmptySet        = 0x8f
	pkAddItems        = 0x90
	pkFrozenSet       = 0x91
	pkNewObjEx        = 0x92
	pkStackGlobal     = 0x93
	pkMemoize         = 0x94
	pkFrame           = 0x95

	// Protocol 5.
	pkByteArray8     = 0x96
	pkNextBuffer     = 0x97
	pkReadonlyBuffer = 0x98
)

// pkBatchSize is how many items CPython puts in one APPENDS, SETITEMS or
// ADDITEMS.
const pkBatchSize = 1000

// Framing (protocol 4+): CPython closes a frame at the first opcode boundary
// where it holds at least pkFrameTarget bytes, writes frames shorter than
// pkFrameMin without a FRAME header, and writes str, bytes and bytearray
// payloads of pkFrameTarget bytes or more outside any frame.
const (
	pkFrameTarget = 64 * 1024
	pkFrameMin    = 4
	pkFrameHeader = 9
)
