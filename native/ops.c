/*
 * ops.c: the calls of FsOps (src/vfs/fs-ops.ts) as asynchronous work on the libuv thread pool, so that no
 * filesystem call runs on the event loop.
 *
 * Every call works the same way: the JS function checks and copies its arguments into one `op` (names
 * included: the caller's Buffer may be reused or moved as soon as the call returns), queues it and returns
 * a promise; a pool thread makes the system calls (`run`); the completion, back on the event loop, turns
 * the outcome into JS values and resolves the promise (`finish`). A system error resolves it with the
 * errno name: these promises never reject, except for a failure of N-API itself. Arguments the kernel
 * must never see (a name that is not one component, a negative descriptor) resolve with the errno name at
 * once, without a pool job. Wrong argument types throw, as they are bugs.
 *
 * Names are resolved without following symlinks: openat2 with RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS
 * and (except for '..', which the ancestry walk opens) RESOLVE_BENEATH where the kernel has it, otherwise
 * openat with O_NOFOLLOW, which is equivalent for a name of one component; the other calls are *at calls
 * that do not follow a final symlink. Every descriptor opened is O_CLOEXEC.
 */
#include "fsat.h"

#include <dirent.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

/* getdents64 reads at most this much per call: some hundreds of entries. */
#define DIR_BUFFER 32768

enum op_code {
  OP_STAT,
  OP_OPEN,
  OP_MKDIR,
  OP_SYMLINK,
  OP_MKNOD,
  OP_LINK,
  OP_RENAME,
  OP_UNLINK,
  OP_UTIMENS,
  OP_CHOWN,
  OP_CHMOD,
  OP_TRUNCATE,
  OP_READLINK,
  OP_STATFS,
  OP_READ_DIR,
  OP_CLOSE_DIR,
  OP_OPEN_BY_HANDLE,
  OP_STAT_NAMES,
};

/*
 * A directory being listed: its own descriptor open for reading (getdents64 needs one; the caller's is
 * usually O_PATH) and what the last getdents64 returned that was not handed out yet. Owned by a JS
 * object (wrapped, type-tagged); used by one pool job at a time (`busy`).
 */
typedef struct {
  int fd;
  bool busy;
  bool closing;
  bool eof;
  size_t pos;
  size_t len;
  char buf[DIR_BUFFER];
} dir_stream;

/* What one readDir job hands back: names one after another, each followed by a NUL; name i spans
 * [ends[i], ends[i + 1] - 1). With stats, STAT_FIELDS values per name, or its errno in errors[i]. */
typedef struct {
  char *names;
  size_t names_len;
  size_t names_cap;
  uint32_t *ends;
  size_t count;
  size_t ends_cap;
  int64_t *stats;
  int *errors;
  bool done;
} dir_chunk;

typedef union {
  struct file_handle fh;
  unsigned char bytes[HANDLE_HEADER_SIZE + MAX_HANDLE_SZ];
} handle_storage;

typedef struct {
  enum op_code code;
  napi_async_work work;
  napi_deferred deferred;
  /* What must live until the completion: the stat output array, or the directory stream's object. */
  napi_ref kept;
  /* 0, or the errno the job failed with. */
  int err;

  /* Arguments. */
  int fd;
  int fd2;
  int flags;
  int mode;
  int64_t uid;
  int64_t gid;
  int max;
  unsigned int major;
  unsigned int minor;
  bool directory;
  bool with_stats;
  int64_t size;
  struct timespec times[2];
  char name[NAME_MAX + 1];
  char name2[NAME_MAX + 1];
  /* The symlink target going in, the readlink target coming out. */
  char *bytes;
  size_t bytes_len;
  /* The kernel file handle going in (openByHandle) or coming out (stat, open). */
  handle_storage handle;
  bool has_handle;

  /* Results. */
  struct statx stx;
  struct statfs sfs;
  int new_fd;
  dir_stream *stream;
  bool new_stream;
  dir_chunk chunk;
} op;

static const napi_type_tag DIR_STREAM_TAG = {0x6673617464697273ULL, 0x747265616d763031ULL};

/* Set once openat2 answered ENOSYS: the kernel predates it (5.6), openat with O_NOFOLLOW is used. */
static atomic_bool openat2_missing;

/* --- The pool side: system calls only, no N-API. --- */

static void proc_self_fd(char out[32], int fd) {
  snprintf(out, 32, "/proc/self/fd/%d", fd);
}

/*
 * openat of one name, never following a symlink: an O_PATH|O_NOFOLLOW open of a symlink gives the link,
 * any other open of one fails with ELOOP. An empty name reopens what `dirfd` holds through its magic
 * link /proc/self/fd/N, which leads to exactly that object (RESOLVE_NO_MAGICLINKS must not apply there).
 */
