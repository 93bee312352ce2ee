//go:build amd64 && !purego

#include "textflag.h"

// SHA-256 on the SHA extensions of x86 CPUs, written from Intel's
// description of the instructions (SHA256RNDS2, SHA256MSG1, SHA256MSG2).
// The state lives in two registers, ABEF and CDGH (X1, X2): each
// SHA256RNDS2 runs two rounds with the two message words plus round
// constants in the low half of X0, and the registers swap roles between
// the two halves of every group of four rounds. X3-X6 hold the last
// sixteen message words, four to a register, the next four being made
// from them in place.

// ROUNDS4 runs rounds k/4*4 to k/4*4+3 with the message words in msg; k
// is the byte offset of their constants in sha256K.
#define ROUNDS4(msg, k) \
	MOVOU k(AX), X0; \
	PADDL msg, X0; \
	SHA256RNDS2 X0, X1, X2; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// SCHEDULE makes the next four message words in m0, which holds the words
// sixteen before them; m1, m2 and m3 hold the twelve words after those.
#define SCHEDULE(m0, m1, m2, m3) \
	SHA256MSG1 m1, m0; \
	MOVO m3, X7; \
	PALIGNR $4, m2, X7; \
	PADDL X7, m0; \
	SHA256MSG2 m3, m0

// func sha256BlocksNI(state *[8]uint32, p []byte)
TEXT ·sha256BlocksNI(SB), NOSPLIT, $0-32
	MOVQ state+0(FP), DI
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), DX
	ANDQ $~63, DX
	JZ done
	ADDQ SI, DX // the end of the last whole block
	LEAQ sha256K<>(SB), AX
	MOVOU bswapMask<>(SB), X8

	// a..h to ABEF (X1) and CDGH (X2), highest word first.
	MOVOU (DI), X1
	MOVOU 16(DI), X2
	PSHUFD $0xb1, X1, X1 // b a d c
	PSHUFD $0x1b, X2, X2 // h g f e
	MOVO X1, X7
	PALIGNR $8, X2, X1   // f e b a
	PBLENDW $0xf0, X7, X2 // h g d c

block:
	MOVO X1, X9
	MOVO X2, X10
	MOVOU 0(SI), X3
	PSHUFB X8, X3
	ROUNDS4(X3, 0)
	MOVOU 16(SI), X4
	PSHUFB X8, X4
	ROUNDS4(X4, 16)
	MOVOU 32(SI), X5
	PSHUFB X8, X5
	ROUNDS4(X5, 32)
	MOVOU 48(SI), X6
	PSHUFB X8, X6
	ROUNDS4(X6, 48)

	SCHEDULE(X3, X4, X5, X6)
	ROUNDS4(X3, 64)
	SCHEDULE(X4, X5, X6, X3)
	ROUNDS4(X4, 80)
	SCHEDULE(X5, X6, X3, X4)
	ROUNDS4(X5, 96)
	SCHEDULE(X6, X3, X4, X5)
	ROUNDS4(X6, 112)

	SCHEDULE(X3, X4, X5, X6)
	ROUNDS4(X3, 128)
	SCHEDULE(X4, X5, X6, X3)
	ROUNDS4(X4, 144)
	SCHEDULE(X5, X6, X3, X4)
	ROUNDS4(X5, 160)
	SCHEDULE(X6, X3, X4, X5)
	ROUNDS4(X6, 176)

	SCHEDULE(X3, X4, X5, X6)
	ROUNDS4(X3, 192)
	SCHEDULE(X4, X5, X6, X3)
	ROUNDS4(X4, 208)
	SCHEDULE(X5, X6, X3, X4)
	ROUNDS4(X5, 224)
	SCHEDULE(X6, X3, X4, X5)
	ROUNDS4(X6, 240)

	PADDL X9, X1
	PADDL X10, X2
	ADDQ $64, SI
	CMPQ SI, DX
	JNE block

	// ABEF and CDGH back to a..h.
	PSHUFD $0x1b, X1, X1 // a b e f
	PSHUFD $0xb1, X2, X2 // g h c d
	MOVO X1, X7
	PBLENDW $0xf0, X2, X1 // a b c d
	PALIGNR $8, X7, X2    // e f g h
	MOVOU X1, (DI)
	MOVOU X2, 16(DI)

