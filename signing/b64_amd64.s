//go:build amd64 && !purego

#include "textflag.h"

// func b64DecodeSSSE3(dst []byte, src string) (n int, ok bool)
//
// Decodes len(src)/16 chunks of 16 base64 characters (either alphabet) to
// 12 bytes each, storing 16 bytes per chunk (len(dst) must be at least
// 12*chunks+4). It stops at the first chunk holding a byte that is not a
// data character and reports ok false; n is the bytes decoded before it.
//
// Each byte is classified by its nibbles (after Muła and Lemire's vector
// base64): b64LutHi[high nibble] & b64LutLo[low nibble] is zero only for
// a data character. Its value is the byte plus b64DeltaHi[high nibble],
// corrected for '-', '/' and '_', which share a high nibble with
// characters of another offset. PMADDUBSW and PMADDWL then gather four
// 6-bit values into 24 bits, and PSHUFB puts the bytes in order.
TEXT ·b64DecodeSSSE3(SB), NOSPLIT, $0-49
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $4, CX
	XORQ DX, DX
	MOVOU b64Nibble<>(SB), X8
	MOVOU b64LutLo<>(SB), X9
	MOVOU b64LutHi<>(SB), X10
	MOVOU b64DeltaHi<>(SB), X11
	MOVOU b64Madd1<>(SB), X12
	MOVOU b64Madd2<>(SB), X13
	MOVOU b64Order<>(SB), X14
	TESTQ CX, CX
	JZ ok

loop:
	MOVOU (SI), X0
	MOVO X0, X1
	PSRLL $4, X1
	PAND X8, X1 // high nibbles
	MOVO X0, X2
	PAND X8, X2 // low nibbles

	MOVO X10, X3
	PSHUFB X1, X3
	MOVO X9, X4
	PSHUFB X2, X4
	PAND X4, X3
	PXOR X4, X4
	PCMPEQB X4, X3
	PMOVMSKB X3, AX
	CMPL AX, $0xffff
	JNE bad

	MOVO X11, X3
	PSHUFB X1, X3 // offset by high nibble
	MOVOU b64Minus<>(SB), X4
	PCMPEQB X0, X4
	MOVOU b64MinusFix<>(SB), X5
	PAND X5, X4
	PADDB X4, X3
	MOVOU b64Slash<>(SB), X4
	PCMPEQB X0, X4
	MOVOU b64SlashFix<>(SB), X5
	PAND X5, X4
	PADDB X4, X3
	MOVOU b64Under<>(SB), X4
	PCMPEQB X0, X4
	MOVOU b64UnderFix<>(SB), X5
	PAND X5, X4
	PADDB X4, X3
	PADDB X3, X0 // 6-bit values

	PMADDUBSW X12, X0 // pairs: 12 bits
	PMADDWL X13, X0   // quads: 24 bits
	PSHUFB X14, X0    // 12 bytes, big-endian per group
	MOVOU X0, (DI)

	ADDQ $16, SI
	ADDQ $12, DI
	ADDQ $12, DX
	DECQ CX
	JNZ loop

ok:
	MOVQ DX, n+40(FP)
	MOVB $1, ok+48(FP)
	RET

bad:
	MOVQ DX, n+40(FP)
	MOVB $0, ok+48(FP)
	RET

DATA b64Nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64Nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL b64Nibble<>(SB), RODATA|NOPTR, $16

// Classes of the low nibble: 0, 1-9, then A to F one bit each.
DATA b64LutLo<>+0(SB)/8, $0x0202020202020201
DATA b64LutLo<>+8(SB)/8, $0x8040201008040202
GLOBL b64LutLo<>(SB), RODATA|NOPTR, $16

// The low-nibble classes that are not data characters under each high
// nibble: 2 allows B D F (+ - /), 3 allows 0-9, 4 and 6 allow 1-F, 5
// allows 0-A and F (P-Z and _), 7 allows 0-A (p-z).
DATA b64LutHi<>+0(SB)/8, $0xf8017801fc57ffff
DATA b64LutHi<>+8(SB)/8, $0xffffffffffffffff
GLOBL b64LutHi<>(SB), RODATA|NOPTR, $16

// Value minus byte under each high nibble: + is 62, 0 is 52, A is 0, a is 26.
DATA b64DeltaHi<>+0(SB)/8, $0xb9b9bfbf04130000
DATA b64DeltaHi<>+8(SB)/8, $0x0000000000000000
GLOBL b64DeltaHi<>(SB), RODATA|NOPTR, $16

// '-' is 62 (2 less than +'s offset gives), '/' 63 (3 less), '_' 63 (33
// more than P-Z's).
DATA b64Minus<>+0(SB)/8, $0x2d2d2d2d2d2d2d2d
DATA b64Minus<>+8(SB)/8, $0x2d2d2d2d2d2d2d2d
GLOBL b64Minus<>(SB), RODATA|NOPTR, $16
DATA b64MinusFix<>+0(SB)/8, $0xfefefefefefefefe
DATA b64MinusFix<>+8(SB)/8, $0xfefefefefefefefe
GLOBL b64MinusFix<>(SB), RODATA|NOPTR, $16
DATA b64Slash<>+0(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA b64Slash<>+8(SB)/8, $0x2f2f2f2f2f2f2f2f
GLOBL b64Slash<>(SB), RODATA|NOPTR, $16
DATA b64SlashFix<>+0(SB)/8, $0xfdfdfdfdfdfdfdfd
DATA b64SlashFix<>+8(SB)/8, $0xfdfdfdfdfdfdfdfd
GLOBL b64SlashFix<>(SB), RODATA|NOPTR, $16
DATA b64Under<>+0(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64Under<>+8(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL b64Under<>(SB), RODATA|NOPTR, $16
DATA b64UnderFix<>+0(SB)/8, $0x2121212121212121
DATA b64UnderFix<>+8(SB)/8, $0x2121212121212121
GLOBL b64UnderFix<>(SB), RODATA|NOPTR, $16

// PMADDUBSW weights (first character of a pair times 64), PMADDWL weights
// (first pair times 4096), and the output order: bytes 2 1 0 of each group.
DATA b64Madd1<>+0(SB)/8, $0x0140014001400140
DATA b64Madd1<>+8(SB)/8, $0x0140014001400140
GLOBL b64Madd1<>(SB), RODATA|NOPTR, $16
DATA b64Madd2<>+0(SB)/8, $0x0001100000011000
DATA b64Madd2<>+8(SB)/8, $0x0001100000011000
GLOBL b64Madd2<>(SB), RODATA|NOPTR, $16
DATA b64Order<>+0(SB)/8, $0x090a040506000102
DATA b64Order<>+8(SB)/8, $0x808080800c0d0e08
GLOBL b64Order<>(SB), RODATA|NOPTR, $16