static int open_name(int dirfd, const char *name, int flags, int mode) {
  int fd;
  if (name[0] == '\0') {
    char self[32];
    proc_self_fd(self, dirfd);
    do {
      fd = openat(AT_FDCWD, self, (flags & ~O_NOFOLLOW) | O_CLOEXEC, (mode_t)mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
  }
  flags |= O_NOFOLLOW | O_CLOEXEC;
  /* What openat ignores beside O_PATH, openat2 refuses. */
  if ((flags & O_PATH) != 0) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  bool creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  if (!atomic_load_explicit(&openat2_missing, memory_order_relaxed)) {
    struct open_how how = {
        .flags = (uint64_t)(unsigned int)flags,
        .mode = creates ? (uint64_t)(mode & 07777) : 0,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (strcmp(name, "..") != 0 ? RESOLVE_BENEATH : 0),
    };
    do {
      fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
    } while (fd < 0 && errno == EINTR);
    if (fd >= 0 || errno != ENOSYS) return fd;
    atomic_store_explicit(&openat2_missing, true, memory_order_relaxed);
  }
  do {
    fd = openat(dirfd, name, flags, (mode_t)mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

static int stat_fd(int fd, struct statx *stx) {
  return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT, STAT_MASK, stx);
}

/* The kernel file handle of what `fd` holds, where the filesystem gives one. */
static void fetch_handle(op *o, int fd) {
  memset(&o->handle, 0, sizeof o->handle);
  o->handle.fh.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  o->has_handle = name_to_handle_at(fd, "", &o->handle.fh, &mount_id, AT_EMPTY_PATH) == 0 &&
                  o->handle.fh.handle_bytes <= MAX_HANDLE_SZ;
}

static bool has_birth_time(const struct statx *stx) {
  return (stx->stx_mask & STATX_BTIME) != 0;
}

static void run_stat(op *o) {
  int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT | (o->name[0] == '\0' ? AT_EMPTY_PATH : 0);
  if (statx(o->fd, o->name, flags, STAT_MASK, &o->stx) != 0) {
    o->err = errno;
    return;
  }
  if (has_birth_time(&o->stx)) return;
  if (o->name[0] == '\0') {
    fetch_handle(o, o->fd);
    return;
  }
  /* The handle and the stat must describe the same object, which the name may stop naming between two
   * calls by name: take both from one descriptor. Failing that (removed meanwhile), no handle. */
  int fd = open_name(o->fd, o->name, O_PATH, 0);
  if (fd < 0) return;
  struct statx again;
  if (stat_fd(fd, &again) == 0) {
    o->stx = again;
    fetch_handle(o, fd);
  }
  close(fd);
}

static void run_open(op *o) {
  int fd = open_name(o->fd, o->name, o->flags, o->mode);
  if (fd < 0) {
    o->err = errno;
    return;
  }
  if (stat_fd(fd, &o->stx) != 0) {
    o->err = errno;
    close(fd);
    return;
  }
  if (!has_birth_time(&o->stx)) fetch_handle(o, fd);
  o->new_fd = fd;
}

static void run_utimens(op *o) {
  int rc;
  if (o->name[0] == '\0') {
    /* utimensat cannot take an O_PATH descriptor itself; its magic link leads to exactly its object. */
    char self[32];
    proc_self_fd(self, o->fd);
    rc = utimensat(AT_FDCWD, self, o->times, 0);
  } else {
    rc = utimensat(o->fd, o->name, o->times, o->flags);
  }
  if (rc != 0) o->err = errno;
}

static void run_readlink(op *o) {
  o->bytes = malloc(PATH_MAX);
  if (o->bytes == NULL) {
    o->err = ENOMEM;
    return;
  }
  ssize_t length = readlinkat(o->fd, o->name, o->bytes, PATH_MAX);
  if (length < 0 || length >= PATH_MAX) {
    o->err = length < 0 ? errno : ENAMETOOLONG;
    /* With an empty name the kernel answers ENOENT for a descriptor that is not a symlink. */
    if (o->err == ENOENT && o->name[0] == '\0') o->err = EINVAL;
    return;
  }
  o->bytes_len = (size_t)length;
}

static void run_open_by_handle(op *o) {
  /* open_by_handle_at refuses an O_PATH mount descriptor (EBADF): open a directory one for reading. */
  int mount = o->fd;
  int opened = -1;
  int status = fcntl(mount, F_GETFL);
  if (status >= 0 && (status & O_PATH) != 0) {
    opened = openat(mount, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (opened < 0) {
      o->err = errno;
      return;
    }
    mount = opened;
  }
  int fd;
  do {
    fd = open_by_handle_at(mount, &o->handle.fh, o->flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) o->err = errno;
  else o->new_fd = fd;
  if (opened >= 0) close(opened);
}

static bool chunk_add(dir_chunk *c, const char *name, size_t length) {
  if (c->count + 2 > c->ends_cap) {
    size_t cap = c->ends_cap == 0 ? 256 : c->ends_cap * 2;
    uint32_t *ends = realloc(c->ends, cap * sizeof *ends);
    if (ends == NULL) return false;
    c->ends = ends;
    c->ends_cap = cap;
  }
  if (c->names_len + length + 1 > c->names_cap) {
    size_t cap = c->names_cap == 0 ? 8192 : c->names_cap;
    while (c->names_len + length + 1 > cap) cap *= 2;
    char *names = realloc(c->names, cap);
    if (names == NULL) return false;
    c->names = names;
    c->names_cap = cap;
  }
  if (c->count == 0) c->ends[0] = 0;
  memcpy(c->names + c->names_len, name, length + 1);
  c->names_len += length + 1;
  c->count++;
  c->ends[c->count] = (uint32_t)c->names_len;
  return true;
}

/* Reads the next batch of entries into the stream's buffer; false with `err` set when that failed. */
static bool refill(dir_stream *s, int *err) {
  ssize_t n = getdents64(s->fd, s->buf, sizeof s->buf);
  if (n < 0) {
    *err = errno;
    return false;
  }
  s->pos = 0;
  s->len = (size_t)n;
  if (n == 0) s->eof = true;
  return true;
}

static bool is_dot_or_dotdot(const char *name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static void run_read_dir(op *o) {
  dir_stream *s = o->stream;
  if (s == NULL) {
    s = calloc(1, sizeof *s);
    if (s == NULL) {
      o->err = ENOMEM;
      return;
    }
    s->fd = openat(o->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->fd < 0) {
      o->err = errno;
      free(s);
      return;
    }
    o->stream = s;
    o->new_stream = true;
  }
  dir_chunk *c = &o->chunk;
  while (c->count < (size_t)o->max) {
    if (s->pos >= s->len) {
      if (s->eof) break;
      if (!refill(s, &o->err)) return;
      continue;
    }
    struct dirent64 *entry = (struct dirent64 *)(s->buf + s->pos);
    s->pos += entry->d_reclen;
    if (is_dot_or_dotdot(entry->d_name)) continue;
    if (!chunk_add(c, entry->d_name, strlen(entry->d_name))) {
      o->err = ENOMEM;
      return;
    }
  }
  /* Read ahead when the buffer ran out, so a listing ending with this chunk says so now. */
  if (s->pos >= s->len && !s->eof && !refill(s, &o->err)) return;
  c->done = s->eof && s->pos >= s->len;
  if (!o->with_stats || c->count == 0) return;
  c->stats = calloc(c->count * STAT_FIELDS, sizeof *c->stats);
  c->errors = calloc(c->count, sizeof *c->errors);
  if (c->stats == NULL || c->errors == NULL) {
    o->err = ENOMEM;
    return;
  }
  for (size_t i = 0; i < c->count; i++) {
    struct statx stx;
    const char *name = c->names + c->ends[i];
    if (statx(s->fd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT, STAT_MASK, &stx) != 0)
      c->errors[i] = errno;
    else
      stat_values(&stx, c->stats + i * STAT_FIELDS);
  }
}

/* lstat of every name of the chunk, relative to `fd`: one pool job for a page of READDIRPLUS. A name
 * holding '/' (it would be walked) or empty is refused (EINVAL). */
static void run_stat_names(op *o) {
  dir_chunk *c = &o->chunk;
  if (c->count == 0) return;
  c->stats = calloc(c->count * STAT_FIELDS, sizeof *c->stats);
  c->errors = calloc(c->count, sizeof *c->errors);
  if (c->stats == NULL || c->errors == NULL) {
    o->err = ENOMEM;
    return;
  }
  for (size_t i = 0; i < c->count; i++) {
    struct statx stx;
    const char *name = c->names + c->ends[i];
    if (name[0] == '\0' || strchr(name, '/') != NULL) c->errors[i] = EINVAL;
    else if (statx(o->fd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT, STAT_MASK, &stx) != 0)
      c->errors[i] = errno;
    else
      stat_values(&stx, c->stats + i * STAT_FIELDS);
  }
  c->done = true;
}

static void run(napi_env env, void *data) {
  (void)env;
  op *o = data;
  char self[32];
  int rc = 0;
  switch (o->code) {
  case OP_STAT:
    run_stat(o);
    return;
  case OP_OPEN:
    run_open(o);
    return;
  case OP_MKDIR:
    rc = mkdirat(o->fd, o->name, (mode_t)o->mode);
    break;
  case OP_SYMLINK:
    rc = symlinkat(o->bytes, o->fd, o->name);
    break;
  case OP_MKNOD:
    rc = mknodat(o->fd, o->name, (mode_t)o->mode, makedev(o->major, o->minor));
    break;
  case OP_LINK:
    /* Following the magic link reaches exactly the object `fd` holds and no further (a symlink is
     * linked, not its target), wherever it is now, without CAP_DAC_READ_SEARCH (AT_EMPTY_PATH needs it).
     * An object with no name left cannot be linked (ENOENT). */
    proc_self_fd(self, o->fd);
    rc = linkat(AT_FDCWD, self, o->fd2, o->name, AT_SYMLINK_FOLLOW);
    break;
  case OP_RENAME:
    rc = renameat(o->fd, o->name, o->fd2, o->name2);
    break;
  case OP_UNLINK:
    rc = unlinkat(o->fd, o->name, o->directory ? AT_REMOVEDIR : 0);
    break;
  case OP_UTIMENS:
    run_utimens(o);
    return;
  case OP_CHOWN:
    rc = fchownat(o->fd, "", o->uid < 0 ? (uid_t)-1 : (uid_t)o->uid, o->gid < 0 ? (gid_t)-1 : (gid_t)o->gid,
                  AT_EMPTY_PATH);
    break;
  case OP_CHMOD:
    /* fchmod refuses O_PATH descriptors; the magic link leads to the object itself. */
    proc_self_fd(self, o->fd);
    rc = fchmodat(AT_FDCWD, self, (mode_t)o->mode, 0);
    break;
  case OP_TRUNCATE:
    proc_self_fd(self, o->fd);
    do {
      rc = truncate(self, (off_t)o->size);
    } while (rc != 0 && errno == EINTR);
    break;
  case OP_READLINK:
    run_readlink(o);
    return;
  case OP_STATFS:
    rc = fstatfs(o->fd, &o->sfs);
    break;
  case OP_READ_DIR:
    run_read_dir(o);
    return;
  case OP_STAT_NAMES:
    run_stat_names(o);
    return;
  case OP_CLOSE_DIR:
    close(o->stream->fd);
    o->stream->fd = -1;
    return;
  case OP_OPEN_BY_HANDLE:
    run_open_by_handle(o);
    return;
  }
  if (rc != 0) o->err = errno;
}

/* --- The event-loop side. --- */

static void release(napi_env env, op *o) {
  if (o->kept != NULL) napi_delete_reference(env, o->kept);
  free(o->bytes);
  free(o->chunk.names);
  free(o->chunk.ends);
  free(o->chunk.stats);
  free(o->chunk.errors);
  free(o);
}

static napi_value kept_value(napi_env env, op *o) {
  napi_value value = NULL;
  if (o->kept == NULL || napi_get_reference_value(env, o->kept, &value) != napi_ok) return NULL;
  return value;
}

/* Writes the stat values (and for open the new descriptor, after them) into the caller's array. */
static bool copy_stat(napi_env env, op *o) {
  napi_value array = kept_value(env, o);
  void *data = NULL;
  size_t count = 0;
  napi_typedarray_type type;
  if (array == NULL || napi_get_typedarray_info(env, array, &type, &count, &data, NULL, NULL) != napi_ok) return false;
  int64_t *out = data;
  stat_values(&o->stx, out);
  if (o->code == OP_OPEN) out[STAT_FIELDS] = o->new_fd;
  return true;
}

static napi_value handle_or_undefined(napi_env env, op *o) {
  napi_value result;
  if (!o->has_handle) {
    CHECK(env, napi_get_undefined(env, &result));
    return result;
  }
  size_t total = HANDLE_HEADER_SIZE + o->handle.fh.handle_bytes;
  CHECK(env, napi_create_buffer_copy(env, total, o->handle.bytes, NULL, &result));
  return result;
}

static napi_status set_bigint(napi_env env, napi_value target, const char *key, uint64_t value) {
  napi_value v;
  napi_status status = napi_create_bigint_uint64(env, value, &v);
  if (status != napi_ok) return status;
  return napi_set_named_property(env, target, key, v);
}

static napi_value statfs_value(napi_env env, op *o) {
  napi_value result, type;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int64(env, (int64_t)o->sfs.f_type, &type));
  CHECK(env, napi_set_named_property(env, result, "type", type));
  CHECK(env, set_bigint(env, result, "bsize", (uint64_t)o->sfs.f_bsize));
  CHECK(env, set_bigint(env, result, "blocks", (uint64_t)o->sfs.f_blocks));
  CHECK(env, set_bigint(env, result, "bfree", (uint64_t)o->sfs.f_bfree));
  CHECK(env, set_bigint(env, result, "bavail", (uint64_t)o->sfs.f_bavail));
  CHECK(env, set_bigint(env, result, "files", (uint64_t)o->sfs.f_files));
  CHECK(env, set_bigint(env, result, "ffree", (uint64_t)o->sfs.f_ffree));
  return result;
}

static napi_value typed_copy(napi_env env, napi_typedarray_type type, const void *data, size_t count, size_t size) {
  void *bytes = NULL;
  napi_value buffer, array;
  CHECK(env, napi_create_arraybuffer(env, count * size, &bytes, &buffer));
  if (count > 0) memcpy(bytes, data, count * size);
  CHECK(env, napi_create_typedarray(env, type, count, buffer, 0, &array));
  return array;
}

static void finalize_stream(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  dir_stream *s = data;
  if (s->fd >= 0) close(s->fd);
  free(s);
}

/* A new stream's JS object, which owns it from now on (closed and freed when collected). */
static napi_value stream_object(napi_env env, op *o) {
  napi_value object;
  if (napi_create_object(env, &object) != napi_ok) return NULL;
  if (napi_wrap(env, object, o->stream, finalize_stream, NULL, NULL) != napi_ok) return NULL;
  o->new_stream = false;
  CHECK(env, napi_type_tag_object(env, object, &DIR_STREAM_TAG));
  return object;
}

/* { stream?, names: Buffer, ends: Uint32Array, stats?: BigInt64Array, failed?: [index, errno, ...],
 * done } */
static napi_value chunk_value(napi_env env, op *o) {
  dir_chunk *c = &o->chunk;
  napi_value result, names, ends, done;
  CHECK(env, napi_create_object(env, &result));
  if (o->new_stream) {
    napi_value stream = stream_object(env, o);
    if (stream == NULL) return fail_call(env, "stream_object");
    CHECK(env, napi_set_named_property(env, result, "stream", stream));
  }
  CHECK(env, napi_create_buffer_copy(env, c->names_len, c->names, NULL, &names));
  CHECK(env, napi_set_named_property(env, result, "names", names));
  uint32_t empty = 0;
  ends = typed_copy(env, napi_uint32_array, c->count == 0 ? &empty : c->ends, c->count + 1, sizeof(uint32_t));
  if (ends == NULL) return NULL;
  CHECK(env, napi_set_named_property(env, result, "ends", ends));
  if (c->stats != NULL) {
    napi_value stats = typed_copy(env, napi_bigint64_array, c->stats, c->count * STAT_FIELDS, sizeof(int64_t));
    if (stats == NULL) return NULL;
    CHECK(env, napi_set_named_property(env, result, "stats", stats));
    napi_value failed = NULL;
    uint32_t next = 0;
    for (size_t i = 0; i < c->count; i++) {
      if (c->errors[i] == 0) continue;
      if (failed == NULL) CHECK(env, napi_create_array(env, &failed));
      napi_value index;
      CHECK(env, napi_create_uint32(env, (uint32_t)i, &index));
      CHECK(env, napi_set_element(env, failed, next++, index));
      CHECK(env, napi_set_element(env, failed, next++, errno_value(env, c->errors[i])));
    }
    if (failed != NULL) CHECK(env, napi_set_named_property(env, result, "failed", failed));
  }
  CHECK(env, napi_get_boolean(env, c->done, &done));
  CHECK(env, napi_set_named_property(env, result, "done", done));
  return result;
}

/* The value a successful job resolves with; NULL with an exception pending when N-API failed. */
static napi_value outcome(napi_env env, op *o) {
  napi_value result;
  switch (o->code) {
  case OP_STAT:
  case OP_OPEN:
    if (!copy_stat(env, o)) return fail_call(env, "copy_stat");
    return handle_or_undefined(env, o);
  case OP_READLINK:
    CHECK(env, napi_create_buffer_copy(env, o->bytes_len, o->bytes, NULL, &result));
    return result;
  case OP_STATFS:
    return statfs_value(env, o);
  case OP_READ_DIR:
  case OP_STAT_NAMES:
    return chunk_value(env, o);
  case OP_OPEN_BY_HANDLE:
    CHECK(env, napi_create_int32(env, o->new_fd, &result));
    return result;
  default:
    CHECK(env, napi_get_undefined(env, &result));
    return result;
  }
}

static void finish(napi_env env, napi_status status, void *data) {
  op *o = data;
  if (status != napi_ok && o->err == 0) o->err = ECANCELED;
  if (o->stream != NULL && !o->new_stream) o->stream->busy = false;
  napi_value result = o->err != 0 ? errno_value(env, o->err) : outcome(env, o);
  if (result != NULL) {
    napi_resolve_deferred(env, o->deferred, result);
  } else {
    /* A descriptor or stream nobody will receive is closed here. */
    if (o->err == 0 && (o->code == OP_OPEN || o->code == OP_OPEN_BY_HANDLE)) close(o->new_fd);
    napi_value error = NULL;
    napi_get_and_clear_last_exception(env, &error);
    if (error == NULL) napi_get_undefined(env, &error);
    napi_reject_deferred(env, o->deferred, error);
  }
  if (o->new_stream) finalize_stream(env, o->stream, NULL);
  napi_delete_async_work(env, o->work);
  release(env, o);
}

/* Returns the promise for `o`: resolved at once with `refused` when that is an errno, else queued. */
static napi_value start(napi_env env, op *o, int refused) {
  napi_value promise, resource;
  if (napi_create_promise(env, &o->deferred, &promise) != napi_ok) {
    release(env, o);
    return fail_call(env, "napi_create_promise");
  }
  if (refused != 0) {
    napi_resolve_deferred(env, o->deferred, errno_value(env, refused));
    release(env, o);
    return promise;
  }
  if (o->stream != NULL) o->stream->busy = true;
  if (napi_create_string_latin1(env, "fsat", NAPI_AUTO_LENGTH, &resource) != napi_ok ||
      napi_create_async_work(env, NULL, resource, run, finish, o, &o->work) != napi_ok ||
      napi_queue_async_work(env, o->work) != napi_ok) {
    if (o->stream != NULL) o->stream->busy = false;
    release(env, o);
    return fail_call(env, "napi_queue_async_work");
  }
  return promise;
}

static op *new_op(napi_env env, enum op_code code) {
  op *o = calloc(1, sizeof *o);
  if (o == NULL) napi_throw_error(env, NULL, "fsat: out of memory");
  else o->code = code;
  return o;
}

/* Frees `o` and throws a TypeError: the arguments were of the wrong kind. */
static napi_value wrong(napi_env env, op *o, const char *message) {
  release(env, o);
  return type_error(env, message);
}

/* The refusal for a descriptor, a name, and whether the name must be non-empty, in the order
 * src/vfs/op-args.ts gives them. */
static int refusal(int bad_name, int fd, const char *name, bool needs_name) {
  if (bad_name > 0) return bad_name;
  if (fd < 0) return EBADF;
  if (needs_name && name[0] == '\0') return ENOENT;
  return 0;
}

/* An output array of at least `count` bigints, kept until the completion. */
static bool keep_bigints(napi_env env, op *o, napi_value value, size_t count) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  if (napi_get_typedarray_info(env, value, &type, &length, NULL, NULL, NULL) != napi_ok) return false;
  if (type != napi_bigint64_array || length < count) return false;
  return napi_create_reference(env, value, 1, &o->kept) == napi_ok;
}

/* Starts parsing a call whose first two arguments are a directory descriptor and a name (`fn(dirfd,
 * name, ...)`): a new op with both, and in `bad` the name's verdict (get_name). NULL with a TypeError
 * thrown when they are of the wrong kind. */
static op *at_call(napi_env env, napi_callback_info info, enum op_code code, size_t argc, napi_value *argv,
                   const char *fn, int *bad) {
  if (!get_args(env, info, argc, argv)) return NULL;
  op *o = new_op(env, code);
  if (o == NULL) return NULL;
  char message[96];
  if (!get_int(env, argv[0], &o->fd)) {
    snprintf(message, sizeof message, "%s: dirfd must be a number", fn);
    wrong(env, o, message);
    return NULL;
  }
  *bad = get_name(env, argv[1], o->name);
  if (*bad < 0) {
    snprintf(message, sizeof message, "%s: name must be a Buffer", fn);
    wrong(env, o, message);
    return NULL;
  }
  return o;
}

/* statAsync(dirfd, name, out: BigInt64Array(14)) -> Promise<undefined | handle Buffer | errno name> */
static napi_value stat_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int bad = 0;
  op *o = at_call(env, info, OP_STAT, 3, argv, "statAsync", &bad);
  if (o == NULL) return NULL;
  if (!keep_bigints(env, o, argv[2], STAT_FIELDS)) return wrong(env, o, "statAsync: out must be a BigInt64Array(14)");
  return start(env, o, refusal(bad, o->fd, o->name, false));
}

/* openAsync(dirfd, name, flags, mode, out: BigInt64Array(15)) -> Promise<undefined | handle | errno>:
 * the stat of the new descriptor in out[0..13], the descriptor itself in out[14]. */
static napi_value open_async(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int bad = 0;
  op *o = at_call(env, info, OP_OPEN, 5, argv, "openAsync", &bad);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[2], &o->flags)) return wrong(env, o, "openAsync: flags must be a number");
  if (!get_int(env, argv[3], &o->mode)) return wrong(env, o, "openAsync: mode must be a number");
  if (!keep_bigints(env, o, argv[4], STAT_FIELDS + 1))
    return wrong(env, o, "openAsync: out must be a BigInt64Array(15)");
  return start(env, o, refusal(bad, o->fd, o->name, false));
}

/* mkdirAsync(dirfd, name, mode) -> Promise<undefined | errno> */
static napi_value mkdir_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int bad = 0;
  op *o = at_call(env, info, OP_MKDIR, 3, argv, "mkdirAsync", &bad);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[2], &o->mode)) return wrong(env, o, "mkdirAsync: mode must be a number");
  return start(env, o, refusal(bad, o->fd, o->name, true));
}

