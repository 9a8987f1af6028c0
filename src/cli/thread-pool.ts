/**
 * Sizes libuv's thread pool before anything uses it (this module is imported first). Every filesystem
 * call of the server runs there: with the default 4 threads, four requests stuck behind a slow disk
 * (a create waiting for the journal during another client's fsync) would stall every other client's
 * filesystem work. Waiting threads cost little, so the pool is larger; UV_THREADPOOL_SIZE set by the
 * operator wins.
 */
const DEFAULT_THREADS = 32;

process.env.UV_THREADPOOL_SIZE ??= String(DEFAULT_THREADS);
