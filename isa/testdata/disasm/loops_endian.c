typedef unsigned long long u64; typedef unsigned int u32; typedef unsigned short u16;
int g(u64 *p) { u16 h = p[1]; u32 w = p[2]; p[3] = __builtin_bswap16(h); p[4] = __builtin_bswap32(w); p[5] = __builtin_bswap64(p[5]);
 for (int i = 0; i < (int)p[6]; i++) { if (p[i+7] == 3) break; p[i+8]++; }
 u32 a = p[0]; if (a == 7) return 1; if (a != p[9]) goto x; return 0; x: return 9; }