/* symlinkAsync(target, dirfd, name) -> Promise<undefined | errno>; the target is stored verbatim. */
static napi_value symlink_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  op *o = new_op(env, OP_SYMLINK);
  if (o == NULL) return NULL;
  bool is_buffer = false;
  void *target = NULL;
  size_t length = 0;
  if (napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[0], &target, &length) != napi_ok)
    return wrong(env, o, "symlinkAsync: target must be a Buffer");
  if (!get_int(env, argv[1], &o->fd)) return wrong(env, o, "symlinkAsync: dirfd must be a number");
  int bad = get_name(env, argv[2], o->name);
  if (bad < 0) return wrong(env, o, "symlinkAsync: name must be a Buffer");
  int refused = refusal(bad, o->fd, o->name, true);
  if (refused == 0) {
    if (length == 0) refused = ENOENT;
    else if (length >= PATH_MAX) refused = ENAMETOOLONG;
    else if (memchr(target, '\0', length) != NULL) refused = EINVAL;
  }
  if (refused == 0) {
    o->bytes = malloc(length + 1);
    if (o->bytes == NULL) refused = ENOMEM;
    else {
      memcpy(o->bytes, target, length);
      o->bytes[length] = '\0';
    }
  }
  return start(env, o, refused);
}

/* mknodAsync(dirfd, name, mode, major, minor) -> Promise<undefined | errno>: FIFOs, sockets and devices
 * (S_IFREG and S_IFDIR are 'EINVAL'); the process umask applies. */
