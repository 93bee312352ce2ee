//go:build amd64 && !purego

#include "textflag.h"

// func adlerSums(p []byte) (sum1, ps, w uint64)
//
// For the k = len(p)/16 chunks of 16 bytes b[c][0..15] of p: sum1 is the
// sum of every byte, ps the sum over chunks c of the bytes of the chunks
// before c, and w the sum of (16-i)·b[c][i]. Two lanes of PSADBW sums
// (X1), their running total (X2) and four lanes of PMADDUBSW/PMADDWL
// weighted sums (X3) are added up at the end. The caller keeps len(p)
// within adlerNMax, so no lane overflows.
TEXT ·adlerSums(SB), NOSPLIT, $0-48
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	SHRQ $4, CX
	PXOR X0, X0
	PXOR X1, X1
	PXOR X2, X2
	PXOR X3, X3
	MOVOU adlerWeights<>(SB), X4
	MOVOU adlerOnes<>(SB), X5
	TESTQ CX, CX
	JZ sum

loop:
	MOVOU (SI), X6
	PADDQ X1, X2
	MOVO X6, X7
	PSADBW X0, X7
	PADDQ X7, X1
	PMADDUBSW X4, X6
	PMADDWL X5, X6
	PADDL X6, X3
	ADDQ $16, SI
	DECQ CX
	JNZ loop

sum:
	PSHUFD $0xee, X1, X7
	PADDQ X7, X1
	MOVQ X1, AX
	MOVQ AX, sum1+24(FP)
	PSHUFD $0xee, X2, X7
	PADDQ X7, X2
	MOVQ X2, AX
	MOVQ AX, ps+32(FP)
	PSHUFD $0xee, X3, X7
	PADDL X7, X3
	PSHUFD $0x55, X3, X7
	PADDL X7, X3
	MOVQ X3, AX
	MOVL AX, AX
	MOVQ AX, w+40(FP)
	RET

// The weights 16, 15, ..., 1 of a chunk's bytes, and sixteen-bit ones.
DATA adlerWeights<>+0(SB)/8, $0x090a0b0c0d0e0f10
DATA adlerWeights<>+8(SB)/8, $0x0102030405060708
GLOBL adlerWeights<>(SB), RODATA|NOPTR, $16
DATA adlerOnes<>+0(SB)/8, $0x0001000100010001
DATA adlerOnes<>+8(SB)/8, $0x0001000100010001
GLOBL adlerOnes<>(SB), RODATA|NOPTR, $16
