/*
 * fsat: the few Linux *at system calls Node does not offer, for resolving one name inside a directory
 * descriptor without going through /proc/self/fd magic links.
 *
 * The functions here are synchronous; ops.c adds asynchronous ones that run on the libuv thread pool.
 * System errors are values, never exceptions: a function returns its result on success and the errno name as a string ('ENOENT', 'EOPNOTSUPP', ...) on failure. Exceptions
 * are thrown only for programming errors (wrong argument types).
 *
 * Names are Buffers holding exactly one path component: a name containing '/' or NUL is refused with
 * 'EINVAL' before any system call (a '/' would make the kernel walk, and follow symlinks in, the
 * intermediate components), one longer than NAME_MAX with 'ENAMETOOLONG'. Negative directory descriptors
 * (AT_FDCWD) are refused with 'EBADF': every lookup must be relative to a descriptor the caller verified.
 * Every descriptor opened here is O_CLOEXEC.
 */
#include "fsat.h"

napi_value fail_call(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    char message[256];
    snprintf(message, sizeof message, "fsat: %s failed: %s", what,
             info != NULL && info->error_message != NULL ? info->error_message : "unknown");
    napi_throw_error(env, NULL, message);
  }
  return NULL;
}

napi_value type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* The errno's symbolic name, as Node reports system errors. */
napi_value errno_value(napi_env env, int err) {
  const char *name = strerrorname_np(err);
  char fallback[32];
  if (name == NULL) {
    snprintf(fallback, sizeof fallback, "E%d", err);
    name = fallback;
  }
  napi_value result;
  if (napi_create_string_latin1(env, name, NAPI_AUTO_LENGTH, &result) != napi_ok) return NULL;
  return result;
}

int get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < expected) {
    napi_throw_type_error(env, NULL, "fsat: too few arguments");
    return 0;
  }
  return 1;
}

int get_int(napi_env env, napi_value value, int32_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return 0;
  return napi_get_value_int32(env, value, out) == napi_ok;
}

/*
 * Copies a name Buffer into `out` (NAME_MAX + 1 bytes) with a terminating NUL. Returns 0 when the name is
 * acceptable, otherwise the errno to report; -1 when the value is not a Buffer (a programming error).
 */
int get_name(napi_env env, napi_value value, char out[NAME_MAX + 1]) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) return -1;
  void *data = NULL;
  size_t length = 0;
  if (napi_get_buffer_info(env, value, &data, &length) != napi_ok) return -1;
  if (length > NAME_MAX) return ENAMETOOLONG;
  if (length > 0 && (memchr(data, '\0', length) != NULL || memchr(data, '/', length) != NULL)) return EINVAL;
  if (length > 0) memcpy(out, data, length);
  out[length] = '\0';
  return 0;
}

/* Signed, as Node reports times before 1970. */
static int64_t nanoseconds(struct statx_timestamp t) {
  return t.tv_sec * 1000000000LL + (int64_t)t.tv_nsec;
}

void stat_values(const struct statx *stx, int64_t out[STAT_FIELDS]) {
  out[DEV] = (int64_t)makedev(stx->stx_dev_major, stx->stx_dev_minor);
  out[INO] = (int64_t)stx->stx_ino;
  out[MODE] = stx->stx_mode;
  out[NLINK] = stx->stx_nlink;
  out[UID] = stx->stx_uid;
  out[GID] = stx->stx_gid;
  out[RDEV] = (int64_t)makedev(stx->stx_rdev_major, stx->stx_rdev_minor);
  out[SIZE] = (int64_t)stx->stx_size;
  out[BLOCKS] = (int64_t)stx->stx_blocks;
  out[ATIME] = nanoseconds(stx->stx_atime);
  out[MTIME] = nanoseconds(stx->stx_mtime);
  out[CTIME] = nanoseconds(stx->stx_ctime);
  out[BTIME] = (stx->stx_mask & STATX_BTIME) != 0 ? nanoseconds(stx->stx_btime) : 0;
  out[MNT_ID] = (stx->stx_mask & STATX_MNT_ID) != 0 ? (int64_t)stx->stx_mnt_id : -1;
}

/*
 * statxAt(dirfd, name, nofollow, out: BigInt64Array(13)) -> undefined | errno name. Writes dev, ino, mode,
 * nlink, uid, gid, rdev, size, blocks, then atime, mtime, ctime and btime in signed nanoseconds since the
 * epoch (btime 0 where the filesystem does not report it), then the mount id (STATX_MNT_ID: tells a bind
 * mount of the same device apart, which st_dev cannot; -1 where the kernel does not report it) into
 * `out`: filling an array is several times cheaper than building an object of bigints through N-API. An
 * empty name stats `dirfd` (AT_EMPTY_PATH).
 */