static napi_value mknod_async(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int bad = 0;
  op *o = at_call(env, info, OP_MKNOD, 5, argv, "mknodAsync", &bad);
  if (o == NULL) return NULL;
  int32_t major_number, minor_number;
  if (!get_int(env, argv[2], &o->mode)) return wrong(env, o, "mknodAsync: mode must be a number");
  if (!get_int(env, argv[3], &major_number)) return wrong(env, o, "mknodAsync: major must be a number");
  if (!get_int(env, argv[4], &minor_number)) return wrong(env, o, "mknodAsync: minor must be a number");
  int refused = refusal(bad, o->fd, o->name, true);
  mode_t type = (mode_t)o->mode & S_IFMT;
  if (refused == 0 && ((type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK) ||
                       major_number < 0 || minor_number < 0))
    refused = EINVAL;
  o->major = (unsigned int)major_number;
  o->minor = (unsigned int)minor_number;
  return start(env, o, refused);
}

/* linkAsync(fd, dirfd, name) -> Promise<undefined | errno> */
static napi_value link_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  op *o = new_op(env, OP_LINK);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, "linkAsync: fd must be a number");
  if (!get_int(env, argv[1], &o->fd2)) return wrong(env, o, "linkAsync: dirfd must be a number");
  int bad = get_name(env, argv[2], o->name);
  if (bad < 0) return wrong(env, o, "linkAsync: name must be a Buffer");
  int refused = refusal(bad, o->fd2, o->name, true);
  if (refused == 0 && o->fd < 0) refused = EBADF;
  return start(env, o, refused);
}