done:
	RET

// func cpuSHANI() bool: the CPU has SHA, SSSE3 (PSHUFB, PALIGNR) and
// SSE4.1 (PBLENDW).
TEXT ·cpuSHANI(SB), NOSPLIT, $0-1
	MOVB $0, ret+0(FP)
	XORL CX, CX
	MOVL $0, AX
	CPUID
	CMPL AX, $7
	JLT nosha
	MOVL $1, AX
	XORL CX, CX
	CPUID
	ANDL $(1<<9 | 1<<19), CX
	CMPL CX, $(1<<9 | 1<<19)
	JNE nosha
	MOVL $7, AX
	XORL CX, CX
	CPUID
	BTL $29, BX
	JCC nosha
	MOVB $1, ret+0(FP)

nosha:
	RET

// Byte order within each 32-bit word reversed: message words are
// big-endian.
DATA bswapMask<>+0(SB)/8, $0x0405060700010203
DATA bswapMask<>+8(SB)/8, $0x0c0d0e0f08090a0b
GLOBL bswapMask<>(SB), RODATA|NOPTR, $16

// The round constants (FIPS 180-4 section 4.2.2), two to a line.
DATA sha256K<>+0(SB)/8, $0x71374491428a2f98
DATA sha256K<>+8(SB)/8, $0xe9b5dba5b5c0fbcf
DATA sha256K<>+16(SB)/8, $0x59f111f13956c25b
DATA sha256K<>+24(SB)/8, $0xab1c5ed5923f82a4
DATA sha256K<>+32(SB)/8, $0x12835b01d807aa98
DATA sha256K<>+40(SB)/8, $0x550c7dc3243185be
DATA sha256K<>+48(SB)/8, $0x80deb1fe72be5d74
DATA sha256K<>+56(SB)/8, $0xc19bf1749bdc06a7
DATA sha256K<>+64(SB)/8, $0xefbe4786e49b69c1
DATA sha256K<>+72(SB)/8, $0x240ca1cc0fc19dc6
DATA sha256K<>+80(SB)/8, $0x4a7484aa2de92c6f
DATA sha256K<>+88(SB)/8, $0x76f988da5cb0a9dc
DATA sha256K<>+96(SB)/8, $0xa831c66d983e5152
DATA sha256K<>+104(SB)/8, $0xbf597fc7b00327c8
DATA sha256K<>+112(SB)/8, $0xd5a79147c6e00bf3
DATA sha256K<>+120(SB)/8, $0x1429296706ca6351
DATA sha256K<>+128(SB)/8, $0x2e1b213827b70a85
DATA sha256K<>+136(SB)/8, $0x53380d134d2c6dfc
DATA sha256K<>+144(SB)/8, $0x766a0abb650a7354
DATA sha256K<>+152(SB)/8, $0x92722c8581c2c92e
DATA sha256K<>+160(SB)/8, $0xa81a664ba2bfe8a1
DATA sha256K<>+168(SB)/8, $0xc76c51a3c24b8b70
DATA sha256K<>+176(SB)/8, $0xd6990624d192e819
DATA sha256K<>+184(SB)/8, $0x106aa070f40e3585
DATA sha256K<>+192(SB)/8, $0x1e376c0819a4c116
DATA sha256K<>+200(SB)/8, $0x34b0bcb52748774c
DATA sha256K<>+208(SB)/8, $0x4ed8aa4a391c0cb3
DATA sha256K<>+216(SB)/8, $0x682e6ff35b9cca4f
DATA sha256K<>+224(SB)/8, $0x78a5636f748f82ee
DATA sha256K<>+232(SB)/8, $0x8cc7020884c87814
DATA sha256K<>+240(SB)/8, $0xa4506ceb90befffa
DATA sha256K<>+248(SB)/8, $0xc67178f2bef9a3f7
GLOBL sha256K<>(SB), RODATA|NOPTR, $256
