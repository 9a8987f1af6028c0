/* What fsat.c (the synchronous functions) and ops.c (the asynchronous ones) share. */
#ifndef FSAT_H
#define FSAT_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#ifndef MAX_HANDLE_SZ
#define MAX_HANDLE_SZ 128
#endif

/* struct file_handle's header: handle_bytes (u32) and handle_type (i32). */
#define HANDLE_HEADER_SIZE 8

/* What every stat asks of statx. */
#define STAT_MASK (STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID)

#define CHECK(env, call)                                                                                  \
  do {                                                                                                    \
    if ((call) != napi_ok) return fail_call(env, #call);                                                  \
  } while (0)

/* The order of the values stat_values writes; native.ts and native-ops.ts read them by these indices. */
enum { DEV, INO, MODE, NLINK, UID, GID, RDEV, SIZE, BLOCKS, ATIME, MTIME, CTIME, BTIME, MNT_ID, STAT_FIELDS };

/* Throws an Error naming the N-API call that failed (a bug or an exhausted heap); returns NULL. */
napi_value fail_call(napi_env env, const char *what);
napi_value type_error(napi_env env, const char *message);
/* The errno's symbolic name ('ENOENT'), as Node reports system errors. */
napi_value errno_value(napi_env env, int err);
int get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv);
int get_int(napi_env env, napi_value value, int32_t *out);
/* Copies a one-component name Buffer with a terminating NUL: 0 when acceptable, else the errno to
 * report ('/', NUL, too long); -1 when the value is not a Buffer. */
int get_name(napi_env env, napi_value value, char out[NAME_MAX + 1]);
/* A time argument: bigint nanoseconds, 'now' or 'omit'. 1 filled, 0 wrong kind, -1 out of range. */
int get_time(napi_env env, napi_value value, struct timespec *out);
/* dev, ino, mode, nlink, uid, gid, rdev, size, blocks, atime, mtime, ctime, btime (signed nanoseconds;
 * btime 0 where unknown), mount id (-1 where unknown). */
void stat_values(const struct statx *stx, int64_t out[STAT_FIELDS]);

/* Adds the asynchronous functions (ops.c) to the module's exports. */
napi_status define_async_ops(napi_env env, napi_value exports);

#endif