/* renameAsync(fromDir, fromName, toDir, toName) -> Promise<undefined | errno> */
static napi_value rename_async(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  op *o = new_op(env, OP_RENAME);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, "renameAsync: fromDir must be a number");
  int bad = get_name(env, argv[1], o->name);
  if (bad < 0) return wrong(env, o, "renameAsync: fromName must be a Buffer");
  if (!get_int(env, argv[2], &o->fd2)) return wrong(env, o, "renameAsync: toDir must be a number");
  int bad2 = get_name(env, argv[3], o->name2);
  if (bad2 < 0) return wrong(env, o, "renameAsync: toName must be a Buffer");
  int refused = refusal(bad, o->fd, o->name, true);
  if (refused == 0) refused = refusal(bad2, o->fd2, o->name2, true);
  return start(env, o, refused);
}

/* unlinkAsync(dirfd, name, directory) -> Promise<undefined | errno> */
static napi_value unlink_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int bad = 0;
  op *o = at_call(env, info, OP_UNLINK, 3, argv, "unlinkAsync", &bad);
  if (o == NULL) return NULL;
  if (napi_get_value_bool(env, argv[2], &o->directory) != napi_ok)
    return wrong(env, o, "unlinkAsync: directory must be a boolean");
  return start(env, o, refusal(bad, o->fd, o->name, true));
}