static napi_value statx_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  int32_t dirfd;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "statxAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "statxAt: name must be a Buffer");
  bool nofollow;
  if (napi_get_value_bool(env, argv[2], &nofollow) != napi_ok)
    return type_error(env, "statxAt: nofollow must be a boolean");
  bool is_typed = false;
  napi_typedarray_type array_type;
  size_t count = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[3], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[3], &array_type, &count, &data, NULL, NULL) != napi_ok ||
      array_type != napi_bigint64_array || count < STAT_FIELDS)
    return type_error(env, "statxAt: out must be a BigInt64Array of 14 values");
  if (bad > 0) return errno_value(env, bad);
  if (dirfd < 0) return errno_value(env, EBADF);

  int flags = AT_STATX_SYNC_AS_STAT;
  if (nofollow) flags |= AT_SYMLINK_NOFOLLOW;
  if (name[0] == '\0') flags |= AT_EMPTY_PATH;
  struct statx stx;
  if (statx(dirfd, name, flags, STAT_MASK, &stx) != 0)
    return errno_value(env, errno);

  stat_values(&stx, data);
  return NULL;
}

/* openAt(dirfd, name, flags, mode) -> fd | errno name. O_CLOEXEC is always added. */
static napi_value open_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  int32_t dirfd, flags, mode;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "openAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "openAt: name must be a Buffer");
  if (!get_int(env, argv[2], &flags)) return type_error(env, "openAt: flags must be a number");
  if (!get_int(env, argv[3], &mode)) return type_error(env, "openAt: mode must be a number");
  if (bad > 0) return errno_value(env, bad);
  if (dirfd < 0) return errno_value(env, EBADF);

  int fd;
  do {
    fd = openat(dirfd, name, flags | O_CLOEXEC, (mode_t)mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_value(env, errno);
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    return fail_call(env, "napi_create_int32");
  }
  return result;
}

/*
 * nameToHandleAt(dirfd, name, flags) -> { handle: Buffer, mountId: number } | errno name. `handle` is the
 * whole struct file_handle (handle_bytes u32, handle_type i32, then the opaque bytes, host byte order),
 * ready for openByHandleAt. An empty name needs AT_EMPTY_PATH in `flags` to name `dirfd` itself.
 */
static napi_value name_to_handle_at_fn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  int32_t dirfd, flags;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "nameToHandleAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "nameToHandleAt: name must be a Buffer");
  if (!get_int(env, argv[2], &flags)) return type_error(env, "nameToHandleAt: flags must be a number");
  if (bad > 0) return errno_value(env, bad);
  if (dirfd < 0) return errno_value(env, EBADF);

  union {
    struct file_handle fh;
    unsigned char bytes[HANDLE_HEADER_SIZE + MAX_HANDLE_SZ];
  } storage;
  memset(&storage, 0, sizeof storage);
  storage.fh.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (name_to_handle_at(dirfd, name, &storage.fh, &mount_id, flags) != 0) return errno_value(env, errno);
  if (storage.fh.handle_bytes > MAX_HANDLE_SZ) return errno_value(env, EOVERFLOW);

  size_t total = HANDLE_HEADER_SIZE + storage.fh.handle_bytes;
  napi_value handle, mount, result;
  CHECK(env, napi_create_buffer_copy(env, total, storage.bytes, NULL, &handle));
  CHECK(env, napi_create_int32(env, mount_id, &mount));
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_set_named_property(env, result, "handle", handle));
  CHECK(env, napi_set_named_property(env, result, "mountId", mount));
  return result;
}

/*
 * openByHandleAt(mountFd, handle, flags) -> fd | errno name. `handle` as nameToHandleAt returns it; one
 * whose length disagrees with its handle_bytes field is refused with 'EINVAL'. Needs CAP_DAC_READ_SEARCH
 * ('EPERM' otherwise). O_CLOEXEC is always added.
 */
static napi_value open_by_handle_at_fn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  int32_t mount_fd, flags;
  if (!get_int(env, argv[0], &mount_fd)) return type_error(env, "openByHandleAt: mountFd must be a number");
  bool is_buffer = false;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer)
    return type_error(env, "openByHandleAt: handle must be a Buffer");
  if (!get_int(env, argv[2], &flags)) return type_error(env, "openByHandleAt: flags must be a number");
  void *data = NULL;
  size_t length = 0;
  CHECK(env, napi_get_buffer_info(env, argv[1], &data, &length));
  if (mount_fd < 0) return errno_value(env, EBADF);
  if (length < HANDLE_HEADER_SIZE || length > HANDLE_HEADER_SIZE + MAX_HANDLE_SZ) return errno_value(env, EINVAL);

  /* Copied so the kernel sees an aligned struct that cannot change while it reads it. */
  union {
    struct file_handle fh;
    unsigned char bytes[HANDLE_HEADER_SIZE + MAX_HANDLE_SZ];
  } storage;
  memset(&storage, 0, sizeof storage);
  memcpy(storage.bytes, data, length);
  if (storage.fh.handle_bytes != length - HANDLE_HEADER_SIZE) return errno_value(env, EINVAL);

  int fd;
  do {
    fd = open_by_handle_at(mount_fd, &storage.fh, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_value(env, errno);
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    return fail_call(env, "napi_create_int32");
  }
  return result;
}

