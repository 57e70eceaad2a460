/* zlib.h -- interface of the zlib general purpose compression library */
#ifndef ZLIB_H
#define ZLIB_H
#define ZLIB_VERSION "1.3.1"  /* the release */
#define ZLIB_VERNUM 0x1310
#endif