/* utimensAsync(dirfd, name, atime, mtime, flags) -> Promise<undefined | errno>, as utimensAt. */
static napi_value utimens_async(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int bad = 0;
  op *o = at_call(env, info, OP_UTIMENS, 5, argv, "utimensAsync", &bad);
  if (o == NULL) return NULL;
  int atime = get_time(env, argv[2], &o->times[0]);
  int mtime = get_time(env, argv[3], &o->times[1]);
  if (atime == 0 || mtime == 0) return wrong(env, o, "utimensAsync: a time is a bigint, 'now' or 'omit'");
  if (!get_int(env, argv[4], &o->flags)) return wrong(env, o, "utimensAsync: flags must be a number");
  int refused = refusal(bad, o->fd, o->name, false);
  bool nofollow = (o->flags & AT_SYMLINK_NOFOLLOW) != 0;
  if (refused == 0 && (atime < 0 || mtime < 0 || (o->flags & ~AT_SYMLINK_NOFOLLOW) != 0 ||
                       (nofollow && o->name[0] == '\0')))
    refused = EINVAL;
  return start(env, o, refused);
}

/* A user or group id: a number from -1 (unchanged) up; ids are unsigned 32-bit. */
static bool get_id(napi_env env, napi_value value, int64_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return false;
  return napi_get_value_int64(env, value, out) == napi_ok;
}