/*
 * linkFdAt(fd, newdirfd, newname) -> undefined | errno name. Gives the object `fd` refers to (an O_PATH
 * descriptor is fine) the new name `newname` in `newdirfd`, as linkat(AT_FDCWD, "/proc/self/fd/<fd>",
 * newdirfd, newname, AT_SYMLINK_FOLLOW): following the magic link reaches exactly that object and no
 * further (a symlink is linked, not its target), wherever it is now, without the object's path ever being
 * spelled out, and without CAP_DAC_READ_SEARCH (which AT_EMPTY_PATH needs). An object with no name left
 * cannot be linked ('ENOENT').
 */
static napi_value link_fd_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  int32_t fd, newdirfd;
  if (!get_int(env, argv[0], &fd)) return type_error(env, "linkFdAt: fd must be a number");
  if (!get_int(env, argv[1], &newdirfd)) return type_error(env, "linkFdAt: newdirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[2], name);
  if (bad < 0) return type_error(env, "linkFdAt: newname must be a Buffer");
  if (bad > 0) return errno_value(env, bad);
  if (name[0] == '\0') return errno_value(env, ENOENT);
  if (fd < 0 || newdirfd < 0) return errno_value(env, EBADF);
  char source[32];
  snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
  if (linkat(AT_FDCWD, source, newdirfd, name, AT_SYMLINK_FOLLOW) != 0) return errno_value(env, errno);
  return NULL;
}

/*
 * One time argument of utimensAt: a bigint of signed nanoseconds since the epoch, or the string "now"
 * (UTIME_NOW) or "omit" (UTIME_OMIT). Returns 1 when `out` was filled, 0 for a value of another kind
 * (a programming error), -1 for a bigint outside what a timespec holds (reported as EINVAL).
 */
int get_time(napi_env env, napi_value value, struct timespec *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (type == napi_string) {
    char text[8];
    size_t length = 0;
    if (napi_get_value_string_latin1(env, value, text, sizeof text, &length) != napi_ok) return 0;
    out->tv_sec = 0;
    if (strcmp(text, "now") == 0) out->tv_nsec = UTIME_NOW;
    else if (strcmp(text, "omit") == 0) out->tv_nsec = UTIME_OMIT;
    else return 0;
    return 1;
  }
  if (type != napi_bigint) return 0;
  int64_t ns = 0;
  bool lossless = false;
  if (napi_get_value_bigint_int64(env, value, &ns, &lossless) != napi_ok) return 0;
  if (!lossless) return -1;
  int64_t sec = ns / 1000000000LL;
  int64_t nsec = ns % 1000000000LL;
  if (nsec < 0) {
    nsec += 1000000000LL;
    sec -= 1;
  }
  out->tv_sec = (time_t)sec;
  out->tv_nsec = (long)nsec;
  return 1;
}

/*
 * utimensAt(dirfd, name, atime, mtime, flags) -> undefined | errno name. Sets both times with nanosecond
 * precision (see get_time for the forms a time takes). `flags` is 0 or AT_SYMLINK_NOFOLLOW, which changes
 * a symlink named `name` itself. An empty name changes the object `dirfd` refers to, which may be an
 * O_PATH descriptor: utimensat(2) cannot take one directly, so its magic link /proc/self/fd/N is used,
 * which the kernel resolves to exactly that object (AT_SYMLINK_NOFOLLOW would name the magic link
 * itself and is refused with 'EINVAL' there).
 */
static napi_value utimens_at(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  int32_t dirfd, flags;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "utimensAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "utimensAt: name must be a Buffer");
  struct timespec times[2];
  int atime = get_time(env, argv[2], &times[0]);
  int mtime = get_time(env, argv[3], &times[1]);
  if (atime == 0 || mtime == 0) return type_error(env, "utimensAt: a time is a bigint, 'now' or 'omit'");
  if (!get_int(env, argv[4], &flags)) return type_error(env, "utimensAt: flags must be a number");
  if (bad > 0) return errno_value(env, bad);
  if (atime < 0 || mtime < 0 || (flags & ~AT_SYMLINK_NOFOLLOW) != 0) return errno_value(env, EINVAL);
  if (dirfd < 0) return errno_value(env, EBADF);

  int rc;
  if (name[0] == '\0') {
    if ((flags & AT_SYMLINK_NOFOLLOW) != 0) return errno_value(env, EINVAL);
    char self[32];
    snprintf(self, sizeof self, "/proc/self/fd/%d", dirfd);
    rc = utimensat(AT_FDCWD, self, times, 0);
  } else {
    rc = utimensat(dirfd, name, times, flags);
  }
  if (rc != 0) return errno_value(env, errno);
  return NULL;
}

