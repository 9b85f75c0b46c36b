goto +1
gotol +2
callx r2
r1 = le16 r1
r1 = le32 r1
r1 = le64 r1
r1 = bswap16 r1
if r1 & 0x8 goto +1
if w1 & w2 goto +1
if r1 != r2 goto -1
if w1 s<= -3 goto +1
if r1 s>= r3 goto +1
if w1 < 5 goto +1
if r1 <= 5 goto +1
if w1 == w2 goto +1
if r1 s< 0x7fffffff goto +1
w1 = -w1
r1 s>>= 63
w1 s>>= 31
r0 = *(u8 *)(r1 + 32767)
r0 = *(u16 *)(r1 - 32768)
r0 = *(s16 *)(r1 + 0)
w1 = 0x80000000
r1 = -2147483648
lock *(u32 *)(r1 + 4) += w2
lock *(u64 *)(r1 + 4) &= r2
lock *(u64 *)(r1 + 4) ^= r2
r2 = atomic_fetch_xor((u64 *)(r1 + 4), r2)
r2 = atomic_fetch_and((u64 *)(r1 + 4), r2)
w2 = atomic_fetch_add((u32 *)(r1 + 4), w2)
w2 = atomic_fetch_xor((u32 *)(r1 + 4), w2)
r1 = 0x7fffffff ll
r1 = -1 ll
call 1
exit
r0 = 0
if r0 == 0 goto -2
goto +0
r1 = 0x80000000 ll
w1 = 0xffffff80
if w1 == 0xffffff80 goto +0
r0 = *(u64 *)(r1 + 0)
exit
w1 = (s8)w2
r1 = (s32)r2
w1 s/= w2
r1 s%= -7
r0 = cmpxchg_64(r1 - 8, r0, r2)
w2 = xchg32_32(r1 + 8, w2)
w0 = cmpxchg32_32(r1 + 0, w0, w2)
lock *(u32 *)(r1 + 4) |= w2
w2 = atomic_fetch_and((u32 *)(r1 + 4), w2)
w2 = atomic_fetch_or((u32 *)(r1 - 4), w2)
r0 = *(s32 *)(r10 - 4)
*(u16 *)(r10 - 2) = r1
*(u64 *)(r10 - 16) = -5
call -1
r0 = r10
r1 >>= r2
w3 <<= 31
r4 %= r5
w4 %= w5
w5 = w5
r6 *= -1
w7 -= w8
r8 |= 0x7fffffff
r9 &= r10
exit