/* Parses the arguments of the calls that take just a descriptor and numbers. */
static napi_value fd_call(napi_env env, napi_callback_info info, enum op_code code, size_t argc, const char *usage) {
  napi_value argv[3];
  if (!get_args(env, info, argc, argv)) return NULL;
  op *o = new_op(env, code);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, usage);
  int refused = o->fd < 0 ? EBADF : 0;
  switch (code) {
  case OP_CHOWN:
    if (!get_id(env, argv[1], &o->uid) || !get_id(env, argv[2], &o->gid)) return wrong(env, o, usage);
    if (refused == 0 && (o->uid < -1 || o->gid < -1 || o->uid >= UINT32_MAX || o->gid >= UINT32_MAX))
      refused = EINVAL;
    break;
  case OP_CHMOD:
    if (!get_int(env, argv[1], &o->mode)) return wrong(env, o, usage);
    break;
  case OP_TRUNCATE: {
    bool lossless = false;
    napi_valuetype type;
    if (napi_typeof(env, argv[1], &type) != napi_ok || type != napi_bigint ||
        napi_get_value_bigint_int64(env, argv[1], &o->size, &lossless) != napi_ok)
      return wrong(env, o, usage);
    if (refused == 0 && (!lossless || o->size < 0)) refused = lossless ? EINVAL : EFBIG;
    break;
  }
  default:
    break;
  }
  return start(env, o, refused);
}

/* chownAsync(fd, uid, gid) -> Promise<undefined | errno>; -1 leaves an id as it is. */
static napi_value chown_async(napi_env env, napi_callback_info info) {
  return fd_call(env, info, OP_CHOWN, 3, "chownAsync(fd, uid, gid) takes numbers");
}

/* chmodAsync(fd, mode) -> Promise<undefined | errno> */
static napi_value chmod_async(napi_env env, napi_callback_info info) {
  return fd_call(env, info, OP_CHMOD, 2, "chmodAsync(fd, mode) takes numbers");
}

/* truncateAsync(fd, size: bigint) -> Promise<undefined | errno> */
static napi_value truncate_async(napi_env env, napi_callback_info info) {
  return fd_call(env, info, OP_TRUNCATE, 2, "truncateAsync(fd, size) takes a number and a bigint");
}

/* statfsAsync(fd) -> Promise<{ type, bsize, blocks, bfree, bavail, files, ffree } | errno> */
static napi_value statfs_async(napi_env env, napi_callback_info info) {
  return fd_call(env, info, OP_STATFS, 1, "statfsAsync(fd) takes a number");
}

/* readlinkAsync(dirfd, name) -> Promise<Buffer | errno>; an empty name reads the symlink an O_PATH
 * `dirfd` holds ('EINVAL' when it holds something else). */
static napi_value readlink_async(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int bad = 0;
  op *o = at_call(env, info, OP_READLINK, 2, argv, "readlinkAsync", &bad);
  if (o == NULL) return NULL;
  return start(env, o, refusal(bad, o->fd, o->name, false));
}

/* The stream a directory object wraps; NULL (TypeError thrown) for anything else. */
static dir_stream *stream_of(napi_env env, napi_value value) {
  bool tagged = false;
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object ||
      napi_check_object_type_tag(env, value, &DIR_STREAM_TAG, &tagged) != napi_ok || !tagged ||
      napi_unwrap(env, value, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "fsat: not a directory stream");
    return NULL;
  }
  return data;
}