/*
 * readlinkAt(dirfd, name) -> Buffer | errno name. The target of the symlink `name` in `dirfd`; an empty
 * name reads the symlink an O_PATH descriptor `dirfd` refers to (readlinkat(fd, "")), which is how a
 * symlink held by descriptor is read without knowing its path ('EINVAL' when it is not a symlink). Targets longer than PATH_MAX - 1 bytes do
 * not exist on Linux; one that fills the buffer is reported as 'ENAMETOOLONG' rather than cut.
 */
static napi_value readlink_at(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t dirfd;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "readlinkAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "readlinkAt: name must be a Buffer");
  if (bad > 0) return errno_value(env, bad);
  if (dirfd < 0) return errno_value(env, EBADF);
  char *target = malloc(PATH_MAX);
  if (target == NULL) return errno_value(env, ENOMEM);
  ssize_t length = readlinkat(dirfd, name, target, PATH_MAX);
  if (length < 0 || length >= PATH_MAX) {
    int err = length < 0 ? errno : ENAMETOOLONG;
    /* With an empty name the kernel answers ENOENT for a descriptor that is not a symlink. */
    if (err == ENOENT && name[0] == '\0') err = EINVAL;
    free(target);
    return errno_value(env, err);
  }
  napi_value result;
  napi_status status = napi_create_buffer_copy(env, (size_t)length, target, NULL, &result);
  free(target);
  if (status != napi_ok) return fail_call(env, "napi_create_buffer_copy");
  return result;
}

/*
 * mknodAt(dirfd, name, mode, major, minor) -> undefined | errno name. mknodat(2): `mode` holds the type
 * (S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK; S_IFREG and S_IFDIR are refused with 'EINVAL', the other calls make
 * those) and the permission bits, to which the process umask applies.
 */
static napi_value mknod_at(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  int32_t dirfd, mode, major_number, minor_number;
  if (!get_int(env, argv[0], &dirfd)) return type_error(env, "mknodAt: dirfd must be a number");
  char name[NAME_MAX + 1];
  int bad = get_name(env, argv[1], name);
  if (bad < 0) return type_error(env, "mknodAt: name must be a Buffer");
  if (!get_int(env, argv[2], &mode)) return type_error(env, "mknodAt: mode must be a number");
  if (!get_int(env, argv[3], &major_number)) return type_error(env, "mknodAt: major must be a number");
  if (!get_int(env, argv[4], &minor_number)) return type_error(env, "mknodAt: minor must be a number");
  if (bad > 0) return errno_value(env, bad);
  if (name[0] == '\0') return errno_value(env, ENOENT);
  if (dirfd < 0) return errno_value(env, EBADF);
  mode_t type = (mode_t)mode & S_IFMT;
  if (type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK) return errno_value(env, EINVAL);
  if (major_number < 0 || minor_number < 0) return errno_value(env, EINVAL);
  dev_t dev = makedev((unsigned int)major_number, (unsigned int)minor_number);
  if (mknodat(dirfd, name, (mode_t)mode, dev) != 0) return errno_value(env, errno);
  return NULL;
}

static napi_status export_int(napi_env env, napi_value target, const char *key, int32_t value) {
  napi_value v;
  napi_status status = napi_create_int32(env, value, &v);
  if (status != napi_ok) return status;
  return napi_set_named_property(env, target, key, v);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"statxAt", NULL, statx_at, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openAt", NULL, open_at, NULL, NULL, NULL, napi_enumerable, NULL},
      {"nameToHandleAt", NULL, name_to_handle_at_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openByHandleAt", NULL, open_by_handle_at_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"linkFdAt", NULL, link_fd_at, NULL, NULL, NULL, napi_enumerable, NULL},
      {"utimensAt", NULL, utimens_at, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readlinkAt", NULL, readlink_at, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknodAt", NULL, mknod_at, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  napi_value constants;
  CHECK(env, napi_create_object(env, &constants));
  CHECK(env, export_int(env, constants, "O_PATH", O_PATH));
  CHECK(env, export_int(env, constants, "AT_EMPTY_PATH", AT_EMPTY_PATH));
  CHECK(env, export_int(env, constants, "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW));
  CHECK(env, export_int(env, constants, "MAX_HANDLE_SZ", MAX_HANDLE_SZ));
  CHECK(env, export_int(env, constants, "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW));
  CHECK(env, napi_set_named_property(env, exports, "constants", constants));
  if (define_async_ops(env, exports) != napi_ok) return fail_call(env, "define_async_ops");
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
