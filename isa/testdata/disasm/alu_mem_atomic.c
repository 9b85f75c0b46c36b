typedef unsigned long long u64; typedef unsigned int u32; typedef unsigned short u16; typedef unsigned char u8;
typedef long long s64; typedef int s32; typedef short s16; typedef signed char s8;
struct args { u64 *p; u32 *q; s8 *sb; s16 *sh; s32 *sw; u16 *h; u8 *b; s64 *sd; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
static u64 (*bpf_ktime_get_ns)(void) = (void *) 5;
struct { int type; int max; } mymap __attribute__((section(".maps")));
int glob = 3;
__attribute__((noinline)) static int sub(int a, int b) { return a * b + glob; }
__attribute__((section("xdp"))) int f(struct args *A) {
 u64 *p=A->p; u32 *q=A->q; s8 *sb=A->sb; s16 *sh=A->sh; s32 *sw=A->sw; u16 *h=A->h; u8 *b=A->b; s64 *sd=A->sd;
  u64 x = p[0], y = p[1];
  u32 a = q[0], c = q[1];
  x += y; x -= 7; x *= y; x /= y; x %= 13; x |= y; x &= 0xff00; x <<= a; x >>= 3; x ^= y; 
  a += c; a -= 5; a *= c; a /= c; a %= c; a |= 1; a &= c; a <<= 2; a >>= c; a ^= 0x55;
  s64 sx = *sd; sx >>= 5; sx /= (s64)y; sx %= (s64)y;
  s32 sa = *sw; sa >>= c; sa /= (s32)a; sa %= 7;
  p[2] = x; q[2] = a; p[3] = sx; q[3] = sa;
  p[4] = *sb; p[5] = *sh; p[6] = *sw; 
  p[7] = (s64)(s8)x; p[8] = (s64)(s16)y; p[9] = (s64)(s32)x; q[4] = (s32)(s8)a; q[5]=(s32)(s16)c;
  *h = __builtin_bswap16(*h); q[6] = __builtin_bswap32(q[6]); p[10] = __builtin_bswap64(p[10]);
  *b = 7; *h = 9; q[7] = 0x12345678; p[11] = -1;
  __sync_fetch_and_add(&p[12], 5); __sync_fetch_and_or(&p[12], x); __sync_fetch_and_and(&q[8], a); __sync_fetch_and_xor(&q[8], c);
  p[13] = __sync_fetch_and_add(&p[12], y); q[9] = __sync_fetch_and_or(&q[8], a);
  p[14] = __sync_lock_test_and_set(&p[12], y); p[15] = __sync_val_compare_and_swap(&p[12], x, y);
  q[10] = __sync_val_compare_and_swap(&q[8], a, c); q[11] = __sync_lock_test_and_set(&q[8], a);
  x = -x; a = -a;
  if (x > 5) x++;
  if (a < c) a--;
  if ((s64)x < -3) x = 0x123456789abcULL;
  if ((s32)a >= (s32)c) return 5;
  if (x & 8) x = 1;
  int k = 0;
  void *v = bpf_map_lookup_elem(&mymap, &k);
  if (!v) return 0;
  p[16] = bpf_ktime_get_ns() + sub(x, a) + glob;
  return x == y ? 3 : (int)a;
}
char _license[] __attribute__((section("license"))) = "GPL";