/*
 * readDirAsync(dirfd, stream | undefined, max, withStats) -> Promise<chunk | errno>. Without a stream,
 * opens `dirfd`'s directory for reading (the chunk then carries `stream`, to pass to the next calls and
 * to closeDirAsync). Up to `max` names without '.' and '..'; see chunk_value for the chunk's shape.
 */
static napi_value read_dir_async(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  op *o = new_op(env, OP_READ_DIR);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, "readDirAsync: dirfd must be a number");
  napi_valuetype type;
  if (napi_typeof(env, argv[1], &type) != napi_ok) return wrong(env, o, "readDirAsync: bad stream");
  if (type != napi_undefined) {
    o->stream = stream_of(env, argv[1]);
    if (o->stream == NULL) {
      release(env, o);
      return NULL;
    }
    if (napi_create_reference(env, argv[1], 1, &o->kept) != napi_ok) return wrong(env, o, "readDirAsync: bad stream");
  }
  if (!get_int(env, argv[2], &o->max)) return wrong(env, o, "readDirAsync: max must be a number");
  if (napi_get_value_bool(env, argv[3], &o->with_stats) != napi_ok)
    return wrong(env, o, "readDirAsync: withStats must be a boolean");
  int refused = 0;
  if (o->stream != NULL && o->stream->busy) refused = EBUSY;
  else if (o->stream != NULL && o->stream->closing) refused = EBADF;
  else if (o->stream == NULL && o->fd < 0) refused = EBADF;
  else if (o->max < 1) refused = EINVAL;
  if (refused != 0) o->stream = NULL;
  return start(env, o, refused);
}

/* closeDirAsync(stream) -> Promise<undefined | errno>: closes the stream's descriptor on the pool. */
static napi_value close_dir_async(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  dir_stream *stream = stream_of(env, argv[0]);
  if (stream == NULL) return NULL;
  op *o = new_op(env, OP_CLOSE_DIR);
  if (o == NULL) return NULL;
  if (napi_create_reference(env, argv[0], 1, &o->kept) != napi_ok) return wrong(env, o, "closeDirAsync: bad stream");
  int refused = stream->busy ? EBUSY : stream->closing ? EBADF : 0;
  if (refused == 0) {
    stream->closing = true;
    o->stream = stream;
  }
  return start(env, o, refused);
}

/* openByHandleAsync(mountFd, handle, flags) -> Promise<fd | errno>. `mountFd` may be an O_PATH directory
 * descriptor. Needs CAP_DAC_READ_SEARCH ('EPERM' without). */
static napi_value open_by_handle_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  op *o = new_op(env, OP_OPEN_BY_HANDLE);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, "openByHandleAsync: mountFd must be a number");
  bool is_buffer = false;
  void *data = NULL;
  size_t length = 0;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok)
    return wrong(env, o, "openByHandleAsync: handle must be a Buffer");
  if (!get_int(env, argv[2], &o->flags)) return wrong(env, o, "openByHandleAsync: flags must be a number");
  int refused = o->fd < 0 ? EBADF : 0;
  if (refused == 0 && (length < HANDLE_HEADER_SIZE || length > sizeof o->handle.bytes)) refused = EINVAL;
  if (refused == 0) {
    memcpy(o->handle.bytes, data, length);
    if (o->handle.fh.handle_bytes != length - HANDLE_HEADER_SIZE) refused = EINVAL;
  }
  return start(env, o, refused);
}

/* statNamesAsync(dirfd, names: Buffer of NUL-terminated names, count) -> Promise<chunk | errno>: the
 * lstat of each name in `dirfd`, as readDirAsync's chunks give them. */
static napi_value stat_names_async(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  op *o = new_op(env, OP_STAT_NAMES);
  if (o == NULL) return NULL;
  if (!get_int(env, argv[0], &o->fd)) return wrong(env, o, "statNamesAsync: dirfd must be a number");
  void *data = NULL;
  size_t length = 0;
  bool is_buffer = false;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok)
    return wrong(env, o, "statNamesAsync: names must be a Buffer");
  int count = 0;
  if (!get_int(env, argv[2], &count) || count < 0) return wrong(env, o, "statNamesAsync: count must be a number");
  int refused = o->fd < 0 ? EBADF : 0;
  /* The names are copied: the caller's Buffer may change before the job runs. */
  const char *bytes = data;
  size_t at = 0;
  for (int i = 0; refused == 0 && i < count; i++) {
    const char *end = at < length ? memchr(bytes + at, '\0', length - at) : NULL;
    if (end == NULL) {
      refused = EINVAL;
      break;
    }
    size_t n = (size_t)(end - (bytes + at));
    if (!chunk_add(&o->chunk, bytes + at, n)) refused = ENOMEM;
    at = (size_t)(end - bytes) + 1;
  }
  return start(env, o, refused);
}

napi_status define_async_ops(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"statAsync", NULL, stat_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openAsync", NULL, open_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mkdirAsync", NULL, mkdir_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"symlinkAsync", NULL, symlink_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknodAsync", NULL, mknod_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"linkAsync", NULL, link_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"renameAsync", NULL, rename_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlinkAsync", NULL, unlink_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"utimensAsync", NULL, utimens_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"chownAsync", NULL, chown_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"chmodAsync", NULL, chmod_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"truncateAsync", NULL, truncate_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readlinkAsync", NULL, readlink_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"statfsAsync", NULL, statfs_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readDirAsync", NULL, read_dir_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeDirAsync", NULL, close_dir_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openByHandleAsync", NULL, open_by_handle_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"statNamesAsync", NULL, stat_names_async, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
