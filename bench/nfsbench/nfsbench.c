/*
 * nfsbench - a small, server-agnostic NFSv3 benchmark client built on libnfs.
 *
 * It mounts one export (the MOUNT protocol is only used to obtain the root
 * file handle), then drives the NFSv3 program directly through libnfs' raw
 * RPC layer, so that every measured operation is exactly the RPC(s) named
 * below: no client-side caching, no hidden LOOKUP/GETATTR/ACCESS traffic.
 *
 * Workloads (each prints one JSON line per phase on stdout):
 *   null     NFSPROC3_NULL, qd=1 and qd=Q               (RPC floor)
 *   getattr  GETATTR(root), qd=1 and qd=Q
 *   lookup   LOOKUP(dir,name)+GETATTR(obj) in a 1000-file directory
 *   write    CREATE(size=0), sequential WRITEs, COMMIT       (MiB/s)
 *   read     sequential READs of that file, data verified    (MiB/s)
 *   create   CREATE+WRITE 1 KiB+COMMIT of N files, then REMOVE (files/s)
 *   readdir  full READDIRPLUS listings of a 10000-entry directory: the first
 *            one alone, then repeated ones
 *   mixed    a seeded metadata mix (GETATTR/LOOKUP/ACCESS/SETATTR/FSSTAT/
 *            CREATE+REMOVE)
 *
 * Correctness is checked as we go (see "verify" in the JSON): a server that
 * drops data, returns the wrong object for a name, loses directory entries or
 * changes its write verifier mid-run fails loudly instead of looking fast.
 *
 * Everything lives under one working directory (default "nfsbench") in the
 * export root.  Fixtures (the lookup and readdir directories, the data file)
 * are created on first use and reused by later runs; --cleanup removes them.
 *
 * Concurrency model: one TCP connection, one thread, a poll() loop around
 * rpc_service().  "qd" is the number of requests (or request chains) kept in
 * flight on that connection.
 *
 * Build: make            (needs libnfs-dev >= 4.0)
 * Usage: nfsbench --help
 *
 * nfsgate's copy, built by its benchmark (bench/run.ts). It differs from the
 * reference client in the readdir workload only: the first complete listing
 * is its own phase ("first"), and the fixture may be a directory made on the
 * server's host (--readdir-dir, --readdir-made-on-host), so that the first
 * listing is the server's first look at those entries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

#define NFSBENCH_VERSION "1.1"

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

#define MAX_QDS 8

static struct options {
	const char *url;
	const char *workloads;	/* comma list */
	double duration;	/* seconds per time-based phase */
	double warmup;		/* seconds discarded before each time-based phase */
	int qds[MAX_QDS];	/* queue depths for throughput phases */
	int nqds;
	int io_qd;		/* READ/WRITE requests in flight */
	uint64_t size_mib;	/* write/read file size */
	uint32_t bs;		/* READ/WRITE size; 0 = from FSINFO */
	int stable;		/* stable_how for the write workload */
	uint32_t create_files;
	uint32_t create_bytes;
	uint32_t lookup_files;
	uint32_t readdir_entries;
	const char *readdir_dir;	/* readdir fixture; NULL = readdir.<entries> */
	int readdir_host_made;	/* the fixture was made on the host: no CREATEs */
	uint32_t rdp_maxcount;
	uint32_t rdp_dircount;
	int verify;
	const char *dir;	/* working directory under the export root */
	uint64_t seed;
	int cleanup;
	int server_pid;
	const char *label;
	double timeout;		/* stall watchdog, seconds */
	int debug;
	int cpu_qos;		/* hold /dev/cpu_dma_latency at 0 while running */
} opt = {
	.workloads = "null,getattr,lookup,write,read,create,readdir,mixed",
	.duration = 3.0,
	.warmup = 0.5,
	.qds = {32},
	.nqds = 1,
	.io_qd = 8,
	.size_mib = 1024,
	.bs = 0,
	.stable = UNSTABLE,
	.create_files = 2000,
	.create_bytes = 1024,
	.lookup_files = 1000,
	.readdir_entries = 10000,
	.rdp_maxcount = 32768,
	.rdp_dircount = 32768,
	.verify = 1,
	.dir = "nfsbench",
	.seed = 1,
	.timeout = 30.0,
	.label = "",
};

/* ------------------------------------------------------------------------ */
/* Small utilities                                                          */
/* ------------------------------------------------------------------------ */

static int g_failed;		/* any error or verification failure */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfsbench: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfsbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (p == NULL)
		die("out of memory (%zu x %zu)", n, sz);
	return p;
}

/* SplitMix64: deterministic pseudo-random numbers from (seed, index). */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* Print a JSON string literal. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ------------------------------------------------------------------------ */
/* File handles                                                             */
/* ------------------------------------------------------------------------ */

struct fh {
	uint32_t len;
	char data[NFS3_FHSIZE];
};

/* A libnfs nfs_fh3 view of our handle (no copy; valid while *f lives). */
static nfs_fh3 fh3(const struct fh *f)
{
	nfs_fh3 r;

	r.data.data_len = f->len;
	r.data.data_val = (char *)f->data;
	return r;
}

/* Copy a wire handle; returns -1 if it is not a valid NFSv3 handle. */
static int fh_set(struct fh *dst, const nfs_fh3 *src)
{
	if (src->data.data_len == 0 || src->data.data_len > NFS3_FHSIZE)
		return -1;
	dst->len = src->data.data_len;
	memcpy(dst->data, src->data.data_val, dst->len);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Data pattern                                                             */
/*                                                                          */
/* A file is a sequence of 4 KiB blocks.  Block k of file F is a 4 KiB      */
/* window into a 1 MiB pseudo-random buffer (window start depends on k),    */
/* with its first 16 bytes replaced by {tag(F), k}.  So a block that is     */
/* stale, zero-filled, misplaced or from another file fails the check, and  */
/* both fill and check are a single memcpy/memcmp per block.                */
/* ------------------------------------------------------------------------ */

#define PBLK 4096u
#define PBASE (1u << 20)
static uint8_t *pat_base;	/* PBASE + PBLK bytes */

static void pat_init(void)
{
	uint64_t i;

	pat_base = xcalloc(PBASE + PBLK, 1);
	for (i = 0; i < (PBASE + PBLK) / 8; i++) {
		uint64_t v = mix64(opt.seed * 0x1000003ull + i);

		memcpy(pat_base + i * 8, &v, 8);
	}
}

static const uint8_t *pat_window(uint64_t blk)
{
	return pat_base + (blk * 4160u) % PBASE;
}

static void pat_header(uint8_t hdr[16], uint64_t file_tag, uint64_t blk)
{
	uint64_t h[2] = { mix64(opt.seed ^ (file_tag * 0x100000001B3ull)), blk };

	memcpy(hdr, h, 16);
}

/* Fill buf with the pattern of file file_tag at [off, off+len). */
static void pat_fill(uint8_t *buf, uint64_t file_tag, uint64_t off, size_t len)
{
	while (len > 0) {
		uint64_t blk = off / PBLK;
		uint32_t in = off % PBLK;
		uint32_t n = PBLK - in;
		uint8_t tmp[PBLK];

		if (n > len)
			n = (uint32_t)len;
		memcpy(tmp, pat_window(blk), PBLK);
		pat_header(tmp, file_tag, blk);
		memcpy(buf, tmp + in, n);
		buf += n;
		off += n;
		len -= n;
	}
}

/* Check buf against the pattern; returns the offset of the first bad byte,
 * or UINT64_MAX if everything matches. */
static uint64_t pat_check(const uint8_t *buf, uint64_t file_tag, uint64_t off, size_t len)
{
	while (len > 0) {
		uint64_t blk = off / PBLK;
		uint32_t in = off % PBLK;
		uint32_t n = PBLK - in;
		uint8_t hdr[16];

		if (n > len)
			n = (uint32_t)len;
		pat_header(hdr, file_tag, blk);
		if (in == 0 && n == PBLK) {
			/* fast path: whole block */
			if (memcmp(buf, hdr, 16) != 0 ||
			    memcmp(buf + 16, pat_window(blk) + 16, PBLK - 16) != 0)
				return off;
		} else {
			uint8_t tmp[PBLK];

			memcpy(tmp, pat_window(blk), PBLK);
			memcpy(tmp, hdr, 16);
			if (memcmp(buf, tmp + in, n) != 0)
				return off;
		}
		buf += n;
		off += n;
		len -= n;
	}
	return UINT64_MAX;
}

/* ------------------------------------------------------------------------ */
/* Latency samples                                                          */
/* ------------------------------------------------------------------------ */

struct lat {
	uint64_t *v;		/* nanoseconds */
	size_t n, cap;
};

static void lat_add(struct lat *l, uint64_t ns)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL)
			die("out of memory (latency samples)");
	}
	l->v[l->n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile on a sorted array. */
static double lat_pct_us(const struct lat *l, double p)
{
	size_t k;

	if (l->n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)l->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > l->n)
		k = l->n;
	return (double)l->v[k - 1] / 1000.0;
}

static void lat_json(FILE *f, const char *key, struct lat *l)
{
	double sum = 0;
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), cmp_u64);
	for (i = 0; i < l->n; i++)
		sum += (double)l->v[i];
	fprintf(f, ",\"%s\":{\"n\":%zu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
		"\"p999\":%.1f,\"max\":%.1f,\"mean\":%.1f}",
		key, l->n, lat_pct_us(l, 50), lat_pct_us(l, 90), lat_pct_us(l, 99),
		lat_pct_us(l, 99.9), l->n ? (double)l->v[l->n - 1] / 1000.0 : 0.0,
		l->n ? sum / (double)l->n / 1000.0 : 0.0);
}

static void lat_free(struct lat *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------------ */
/* CPU accounting (client, optional server pid, whole machine)              */
/* ------------------------------------------------------------------------ */

struct cpu_snap {
	double client_s;	/* user+sys of this process */
	double server_s;	/* user+sys of --server-pid (all threads) */
	uint64_t sys_busy, sys_total;	/* /proc/stat jiffies */
};

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void cpu_snap(struct cpu_snap *s)
{
	struct rusage ru;
	char buf[1024];
	FILE *f;

	memset(s, 0, sizeof(*s));
	getrusage(RUSAGE_SELF, &ru);
	s->client_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);

	if (opt.server_pid > 0) {
		snprintf(buf, sizeof(buf), "/proc/%d/stat", opt.server_pid);
		f = fopen(buf, "r");
		if (f) {
			if (fgets(buf, sizeof(buf), f)) {
				/* fields after the ")" of comm: state is field 3,
				 * utime field 14, stime field 15 */
				char *p = strrchr(buf, ')');
				unsigned long ut = 0, st = 0;

				if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
						&ut, &st) == 2)
					s->server_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
			}
			fclose(f);
		}
	}

	f = fopen("/proc/stat", "r");
	if (f) {
		unsigned long long v[10] = {0};

		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			int i;

			for (i = 0; i < 8; i++)
				s->sys_total += v[i];
			s->sys_busy = s->sys_total - v[3] - v[4];	/* minus idle, iowait */
		}
		fclose(f);
	}
}

/* ------------------------------------------------------------------------ */
/* Connection state                                                         */
/* ------------------------------------------------------------------------ */

static struct {
	struct nfs_context *nfs;
	struct rpc_context *rpc;
	char *server, *export;
	struct fh root;
	uint64_t root_fileid;
	struct fh work;		/* working directory */
	uint32_t rtmax, rtpref, wtmax, wtpref, dtpref;
	uint64_t nprocs;	/* online CPUs, for the record */
} C;

/* Run one iteration of the event loop (poll up to timeout_ms). */
static void pump(int timeout_ms)
{
	struct pollfd pfd;
	int n;

	pfd.fd = rpc_get_fd(C.rpc);
	pfd.events = (short)rpc_which_events(C.rpc);
	pfd.revents = 0;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return;
		die("poll: %s", strerror(errno));
	}
	if (rpc_service(C.rpc, n > 0 ? pfd.revents : 0) < 0)
		die("connection failed: %s", rpc_get_error(C.rpc));
}

/* ------------------------------------------------------------------------ */
/* Synchronous helpers for setup / teardown (not timed)                     */
/* ------------------------------------------------------------------------ */

struct sres {
	int done;
	int rpc_status;		/* RPC_STATUS_* */
	int nfs_status;		/* nfsstat3, -1 if not applicable */
	char err[256];
	int have_fh;
	struct fh fh;
	int have_attr;
	fattr3 attr;
	FSINFO3resok fsinfo;
	/* readdirplus */
	uint64_t last_cookie;
	char cookieverf[NFS3_COOKIEVERFSIZE];
	int eof;
	void (*entry_cb)(const char *name, void *arg);
	void *entry_arg;
};

static void s_attr(struct sres *s, const post_op_attr *a)
{
	if (a->attributes_follow) {
		s->have_attr = 1;
		s->attr = a->post_op_attr_u.attributes;
	}
}

static void s_fh(struct sres *s, const post_op_fh3 *h)
{
	if (h->handle_follows && fh_set(&s->fh, &h->post_op_fh3_u.handle) == 0)
		s->have_fh = 1;
}

enum sop { S_STATUS, S_GETATTR, S_LOOKUP, S_CREATE, S_MKDIR, S_FSINFO, S_RDP };

struct scall {
	struct sres *res;
	enum sop op;
};

static void sync_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct scall *c = priv;
	struct sres *s = c->res;

	(void)rpc;
	s->done = 1;
	s->rpc_status = status;
	if (status != RPC_STATUS_SUCCESS) {
		snprintf(s->err, sizeof(s->err), "RPC status %d: %s", status,
			 (status == RPC_STATUS_ERROR && data) ? (char *)data : "");
		return;
	}
	/* every NFSv3 result starts with nfsstat3 */
	s->nfs_status = *(int *)data;
	if (s->nfs_status != NFS3_OK) {
		snprintf(s->err, sizeof(s->err), "%s", nfsstat3_to_str(s->nfs_status));
		return;
	}
	switch (c->op) {
	case S_STATUS:
		break;
	case S_GETATTR: {
		GETATTR3res *r = data;

		s->have_attr = 1;
		s->attr = r->GETATTR3res_u.resok.obj_attributes;
		break;
	}
	case S_LOOKUP: {
		LOOKUP3res *r = data;

		if (fh_set(&s->fh, &r->LOOKUP3res_u.resok.object) == 0)
			s->have_fh = 1;
		s_attr(s, &r->LOOKUP3res_u.resok.obj_attributes);
		break;
	}
	case S_CREATE: {
		CREATE3res *r = data;

		s_fh(s, &r->CREATE3res_u.resok.obj);
		s_attr(s, &r->CREATE3res_u.resok.obj_attributes);
		break;
	}
	case S_MKDIR: {
		MKDIR3res *r = data;

		s_fh(s, &r->MKDIR3res_u.resok.obj);
		s_attr(s, &r->MKDIR3res_u.resok.obj_attributes);
		break;
	}
	case S_FSINFO: {
		FSINFO3res *r = data;

		s->fsinfo = r->FSINFO3res_u.resok;
		break;
	}
	case S_RDP: {
		READDIRPLUS3res *r = data;
		entryplus3 *e;

		memcpy(s->cookieverf, r->READDIRPLUS3res_u.resok.cookieverf, NFS3_COOKIEVERFSIZE);
		for (e = r->READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry) {
			s->last_cookie = e->cookie;
			if (s->entry_cb)
				s->entry_cb(e->name, s->entry_arg);
		}
		s->eof = r->READDIRPLUS3res_u.resok.reply.eof;
		break;
	}
	}
}

static void sync_wait(struct sres *s, const char *what)
{
	uint64_t deadline = now_ns() + (uint64_t)(opt.timeout * 1e9);

	while (!s->done) {
		pump(100);
		if (now_ns() > deadline)
			die("%s: no reply within %.0f s", what, opt.timeout);
	}
}

#define SYNC_BEGIN(res, opkind)                         \
	struct scall _c = { (res), (opkind) };          \
	memset((res), 0, sizeof(*(res)));               \
	(res)->nfs_status = -1
#define SYNC_END(res, what, rc)                                         \
	do {                                                            \
		if ((rc) != 0)                                          \
			die("%s: cannot queue request: %s", (what),     \
			    rpc_get_error(C.rpc));                      \
		sync_wait((res), (what));                               \
		if ((res)->rpc_status != RPC_STATUS_SUCCESS)            \
			die("%s: %s", (what), (res)->err);              \
	} while (0)

static int s_getattr(const struct fh *f, struct sres *res)
{
	GETATTR3args a;
	SYNC_BEGIN(res, S_GETATTR);

	a.object = fh3(f);
	SYNC_END(res, "GETATTR", rpc_nfs3_getattr_async(C.rpc, sync_cb, &a, &_c));
	return res->nfs_status;
}

static int s_lookup(const struct fh *dir, const char *name, struct sres *res)
{
	LOOKUP3args a;
	SYNC_BEGIN(res, S_LOOKUP);

	a.what.dir = fh3(dir);
	a.what.name = (char *)name;
	SYNC_END(res, "LOOKUP", rpc_nfs3_lookup_async(C.rpc, sync_cb, &a, &_c));
	return res->nfs_status;
}

static int s_mkdir(const struct fh *dir, const char *name, struct sres *res)
{
	MKDIR3args a;
	SYNC_BEGIN(res, S_MKDIR);

	memset(&a, 0, sizeof(a));
	a.where.dir = fh3(dir);
	a.where.name = (char *)name;
	a.attributes.mode.set_it = 1;
	a.attributes.mode.set_mode3_u.mode = 0755;
	SYNC_END(res, "MKDIR", rpc_nfs3_mkdir_async(C.rpc, sync_cb, &a, &_c));
	return res->nfs_status;
}

/* CREATE; unchecked=1 truncates an existing file to size 0. */
static int s_create(const struct fh *dir, const char *name, int unchecked, struct sres *res)
{
	CREATE3args a;
	SYNC_BEGIN(res, S_CREATE);

	memset(&a, 0, sizeof(a));
	a.where.dir = fh3(dir);
	a.where.name = (char *)name;
	a.how.mode = unchecked ? UNCHECKED : GUARDED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	if (unchecked) {
		a.how.createhow3_u.obj_attributes.size.set_it = 1;
		a.how.createhow3_u.obj_attributes.size.set_size3_u.size = 0;
	}
	SYNC_END(res, "CREATE", rpc_nfs3_create_async(C.rpc, sync_cb, &a, &_c));
	return res->nfs_status;
}

static int s_remove(const struct fh *dir, const char *name, int isdir)
{
	struct sres res;
	SYNC_BEGIN(&res, S_STATUS);

	if (isdir) {
		RMDIR3args a;

		a.object.dir = fh3(dir);
		a.object.name = (char *)name;
		SYNC_END(&res, "RMDIR", rpc_nfs3_rmdir_async(C.rpc, sync_cb, &a, &_c));
	} else {
		REMOVE3args a;

		a.object.dir = fh3(dir);
		a.object.name = (char *)name;
		SYNC_END(&res, "REMOVE", rpc_nfs3_remove_async(C.rpc, sync_cb, &a, &_c));
	}
	return res.nfs_status;
}

static void s_fsinfo(struct sres *res)
{
	FSINFO3args a;
	SYNC_BEGIN(res, S_FSINFO);

	a.fsroot = fh3(&C.root);
	SYNC_END(res, "FSINFO", rpc_nfs3_fsinfo_async(C.rpc, sync_cb, &a, &_c));
	if (res->nfs_status != NFS3_OK)
		die("FSINFO: %s", res->err);
}

/* List a directory with READDIRPLUS, calling cb(name) for every entry. */
static int s_listdir(const struct fh *dir, void (*cb)(const char *, void *), void *arg)
{
	uint64_t cookie = 0;
	char verf[NFS3_COOKIEVERFSIZE] = {0};

	for (;;) {
		struct sres res;
		READDIRPLUS3args a;
		SYNC_BEGIN(&res, S_RDP);

		res.entry_cb = cb;
		res.entry_arg = arg;
		a.dir = fh3(dir);
		a.cookie = cookie;
		memcpy(a.cookieverf, verf, sizeof(verf));
		a.dircount = opt.rdp_dircount;
		a.maxcount = opt.rdp_maxcount;
		SYNC_END(&res, "READDIRPLUS", rpc_nfs3_readdirplus_async(C.rpc, sync_cb, &a, &_c));
		if (res.nfs_status != NFS3_OK)
			return res.nfs_status;
		if (res.eof)
			return NFS3_OK;
		if (res.last_cookie == cookie)
			die("READDIRPLUS made no progress (cookie %" PRIu64 ")", cookie);
		cookie = res.last_cookie;
		memcpy(verf, res.cookieverf, sizeof(verf));
	}
}

/* LOOKUP name in dir, or create it (directory if isdir). */
static void s_ensure(const struct fh *dir, const char *name, int isdir, struct fh *out)
{
	struct sres res;
	int st = s_lookup(dir, name, &res);

	if (st == NFS3ERR_NOENT) {
		st = isdir ? s_mkdir(dir, name, &res) : s_create(dir, name, 0, &res);
		if (st == NFS3_OK && !res.have_fh)
			st = s_lookup(dir, name, &res);
	}
	if (st != NFS3_OK || !res.have_fh)
		die("cannot look up or create '%s': %s", name,
		    st == NFS3_OK ? "no file handle returned" : res.err);
	*out = res.fh;
}

/* ------------------------------------------------------------------------ */
/* Phases: the generic in-flight driver                                     */
/*                                                                          */
/* A phase issues "chains" (one or more dependent RPCs, e.g. LOOKUP then    */
/* GETATTR) through a fixed number of slots (= queue depth).  Time-based   */
/* phases run warmup+duration seconds and only measure chains started after */
/* the warmup; count-based phases run a fixed number of chains.             */
/* ------------------------------------------------------------------------ */

struct phase;

struct req {
	struct phase *ph;
	int slot;
	int busy;
	int measured;		/* started after warmup */
	uint64_t idx;		/* chain number within the phase */
	uint64_t t0;		/* chain start, ns */
	uint64_t t_rpc;		/* current RPC start, ns */
	int step;		/* position within the chain */
	int kind;		/* mixed: which operation */
	uint64_t arg;		/* workload-specific (file index, offset...) */
	uint32_t len;		/* READ/WRITE length */
	struct fh fh;		/* workload-specific handle */
	char name[64];
};

typedef int (*issue_fn)(struct req *r);

struct phase {
	const char *workload;
	char name[32];
	int qd;
	/* stop condition */
	int by_time;
	uint64_t target;	/* chains, when !by_time */
	uint64_t t_begin, t_measure, t_end, t_last;
	/* progress */
	uint64_t issued, done, measured;
	uint64_t rpcs;
	uint64_t bytes;
	int inflight;
	int abort;
	uint64_t last_progress;
	/* outcome */
	uint64_t errors;	/* RPC or NFS errors */
	uint64_t verify_errors;
	uint64_t warnings;
	char first_error[256];
	char first_warning[256];
	struct lat lat;		/* per chain */
	struct lat rpc_lat;	/* per RPC (only filled by some workloads) */
	struct cpu_snap cpu0, cpu1;
	/* extra JSON fields appended by the workload */
	char extra[1024];
	issue_fn issue;
	struct req *slots;
	int *freelist, nfree;
	uint64_t counters[8];	/* workload-specific */
};

static void ph_init(struct phase *ph, const char *workload, const char *name, int qd)
{
	memset(ph, 0, sizeof(*ph));
	ph->workload = workload;
	snprintf(ph->name, sizeof(ph->name), "%s", name);
	ph->qd = qd;
}

static void ph_error(struct phase *ph, int verify, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ph_error(struct phase *ph, int verify, const char *fmt, ...)
{
	va_list ap;

	if (verify)
		ph->verify_errors++;
	else
		ph->errors++;
	if (ph->first_error[0] == 0) {
		va_start(ap, fmt);
		vsnprintf(ph->first_error, sizeof(ph->first_error), fmt, ap);
		va_end(ap);
		if (opt.debug)
			warnx("%s/%s: %s", ph->workload, ph->name, ph->first_error);
	}
	/* do not keep hammering a server that fails everything */
	if (ph->errors + ph->verify_errors > 1000)
		ph->abort = 1;
}

static void ph_warn(struct phase *ph, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ph_warn(struct phase *ph, const char *fmt, ...)
{
	va_list ap;

	ph->warnings++;
	if (ph->first_warning[0] == 0) {
		va_start(ap, fmt);
		vsnprintf(ph->first_warning, sizeof(ph->first_warning), fmt, ap);
		va_end(ap);
	}
}

static void ph_extra(struct phase *ph, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ph_extra(struct phase *ph, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(ph->extra);

	va_start(ap, fmt);
	vsnprintf(ph->extra + n, sizeof(ph->extra) - n, fmt, ap);
	va_end(ap);
}

/* Called by callbacks when a reply arrives (before looking at it). */
static struct phase *rpc_reply(struct req *r, int status, void *data, const char *op)
{
	struct phase *ph = r->ph;
	uint64_t t = now_ns();

	ph->last_progress = t;
	if (r->measured) {
		ph->rpcs++;
		lat_add(&ph->rpc_lat, t - r->t_rpc);
	}
	if (status != RPC_STATUS_SUCCESS) {
		ph_error(ph, 0, "%s: RPC failure %d: %s", op, status,
			 (status == RPC_STATUS_ERROR && data) ? (char *)data : "");
		return NULL;
	}
	return ph;
}

/* Check an nfsstat3; returns 0 if NFS3_OK. */
static int nfs_ok(struct req *r, void *data, const char *op)
{
	int st = *(int *)data;

	if (st != NFS3_OK) {
		ph_error(r->ph, 0, "%s %s: %s", op, r->name[0] ? r->name : "",
			 nfsstat3_to_str(st));
		return -1;
	}
	return 0;
}

/* End of a chain (successful or not). */
static void req_done(struct req *r)
{
	struct phase *ph = r->ph;
	uint64_t t = now_ns();

	if (r->measured) {
		lat_add(&ph->lat, t - r->t0);
		ph->measured++;
		ph->t_last = t;
	}
	ph->done++;
	ph->inflight--;
	r->busy = 0;
	ph->freelist[ph->nfree++] = r->slot;
}

/* Mark the start of the next RPC of a chain. */
static void rpc_start(struct req *r)
{
	r->t_rpc = now_ns();
}

static int ph_can_issue(struct phase *ph, uint64_t t)
{
	if (ph->abort)
		return 0;
	if (ph->by_time)
		return t < ph->t_end;
	return ph->issued < ph->target;
}

/* Run a phase to completion. */
static void ph_run(struct phase *ph, issue_fn issue)
{
	int i;

	ph->issue = issue;
	ph->slots = xcalloc((size_t)ph->qd, sizeof(struct req));
	ph->freelist = xcalloc((size_t)ph->qd, sizeof(int));
	for (i = ph->qd - 1; i >= 0; i--) {
		ph->slots[i].slot = i;
		ph->slots[i].ph = ph;
		ph->freelist[ph->nfree++] = i;
	}
	cpu_snap(&ph->cpu0);
	ph->t_begin = ph->last_progress = now_ns();
	if (ph->by_time) {
		ph->t_measure = ph->t_begin + (uint64_t)(opt.warmup * 1e9);
		ph->t_end = ph->t_measure + (uint64_t)(opt.duration * 1e9);
	} else {
		ph->t_measure = ph->t_begin;
	}
	for (;;) {
		uint64_t t = now_ns();

		while (ph->nfree > 0 && ph_can_issue(ph, t)) {
			struct req *r = &ph->slots[ph->freelist[--ph->nfree]];

			memset(&r->measured, 0, sizeof(*r) - offsetof(struct req, measured));
			r->busy = 1;
			r->idx = ph->issued++;
			r->t0 = r->t_rpc = t;
			r->measured = t >= ph->t_measure;
			ph->inflight++;
			if (issue(r) != 0) {
				ph_error(ph, 0, "cannot queue request: %s", rpc_get_error(C.rpc));
				ph->abort = 1;
				ph->inflight--;
				r->busy = 0;
				ph->freelist[ph->nfree++] = r->slot;
			}
			t = now_ns();
		}
		if (ph->inflight == 0 && !ph_can_issue(ph, t))
			break;
		pump(100);
		if (now_ns() - ph->last_progress > (uint64_t)(opt.timeout * 1e9))
			die("%s/%s: no reply for %.0f s (%d requests in flight)",
			    ph->workload, ph->name, opt.timeout, ph->inflight);
	}
	cpu_snap(&ph->cpu1);
	if (ph->t_last == 0)
		ph->t_last = now_ns();
	free(ph->slots);
	free(ph->freelist);
	ph->slots = NULL;
	ph->freelist = NULL;
}

/* Print the JSON result line of a phase; unit_name/per_chain describe what a
 * chain is ("ops", "files", ...).  Returns elapsed seconds. */
static double ph_report(struct phase *ph, const char *unit_name)
{
	double el = (double)(ph->t_last - ph->t_measure) / 1e9;
	double cpu_el = (double)(now_ns() - ph->t_begin) / 1e9;
	FILE *f = stdout;
	int ok = ph->errors == 0 && ph->verify_errors == 0;

	if (el <= 0)
		el = 1e-9;
	if (!ok)
		g_failed = 1;
	fprintf(f, "{\"type\":\"result\",\"tool\":\"nfsbench\",\"label\":");
	json_str(f, opt.label);
	fprintf(f, ",\"workload\":\"%s\",\"phase\":\"%s\",\"qd\":%d", ph->workload, ph->name, ph->qd);
	fprintf(f, ",\"%s\":%" PRIu64 ",\"rpcs\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"verify_errors\":%" PRIu64 ",\"warnings\":%" PRIu64,
		unit_name, ph->measured, ph->rpcs, ph->errors, ph->verify_errors, ph->warnings);
	fprintf(f, ",\"verify\":\"%s\"", !opt.verify ? "off" : ph->verify_errors ? "FAILED" : "ok");
	fprintf(f, ",\"elapsed_s\":%.4f,\"%s_per_s\":%.1f", el, unit_name, (double)ph->measured / el);
	if (ph->bytes)
		fprintf(f, ",\"bytes\":%" PRIu64 ",\"mib_per_s\":%.1f", ph->bytes,
			(double)ph->bytes / 1048576.0 / el);
	lat_json(f, "lat_us", &ph->lat);
	if (ph->rpc_lat.n && ph->rpc_lat.n != ph->lat.n)
		lat_json(f, "rpc_lat_us", &ph->rpc_lat);
	fprintf(f, ",\"cpu\":{\"client\":%.3f", (ph->cpu1.client_s - ph->cpu0.client_s) / cpu_el);
	if (opt.server_pid > 0)
		fprintf(f, ",\"server\":%.3f", (ph->cpu1.server_s - ph->cpu0.server_s) / cpu_el);
	if (ph->cpu1.sys_total > ph->cpu0.sys_total)
		fprintf(f, ",\"machine_busy\":%.3f",
			(double)(ph->cpu1.sys_busy - ph->cpu0.sys_busy) /
			(double)(ph->cpu1.sys_total - ph->cpu0.sys_total));
	fprintf(f, "}");
	fputs(ph->extra, f);
	if (ph->first_error[0]) {
		fprintf(f, ",\"first_error\":");
		json_str(f, ph->first_error);
	}
	if (ph->first_warning[0]) {
		fprintf(f, ",\"first_warning\":");
		json_str(f, ph->first_warning);
	}
	fprintf(f, "}\n");
	fflush(f);
	lat_free(&ph->lat);
	lat_free(&ph->rpc_lat);
	return el;
}

/* ------------------------------------------------------------------------ */
/* Workload: null                                                           */
/* ------------------------------------------------------------------------ */

static void null_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;

	(void)rpc;
	rpc_reply(r, status, data, "NULL");
	req_done(r);
}

static int null_issue(struct req *r)
{
	return rpc_nfs3_null_async(C.rpc, null_cb, r);
}

/* ------------------------------------------------------------------------ */
/* Workload: getattr (root handle)                                          */
/* ------------------------------------------------------------------------ */

static void getattr_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "GETATTR");

	(void)rpc;
	if (ph && nfs_ok(r, data, "GETATTR") == 0 && opt.verify) {
		fattr3 *a = &((GETATTR3res *)data)->GETATTR3res_u.resok.obj_attributes;

		if (a->type != NF3DIR || a->fileid != C.root_fileid)
			ph_error(ph, 1, "GETATTR(root): type %d fileid %" PRIu64
				 ", expected directory fileid %" PRIu64,
				 (int)a->type, (uint64_t)a->fileid, C.root_fileid);
	}
	req_done(r);
}

static int getattr_issue(struct req *r)
{
	GETATTR3args a;

	a.object = fh3(&C.root);
	return rpc_nfs3_getattr_async(C.rpc, getattr_cb, &a, r);
}

/* ------------------------------------------------------------------------ */
/* Fixture: a directory of N empty files with known names and fileids.      */
/* ------------------------------------------------------------------------ */

struct fixture {
	struct fh dir;
	uint32_t n;
	const char *fmt;	/* name format, one %u */
	struct fh *fh;
	uint64_t *fileid;
	int have_handles;
};

static struct fixture fx_lookup = { .fmt = "f%06u" };
static struct fixture fx_readdir = { .fmt = "e%06u" };

/* Create (GUARDED; existing is fine) and/or look up every name, qd-wide. */
static void fx_create_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "CREATE");

	(void)rpc;
	if (ph) {
		int st = *(int *)data;

		if (st != NFS3_OK && st != NFS3ERR_EXIST)
			ph_error(ph, 0, "CREATE %s: %s", r->name, nfsstat3_to_str(st));
	}
	req_done(r);
}

static struct fixture *g_fx;	/* fixture being built (setup is sequential) */

static int fx_create_issue(struct req *r)
{
	CREATE3args a;

	memset(&a, 0, sizeof(a));
	snprintf(r->name, sizeof(r->name), g_fx->fmt, (unsigned)r->idx);
	a.where.dir = fh3(&g_fx->dir);
	a.where.name = r->name;
	a.how.mode = GUARDED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	return rpc_nfs3_create_async(C.rpc, fx_create_cb, &a, r);
}

static void fx_lookup_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "LOOKUP");

	(void)rpc;
	if (ph && nfs_ok(r, data, "LOOKUP") == 0) {
		LOOKUP3resok *ok = &((LOOKUP3res *)data)->LOOKUP3res_u.resok;

		if (fh_set(&g_fx->fh[r->idx], &ok->object) != 0)
			ph_error(ph, 0, "LOOKUP %s: bad file handle", r->name);
		else if (ok->obj_attributes.attributes_follow)
			g_fx->fileid[r->idx] = ok->obj_attributes.post_op_attr_u.attributes.fileid;
		else
			g_fx->fileid[r->idx] = UINT64_MAX;	/* unknown */
	}
	req_done(r);
}

static int fx_lookup_issue(struct req *r)
{
	LOOKUP3args a;

	snprintf(r->name, sizeof(r->name), g_fx->fmt, (unsigned)r->idx);
	a.what.dir = fh3(&g_fx->dir);
	a.what.name = r->name;
	return rpc_nfs3_lookup_async(C.rpc, fx_lookup_cb, &a, r);
}

/* Make sure the fixture directory dirname holds n files (by CREATE unless
 * `create` is 0: someone made them already); optionally learn all
 * handles/fileids.  Prints a "setup" line to stderr. */
static void fx_prepare(struct fixture *fx, const char *dirname, uint32_t n, int want_handles, int create)
{
	struct phase ph;
	uint64_t t0 = now_ns();

	fx->n = n;
	s_ensure(&C.work, dirname, 1, &fx->dir);
	g_fx = fx;

	if (create) {
		ph_init(&ph, "setup", "create", 32);
		ph.target = n;
		ph_run(&ph, fx_create_issue);
		if (ph.errors)
			die("setup of %s failed: %s", dirname, ph.first_error);
		lat_free(&ph.lat);
		lat_free(&ph.rpc_lat);
	}

	if (want_handles) {
		fx->fh = xcalloc(n, sizeof(*fx->fh));
		fx->fileid = xcalloc(n, sizeof(*fx->fileid));
		ph_init(&ph, "setup", "lookup", 32);
		ph.target = n;
		ph_run(&ph, fx_lookup_issue);
		if (ph.errors)
			die("setup lookup of %s failed: %s", dirname, ph.first_error);
		lat_free(&ph.lat);
		lat_free(&ph.rpc_lat);
		fx->have_handles = 1;
	}
	if (opt.debug)
		warnx("fixture %s (%u files) ready in %.2f s", dirname, n,
		      (double)(now_ns() - t0) / 1e9);
}

/* Permute chain numbers over the fixture so that consecutive requests touch
 * different names (stride coprime with n). */
static uint32_t fx_pick(const struct fixture *fx, uint64_t idx)
{
	uint64_t stride = 7919;

	while (fx->n % stride == 0 && stride > 1)
		stride -= 2;
	return (uint32_t)((idx * stride) % fx->n);
}

/* ------------------------------------------------------------------------ */
/* Workload: lookup (LOOKUP + GETATTR of existing names)                    */
/* ------------------------------------------------------------------------ */

static void lookup_getattr_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "GETATTR");

	(void)rpc;
	if (ph && nfs_ok(r, data, "GETATTR") == 0 && opt.verify) {
		fattr3 *a = &((GETATTR3res *)data)->GETATTR3res_u.resok.obj_attributes;
		uint64_t want = fx_lookup.fileid[r->arg];

		if (a->type != NF3REG || (want != UINT64_MAX && a->fileid != want))
			ph_error(ph, 1, "GETATTR %s: type %d fileid %" PRIu64 ", expected file %" PRIu64,
				 r->name, (int)a->type, (uint64_t)a->fileid, want);
	}
	req_done(r);
}

static void lookup_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "LOOKUP");
	LOOKUP3resok *ok;
	GETATTR3args a;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "LOOKUP") != 0)
		goto done;
	ok = &((LOOKUP3res *)data)->LOOKUP3res_u.resok;
	if (fh_set(&r->fh, &ok->object) != 0) {
		ph_error(ph, 1, "LOOKUP %s: invalid file handle (len %u)", r->name,
			 ok->object.data.data_len);
		goto done;
	}
	if (opt.verify && ok->obj_attributes.attributes_follow) {
		uint64_t want = fx_lookup.fileid[r->arg];
		fattr3 *at = &ok->obj_attributes.post_op_attr_u.attributes;

		if (want != UINT64_MAX && at->fileid != want)
			ph_error(ph, 1, "LOOKUP %s: fileid %" PRIu64 ", expected %" PRIu64,
				 r->name, (uint64_t)at->fileid, want);
	}
	if (ph->abort)
		goto done;
	a.object = fh3(&r->fh);
	rpc_start(r);
	if (rpc_nfs3_getattr_async(C.rpc, lookup_getattr_cb, &a, r) == 0)
		return;
	ph_error(ph, 0, "cannot queue GETATTR: %s", rpc_get_error(C.rpc));
done:
	req_done(r);
}

static int lookup_issue(struct req *r)
{
	LOOKUP3args a;

	r->arg = fx_pick(&fx_lookup, r->idx);
	snprintf(r->name, sizeof(r->name), fx_lookup.fmt, (unsigned)r->arg);
	a.what.dir = fh3(&fx_lookup.dir);
	a.what.name = r->name;
	return rpc_nfs3_lookup_async(C.rpc, lookup_cb, &a, r);
}

/* ------------------------------------------------------------------------ */
/* Workloads: write / read of one large file                                */
/* ------------------------------------------------------------------------ */

#define DATA_TAG 0xDA7A

static struct {
	struct fh fh;
	char name[64];
	uint64_t size;
	uint32_t bs;
	int written;		/* file holds the pattern (this run) */
	uint8_t *buf;		/* bs bytes */
	int have_verf;
	char verf[NFS3_WRITEVERFSIZE];
} D;

static const char *stable_name(int s)
{
	return s == FILE_SYNC ? "file_sync" : s == DATA_SYNC ? "data_sync" : "unstable";
}

static void write_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "WRITE");

	(void)rpc;
	if (ph && nfs_ok(r, data, "WRITE") == 0) {
		WRITE3resok *ok = &((WRITE3res *)data)->WRITE3res_u.resok;

		if (ok->count != r->len)
			ph_error(ph, 1, "WRITE at %" PRIu64 ": server wrote %u of %u bytes (short writes are not retried)",
				 r->arg, ok->count, r->len);
		else
			ph->bytes += r->len;
		if ((int)ok->committed < opt.stable)
			ph_error(ph, 1, "WRITE at %" PRIu64 ": committed=%s weaker than requested %s",
				 r->arg, stable_name(ok->committed), stable_name(opt.stable));
		if (!D.have_verf) {
			memcpy(D.verf, ok->verf, NFS3_WRITEVERFSIZE);
			D.have_verf = 1;
		} else if (memcmp(D.verf, ok->verf, NFS3_WRITEVERFSIZE) != 0) {
			ph_error(ph, 1, "WRITE at %" PRIu64 ": write verifier changed (server restart?)", r->arg);
		}
	}
	req_done(r);
}

static int write_issue(struct req *r)
{
	WRITE3args a;
	uint64_t off = r->idx * D.bs;
	uint32_t len = (uint32_t)(D.size - off < D.bs ? D.size - off : D.bs);

	r->arg = off;
	r->len = len;
	pat_fill(D.buf, DATA_TAG, off, len);
	memset(&a, 0, sizeof(a));
	a.file = fh3(&D.fh);
	a.offset = off;
	a.count = len;
	a.stable = opt.stable;
	a.data.data_len = len;
	a.data.data_val = (char *)D.buf;
	/* libnfs copies the payload into the request, so D.buf can be reused */
	return rpc_nfs3_write_async(C.rpc, write_cb, &a, r);
}

static void read_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "READ");

	(void)rpc;
	if (ph && nfs_ok(r, data, "READ") == 0) {
		READ3resok *ok = &((READ3res *)data)->READ3res_u.resok;
		int at_end = r->arg + r->len >= D.size;

		if (ok->count != r->len || ok->data.data_len != r->len) {
			ph_error(ph, 1, "READ at %" PRIu64 ": got %u bytes (data %u), expected %u",
				 r->arg, ok->count, ok->data.data_len, r->len);
		} else {
			ph->bytes += r->len;
			if (opt.verify) {
				uint64_t bad = pat_check((const uint8_t *)ok->data.data_val,
							 DATA_TAG, r->arg, r->len);

				if (bad != UINT64_MAX)
					ph_error(ph, 1, "READ at %" PRIu64 ": data mismatch at file offset %" PRIu64,
						 r->arg, bad);
			}
		}
		if (at_end && !ok->eof)
			ph_warn(ph, "READ ending at EOF (offset %" PRIu64 ") did not set eof", r->arg);
		if (!at_end && ok->eof)
			ph_error(ph, 1, "READ at %" PRIu64 ": eof set before end of file", r->arg);
	}
	req_done(r);
}

static int read_issue(struct req *r)
{
	READ3args a;
	uint64_t off = r->idx * D.bs;
	uint32_t len = (uint32_t)(D.size - off < D.bs ? D.size - off : D.bs);

	r->arg = off;
	r->len = len;
	a.file = fh3(&D.fh);
	a.offset = off;
	a.count = len;
	return rpc_nfs3_read_async(C.rpc, read_cb, &a, r);
}

static void data_setup(void)
{
	if (D.buf)
		return;
	D.size = opt.size_mib << 20;
	D.bs = opt.bs ? opt.bs : (C.wtmax < C.rtmax ? C.wtmax : C.rtmax);
	if (D.bs > 1048576)
		D.bs = 1048576;	/* libnfs 4.0 limit (NFS_MAX_XFER_SIZE) */
	if (D.bs == 0)
		die("server reported rtmax/wtmax of 0");
	if (D.size == 0)
		die("--size must be > 0");
	snprintf(D.name, sizeof(D.name), "data.%" PRIu64 "M", opt.size_mib);
	D.buf = xcalloc(D.bs, 1);
}

/* COMMIT verifier check: the generic sync_cb does not keep it, so do it here. */
static void commit_verf_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct sres *s = priv;

	(void)rpc;
	s->done = 1;
	s->rpc_status = status;
	if (status == RPC_STATUS_SUCCESS) {
		COMMIT3res *r = data;

		s->nfs_status = r->status;
		if (r->status == NFS3_OK)
			memcpy(s->cookieverf, r->COMMIT3res_u.resok.verf, NFS3_WRITEVERFSIZE);
	}
}

/* Write the data file; returns 0 if it was written and committed cleanly. */
static int do_write(int report)
{
	struct phase ph;
	struct sres res;
	COMMIT3args ca;
	uint64_t t_commit;
	double commit_s, write_s;

	data_setup();
	if (s_create(&C.work, D.name, 1, &res) != NFS3_OK)
		die("CREATE %s: %s", D.name, res.err);
	if (!res.have_fh && s_lookup(&C.work, D.name, &res) != NFS3_OK)
		die("LOOKUP %s: %s", D.name, res.err);
	D.fh = res.fh;
	D.have_verf = 0;
	D.written = 0;

	ph_init(&ph, "write", "seq", opt.io_qd);
	ph.target = (D.size + D.bs - 1) / D.bs;
	ph_run(&ph, write_issue);
	write_s = (double)(ph.t_last - ph.t_measure) / 1e9;

	/* COMMIT the whole file (the "flush on close" of a real client) */
	t_commit = now_ns();
	memset(&res, 0, sizeof(res));
	memset(&ca, 0, sizeof(ca));
	ca.file = fh3(&D.fh);
	ca.offset = 0;
	ca.count = 0;		/* 0 = to end of file */
	if (rpc_nfs3_commit_async(C.rpc, commit_verf_cb, &ca, &res) != 0)
		die("cannot queue COMMIT: %s", rpc_get_error(C.rpc));
	sync_wait(&res, "COMMIT");
	ph.rpcs++;
	ph.t_last = now_ns();
	commit_s = (double)(ph.t_last - t_commit) / 1e9;
	if (res.rpc_status != RPC_STATUS_SUCCESS || res.nfs_status != NFS3_OK)
		ph_error(&ph, 0, "COMMIT failed (rpc %d, nfs %d)", res.rpc_status, res.nfs_status);
	else if (opt.stable == UNSTABLE && D.have_verf &&
		 memcmp(res.cookieverf, D.verf, NFS3_WRITEVERFSIZE) != 0)
		ph_error(&ph, 1, "COMMIT verifier differs from WRITE verifier: unstable data may be lost");

	/* the file must now have exactly the size we wrote */
	if (opt.verify && s_getattr(&D.fh, &res) == NFS3_OK && res.attr.size != D.size)
		ph_error(&ph, 1, "after COMMIT: file size %" PRIu64 ", expected %" PRIu64,
			 (uint64_t)res.attr.size, D.size);

	ph_extra(&ph, ",\"size_mib\":%" PRIu64 ",\"bs\":%u,\"stable\":\"%s\","
		 "\"write_phase_s\":%.4f,\"commit_s\":%.4f,\"write_only_mib_per_s\":%.1f",
		 opt.size_mib, D.bs, stable_name(opt.stable), write_s, commit_s,
		 write_s > 0 ? (double)ph.bytes / 1048576.0 / write_s : 0.0);
	if (report) {
		ph_report(&ph, "ops");
	} else {
		if (ph.errors || ph.verify_errors)
			warnx("preparing %s failed: %s", D.name, ph.first_error);
		lat_free(&ph.lat);
		lat_free(&ph.rpc_lat);
	}
	D.written = ph.errors == 0 && ph.verify_errors == 0;
	return D.written ? 0 : -1;
}

static void do_read(void)
{
	struct phase ph;
	struct sres res;

	data_setup();
	if (!D.written) {
		/* reuse the file only if a previous run left the right size;
		 * its content is verified anyway */
		if (s_lookup(&C.work, D.name, &res) != NFS3_OK || !res.have_attr ||
		    res.attr.size != D.size) {
			if (do_write(0) != 0)
				warnx("read: data file preparation reported errors");
		} else {
			D.fh = res.fh;
		}
	}
	ph_init(&ph, "read", "seq", opt.io_qd);
	ph.target = (D.size + D.bs - 1) / D.bs;
	ph_run(&ph, read_issue);
	ph_extra(&ph, ",\"size_mib\":%" PRIu64 ",\"bs\":%u", opt.size_mib, D.bs);
	ph_report(&ph, "ops");
}

/* ------------------------------------------------------------------------ */
/* Workload: create (CREATE + WRITE 1 KiB + COMMIT, then REMOVE)            */
/* ------------------------------------------------------------------------ */

static struct fh cr_dir;
static uint8_t *cr_buf;		/* create_bytes */

static void cr_commit_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "COMMIT");

	(void)rpc;
	if (ph && nfs_ok(r, data, "COMMIT") == 0 && opt.verify) {
		COMMIT3resok *ok = &((COMMIT3res *)data)->COMMIT3res_u.resok;

		if (memcmp(ok->verf, r->name + 48, NFS3_WRITEVERFSIZE) != 0)
			ph_warn(ph, "COMMIT of %.40s: verifier differs from WRITE's", r->name);
	}
	req_done(r);
}

static void cr_write_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "WRITE");
	WRITE3resok *ok;
	COMMIT3args a;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "WRITE") != 0)
		goto done;
	ok = &((WRITE3res *)data)->WRITE3res_u.resok;
	if (ok->count != opt.create_bytes) {
		ph_error(ph, 1, "WRITE %s: wrote %u of %u bytes", r->name, ok->count, opt.create_bytes);
		goto done;
	}
	ph->bytes += opt.create_bytes;
	/* stash the write verifier after the (short) name */
	memcpy(r->name + 48, ok->verf, NFS3_WRITEVERFSIZE);
	if (ph->abort)
		goto done;
	memset(&a, 0, sizeof(a));
	a.file = fh3(&r->fh);
	rpc_start(r);
	if (rpc_nfs3_commit_async(C.rpc, cr_commit_cb, &a, r) == 0)
		return;
	ph_error(ph, 0, "cannot queue COMMIT: %s", rpc_get_error(C.rpc));
done:
	req_done(r);
}

static void cr_create_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "CREATE");
	CREATE3resok *ok;
	WRITE3args a;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "CREATE") != 0)
		goto done;
	ok = &((CREATE3res *)data)->CREATE3res_u.resok;
	if (!ok->obj.handle_follows || fh_set(&r->fh, &ok->obj.post_op_fh3_u.handle) != 0) {
		/* legal in NFSv3 but unusual; a real client would LOOKUP */
		ph_error(ph, 1, "CREATE %s: no file handle in reply", r->name);
		goto done;
	}
	if (ph->abort)
		goto done;
	pat_fill(cr_buf, r->arg + 1, 0, opt.create_bytes);
	memset(&a, 0, sizeof(a));
	a.file = fh3(&r->fh);
	a.offset = 0;
	a.count = opt.create_bytes;
	a.stable = UNSTABLE;
	a.data.data_len = opt.create_bytes;
	a.data.data_val = (char *)cr_buf;
	rpc_start(r);
	if (rpc_nfs3_write_async(C.rpc, cr_write_cb, &a, r) == 0)
		return;
	ph_error(ph, 0, "cannot queue WRITE: %s", rpc_get_error(C.rpc));
done:
	req_done(r);
}

static int cr_create_issue(struct req *r)
{
	CREATE3args a;

	r->arg = r->idx;
	snprintf(r->name, 48, "c%07u", (unsigned)r->idx);
	memset(&a, 0, sizeof(a));
	a.where.dir = fh3(&cr_dir);
	a.where.name = r->name;
	a.how.mode = GUARDED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	return rpc_nfs3_create_async(C.rpc, cr_create_cb, &a, r);
}

/* verification pass: LOOKUP + READ each file (untimed) */
static void cr_vread_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "READ");

	(void)rpc;
	if (ph && nfs_ok(r, data, "READ") == 0) {
		READ3resok *ok = &((READ3res *)data)->READ3res_u.resok;

		if (ok->count != opt.create_bytes ||
		    pat_check((const uint8_t *)ok->data.data_val, r->arg + 1, 0,
			      opt.create_bytes) != UINT64_MAX)
			ph_error(ph, 1, "file %s: content differs from what was written", r->name);
	}
	req_done(r);
}

static void cr_vlookup_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "LOOKUP");
	READ3args a;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "LOOKUP") != 0 ||
	    fh_set(&r->fh, &((LOOKUP3res *)data)->LOOKUP3res_u.resok.object) != 0) {
		if (ph)
			ph_error(ph, 1, "file %s: lookup after create failed", r->name);
		req_done(r);
		return;
	}
	a.file = fh3(&r->fh);
	a.offset = 0;
	a.count = opt.create_bytes + 512;	/* ask for more: size must be exact */
	rpc_start(r);
	if (rpc_nfs3_read_async(C.rpc, cr_vread_cb, &a, r) != 0) {
		ph_error(ph, 0, "cannot queue READ");
		req_done(r);
	}
}

static int cr_verify_issue(struct req *r)
{
	LOOKUP3args a;

	r->arg = r->idx;
	snprintf(r->name, 48, "c%07u", (unsigned)r->idx);
	a.what.dir = fh3(&cr_dir);
	a.what.name = r->name;
	return rpc_nfs3_lookup_async(C.rpc, cr_vlookup_cb, &a, r);
}

static void cr_remove_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;

	(void)rpc;
	if (rpc_reply(r, status, data, "REMOVE"))
		nfs_ok(r, data, "REMOVE");
	req_done(r);
}

static int cr_remove_issue(struct req *r)
{
	REMOVE3args a;

	snprintf(r->name, 48, "c%07u", (unsigned)r->idx);
	a.object.dir = fh3(&cr_dir);
	a.object.name = r->name;
	return rpc_nfs3_remove_async(C.rpc, cr_remove_cb, &a, r);
}

static void count_entry(const char *name, void *arg)
{
	if (strcmp(name, ".") && strcmp(name, ".."))
		(*(uint64_t *)arg)++;
}

static void do_create(void)
{
	struct phase ph;
	struct sres res;
	char dname[64];
	int qd = opt.qds[0];
	uint64_t left = 0;
	int st;

	snprintf(dname, sizeof(dname), "create.%d", (int)getpid());
	if (s_mkdir(&C.work, dname, &res) != NFS3_OK)
		die("MKDIR %s: %s", dname, res.err);
	if (!res.have_fh && s_lookup(&C.work, dname, &res) != NFS3_OK)
		die("LOOKUP %s: %s", dname, res.err);
	cr_dir = res.fh;
	if (!cr_buf)
		cr_buf = xcalloc(opt.create_bytes ? opt.create_bytes : 1, 1);

	ph_init(&ph, "create", "create", qd);
	ph.target = opt.create_files;
	ph_run(&ph, cr_create_issue);
	ph_extra(&ph, ",\"files\":%u,\"file_bytes\":%u,\"chain\":\"CREATE+WRITE+COMMIT\"",
		 opt.create_files, opt.create_bytes);
	if (opt.verify && ph.errors == 0) {
		struct phase v;

		ph_init(&v, "create", "verify", qd);
		v.target = opt.create_files;
		ph_run(&v, cr_verify_issue);
		ph.verify_errors += v.verify_errors + v.errors;
		if (v.first_error[0] && !ph.first_error[0])
			snprintf(ph.first_error, sizeof(ph.first_error), "%s", v.first_error);
		lat_free(&v.lat);
		lat_free(&v.rpc_lat);
	}
	ph_report(&ph, "files");

	ph_init(&ph, "create", "remove", qd);
	ph.target = opt.create_files;
	ph_run(&ph, cr_remove_issue);
	if (opt.verify) {
		st = s_listdir(&cr_dir, count_entry, &left);
		if (st != NFS3_OK)
			ph_error(&ph, 0, "READDIRPLUS after remove: %s", nfsstat3_to_str(st));
		else if (left != 0)
			ph_error(&ph, 1, "%" PRIu64 " entries left after removing all files", left);
	}
	ph_extra(&ph, ",\"files\":%u", opt.create_files);
	ph_report(&ph, "files");
	st = s_remove(&C.work, dname, 1);
	if (st != NFS3_OK)
		warnx("RMDIR %s: %s", dname, nfsstat3_to_str(st));
}

/* ------------------------------------------------------------------------ */
/* Workload: readdir (complete READDIRPLUS listings)                        */
/* ------------------------------------------------------------------------ */

static struct {
	uint8_t *seen;		/* per expected entry, this listing */
	uint64_t cookie;
	char verf[NFS3_COOKIEVERFSIZE];
	uint64_t entries_total;	/* measured listings only */
	uint64_t listing_entries;
	uint64_t dots;
	uint64_t no_attr, no_handle;
} RD;

static int rd_issue_next(struct req *r);

static void rd_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "READDIRPLUS");
	READDIRPLUS3resok *ok;
	entryplus3 *e;
	uint64_t last = RD.cookie;
	uint32_t n = fx_readdir.n;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "READDIRPLUS") != 0)
		goto done;
	ok = &((READDIRPLUS3res *)data)->READDIRPLUS3res_u.resok;
	for (e = ok->reply.entries; e; e = e->nextentry) {
		unsigned idx;
		char tail;

		last = e->cookie;
		if (!strcmp(e->name, ".") || !strcmp(e->name, "..")) {
			RD.dots++;
			continue;
		}
		RD.listing_entries++;
		if (!e->name_attributes.attributes_follow)
			RD.no_attr++;
		if (!e->name_handle.handle_follows)
			RD.no_handle++;
		if (!opt.verify)
			continue;
		if (sscanf(e->name, "e%6u%c", &idx, &tail) != 1 || idx >= n) {
			ph_error(ph, 1, "READDIRPLUS: unexpected entry '%s'", e->name);
		} else if (RD.seen[idx]) {
			ph_error(ph, 1, "READDIRPLUS: entry '%s' returned twice in one listing", e->name);
		} else {
			RD.seen[idx] = 1;
			if (e->name_attributes.attributes_follow &&
			    e->name_attributes.post_op_attr_u.attributes.fileid != e->fileid)
				ph_error(ph, 1, "READDIRPLUS: '%s' fileid %" PRIu64 " but attributes say %" PRIu64,
					 e->name, (uint64_t)e->fileid,
					 (uint64_t)e->name_attributes.post_op_attr_u.attributes.fileid);
		}
	}
	if (ok->reply.eof) {
		/* listing complete */
		if (opt.verify) {
			uint32_t i, missing = 0;

			for (i = 0; i < n; i++)
				missing += !RD.seen[i];
			if (missing)
				ph_error(ph, 1, "READDIRPLUS listing missed %u of %u entries", missing, n);
		}
		if (r->measured)
			RD.entries_total += RD.listing_entries;
		goto done;
	}
	if (last == RD.cookie && RD.cookie != 0) {
		ph_error(ph, 1, "READDIRPLUS: no progress past cookie %" PRIu64, last);
		goto done;
	}
	if (ok->reply.entries == NULL) {
		ph_error(ph, 1, "READDIRPLUS: empty reply without eof");
		goto done;
	}
	RD.cookie = last;
	memcpy(RD.verf, ok->cookieverf, NFS3_COOKIEVERFSIZE);
	if (ph->abort)
		goto done;
	if (rd_issue_next(r) == 0)
		return;
	ph_error(ph, 0, "cannot queue READDIRPLUS: %s", rpc_get_error(C.rpc));
done:
	req_done(r);
}

static int rd_issue_next(struct req *r)
{
	READDIRPLUS3args a;

	a.dir = fh3(&fx_readdir.dir);
	a.cookie = RD.cookie;
	memcpy(a.cookieverf, RD.verf, NFS3_COOKIEVERFSIZE);
	a.dircount = opt.rdp_dircount;
	a.maxcount = opt.rdp_maxcount;
	rpc_start(r);
	return rpc_nfs3_readdirplus_async(C.rpc, rd_cb, &a, r);
}

/* A chain = one complete listing, starting at cookie 0. */
static int rd_issue(struct req *r)
{
	RD.cookie = 0;
	memset(RD.verf, 0, sizeof(RD.verf));
	RD.listing_entries = 0;
	memset(RD.seen, 0, fx_readdir.n);
	return rd_issue_next(r);
}

/* One readdir phase: a single complete listing ("first"), or listings again
 * and again for the duration ("readdirplus"). */
static void rd_phase(const char *name, int by_time)
{
	struct phase ph;
	double el;

	RD.entries_total = RD.no_attr = RD.no_handle = 0;
	ph_init(&ph, "readdir", name, 1);
	if (by_time)
		ph.by_time = 1;
	else
		ph.target = 1;
	ph_run(&ph, rd_issue);
	el = (double)(ph.t_last - ph.t_measure) / 1e9;
	if (ph.measured == 0)
		ph_error(&ph, 0, "no complete listing within the measured window");
	ph_extra(&ph, ",\"dir_entries\":%u,\"entries\":%" PRIu64 ",\"entries_per_s\":%.1f,"
		 "\"dircount\":%u,\"maxcount\":%u,\"entries_without_attrs\":%" PRIu64
		 ",\"entries_without_handle\":%" PRIu64,
		 fx_readdir.n, RD.entries_total, el > 0 ? (double)RD.entries_total / el : 0.0,
		 opt.rdp_dircount, opt.rdp_maxcount, RD.no_attr, RD.no_handle);
	ph_report(&ph, "listings");
}

/* The first listing costs what a server does when it meets entries (caches,
 * records); the repeated ones what it does when it knows them. */
static void do_readdir(void)
{
	RD.seen = xcalloc(fx_readdir.n, 1);
	rd_phase("first", 0);
	rd_phase("readdirplus", 1);
	free(RD.seen);
}

static const char *readdir_dirname(char *buf, size_t len)
{
	if (opt.readdir_dir)
		return opt.readdir_dir;
	snprintf(buf, len, "readdir.%u", opt.readdir_entries);
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Workload: mixed metadata                                                 */
/* ------------------------------------------------------------------------ */

enum mix_kind { MX_GETATTR, MX_LOOKUP, MX_ACCESS, MX_SETATTR, MX_FSSTAT, MX_CREATE_REMOVE, MX_N };
static const char *mix_names[MX_N] = { "getattr", "lookup", "access", "setattr", "fsstat", "create_remove" };
/* cumulative percentages */
static const int mix_cum[MX_N] = { 35, 60, 75, 85, 90, 100 };
static struct fh mix_dir;

static void mix_simple_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, mix_names[r->kind]);

	(void)rpc;
	if (ph && nfs_ok(r, data, mix_names[r->kind]) == 0 && opt.verify && r->kind == MX_GETATTR) {
		fattr3 *a = &((GETATTR3res *)data)->GETATTR3res_u.resok.obj_attributes;
		uint64_t want = fx_lookup.fileid[r->arg];

		if (want != UINT64_MAX && a->fileid != want)
			ph_error(ph, 1, "GETATTR %s: wrong fileid", r->name);
	}
	if (ph && r->kind == MX_LOOKUP && opt.verify && *(int *)data == NFS3_OK) {
		LOOKUP3resok *ok = &((LOOKUP3res *)data)->LOOKUP3res_u.resok;
		uint64_t want = fx_lookup.fileid[r->arg];

		if (ok->obj_attributes.attributes_follow && want != UINT64_MAX &&
		    ok->obj_attributes.post_op_attr_u.attributes.fileid != want)
			ph_error(ph, 1, "LOOKUP %s: wrong fileid", r->name);
	}
	req_done(r);
}

static void mix_remove_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;

	(void)rpc;
	if (rpc_reply(r, status, data, "REMOVE"))
		nfs_ok(r, data, "REMOVE");
	req_done(r);
}

static void mix_create_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct req *r = priv;
	struct phase *ph = rpc_reply(r, status, data, "CREATE");
	REMOVE3args a;

	(void)rpc;
	if (!ph || nfs_ok(r, data, "CREATE") != 0 || ph->abort) {
		req_done(r);
		return;
	}
	a.object.dir = fh3(&mix_dir);
	a.object.name = r->name;
	rpc_start(r);
	if (rpc_nfs3_remove_async(C.rpc, mix_remove_cb, &a, r) != 0) {
		ph_error(ph, 0, "cannot queue REMOVE");
		req_done(r);
	}
}

static int mix_issue(struct req *r)
{
	uint64_t h = mix64(opt.seed * 7777 + r->idx);
	int pct = (int)(h % 100), k;
	uint32_t f = (uint32_t)((h >> 8) % fx_lookup.n);

	for (k = 0; k < MX_N && pct >= mix_cum[k]; k++)
		;
	r->kind = k;
	r->arg = f;
	if (r->measured)
		r->ph->counters[k]++;
	snprintf(r->name, sizeof(r->name), fx_lookup.fmt, (unsigned)f);
	switch (k) {
	case MX_GETATTR: {
		GETATTR3args a;

		a.object = fh3(&fx_lookup.fh[f]);
		return rpc_nfs3_getattr_async(C.rpc, mix_simple_cb, &a, r);
	}
	case MX_LOOKUP: {
		LOOKUP3args a;

		a.what.dir = fh3(&fx_lookup.dir);
		a.what.name = r->name;
		return rpc_nfs3_lookup_async(C.rpc, mix_simple_cb, &a, r);
	}
	case MX_ACCESS: {
		ACCESS3args a;

		a.object = fh3(&fx_lookup.fh[f]);
		a.access = ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND;
		return rpc_nfs3_access_async(C.rpc, mix_simple_cb, &a, r);
	}
	case MX_SETATTR: {
		SETATTR3args a;

		memset(&a, 0, sizeof(a));
		a.object = fh3(&fx_lookup.fh[f]);
		a.new_attributes.mtime.set_it = SET_TO_SERVER_TIME;
		return rpc_nfs3_setattr_async(C.rpc, mix_simple_cb, &a, r);
	}
	case MX_FSSTAT: {
		FSSTAT3args a;

		a.fsroot = fh3(&C.root);
		return rpc_nfs3_fsstat_async(C.rpc, mix_simple_cb, &a, r);
	}
	default: {
		CREATE3args a;

		/* one scratch name per slot: CREATE then REMOVE it */
		snprintf(r->name, sizeof(r->name), "m%03d", r->slot);
		memset(&a, 0, sizeof(a));
		a.where.dir = fh3(&mix_dir);
		a.where.name = r->name;
		a.how.mode = GUARDED;
		a.how.createhow3_u.obj_attributes.mode.set_it = 1;
		a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
		return rpc_nfs3_create_async(C.rpc, mix_create_cb, &a, r);
	}
	}
}

static void do_mixed(void)
{
	struct phase ph;
	char names[256] = "";
	int i, k;

	s_ensure(&C.work, "mixed", 1, &mix_dir);
	/* scratch names are m000..m(qd-1); remove leftovers of an interrupted run */
	for (k = 0, i = 0; i < opt.nqds; i++)
		if (opt.qds[i] > k)
			k = opt.qds[i];
	for (i = 0; i < k; i++) {
		char n[16];

		snprintf(n, sizeof(n), "m%03d", i);
		s_remove(&mix_dir, n, 0);
	}
	for (i = 0; i < opt.nqds; i++) {
		char pn[32];
		size_t len = 0;

		snprintf(pn, sizeof(pn), "qd%d", opt.qds[i]);
		ph_init(&ph, "mixed", pn, opt.qds[i]);
		ph.by_time = 1;
		ph_run(&ph, mix_issue);
		names[0] = 0;
		for (k = 0; k < MX_N; k++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s\"%s\":%" PRIu64,
						k ? "," : "", mix_names[k], ph.counters[k]);
		ph_extra(&ph, ",\"issued_by_kind\":{%s}", names);
		ph_report(&ph, "ops");
	}
}

/* ------------------------------------------------------------------------ */
/* Simple time-based workloads at qd 1 and each --qd                        */
/* ------------------------------------------------------------------------ */

static void run_lat_and_tput(const char *workload, issue_fn issue, const char *unit)
{
	struct phase ph;
	int i;

	ph_init(&ph, workload, "qd1", 1);
	ph.by_time = 1;
	ph_run(&ph, issue);
	ph_report(&ph, unit);
	for (i = 0; i < opt.nqds; i++) {
		char pn[32];

		if (opt.qds[i] == 1)
			continue;
		snprintf(pn, sizeof(pn), "qd%d", opt.qds[i]);
		ph_init(&ph, workload, pn, opt.qds[i]);
		ph.by_time = 1;
		ph_run(&ph, issue);
		ph_report(&ph, unit);
	}
}

/* ------------------------------------------------------------------------ */
/* Cleanup                                                                  */
/* ------------------------------------------------------------------------ */

static void fx_remove_all(const char *dirname, const char *fmt, uint32_t n)
{
	struct sres res;
	char name[64];
	uint32_t i;

	if (s_lookup(&C.work, dirname, &res) != NFS3_OK)
		return;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), fmt, i);
		s_remove(&res.fh, name, 0);
	}
	if (s_remove(&C.work, dirname, 1) != NFS3_OK)
		warnx("cleanup: could not remove %s (not empty?)", dirname);
}

static void do_cleanup(void)
{
	char name[64];

	fx_remove_all("mixed", "m%03u", 1000);
	snprintf(name, sizeof(name), "lookup.%u", opt.lookup_files);
	fx_remove_all(name, fx_lookup.fmt, opt.lookup_files);
	fx_remove_all(readdir_dirname(name, sizeof(name)), fx_readdir.fmt, opt.readdir_entries);
	snprintf(name, sizeof(name), "data.%" PRIu64 "M", opt.size_mib);
	s_remove(&C.work, name, 0);
	if (s_remove(&C.root, opt.dir, 1) != NFS3_OK)
		warnx("cleanup: could not remove /%s (other files in it?)", opt.dir);
}

/* ------------------------------------------------------------------------ */
/* Connection setup                                                         */
/* ------------------------------------------------------------------------ */

static void connect_server(void)
{
	struct nfs_url *url;
	struct nfsfh *rootfh;
	struct sres res;

	C.nfs = nfs_init_context();
	if (C.nfs == NULL)
		die("nfs_init_context failed");
	/* a benchmark must see failures, not silently reconnect */
	nfs_set_autoreconnect(C.nfs, 0);
	url = nfs_parse_url_dir(C.nfs, opt.url);
	if (url == NULL)
		die("bad URL '%s': %s", opt.url, nfs_get_error(C.nfs));
	if (url->server == NULL || url->path == NULL)
		die("URL needs a server and an export path: %s", opt.url);
	C.server = strdup(url->server);
	C.export = strdup(url->path);
	if (nfs_mount(C.nfs, url->server, url->path) != 0)
		die("mount %s:%s failed: %s", url->server, url->path, nfs_get_error(C.nfs));
	nfs_destroy_url(url);

	/* root file handle: open "/" of the mount (no extra wire semantics
	 * beyond what nfs_mount already did, plus one ACCESS) */
	if (nfs_open(C.nfs, "/", O_RDONLY, &rootfh) != 0)
		die("cannot open export root: %s", nfs_get_error(C.nfs));
	if (fh_set(&C.root, (nfs_fh3 *)nfs_get_fh(rootfh)) != 0)
		die("export root handle is invalid");
	nfs_close(C.nfs, rootfh);
	C.rpc = nfs_get_rpc_context(C.nfs);

	if (s_getattr(&C.root, &res) != NFS3_OK)
		die("GETATTR(root): %s", res.err);
	if (res.attr.type != NF3DIR)
		die("export root is not a directory");
	C.root_fileid = res.attr.fileid;

	s_fsinfo(&res);
	C.rtmax = res.fsinfo.rtmax;
	C.rtpref = res.fsinfo.rtpref;
	C.wtmax = res.fsinfo.wtmax;
	C.wtpref = res.fsinfo.wtpref;
	C.dtpref = res.fsinfo.dtpref;
	C.nprocs = (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);

	s_ensure(&C.root, opt.dir, 1, &C.work);
}

/* ------------------------------------------------------------------------ */
/* Command line                                                             */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"nfsbench %s - NFSv3 benchmark client (libnfs)\n"
"\n"
"usage: nfsbench [options] nfs://HOST/EXPORT[?version=3&nfsport=N&mountport=M]\n"
"\n"
"  The URL is parsed by libnfs; nfsport/mountport skip the portmapper, and\n"
"  uid=/gid= set the AUTH_SYS credentials (default: the caller's).\n"
"\n"
"options:\n"
"  -w, --workloads LIST   comma list of: null getattr lookup write read create\n"
"                         readdir mixed, or 'all' (default: all)\n"
"  -t, --duration SEC     measured seconds per time-based phase (default 3)\n"
"      --warmup SEC       unmeasured seconds before each (default 0.5)\n"
"  -q, --qd LIST          queue depths of the throughput phases, e.g. 32,64\n"
"                         (default 32; create/remove use the first)\n"
"  -Q, --io-qd N          READ/WRITE requests in flight (default 8)\n"
"  -s, --size MIB         write/read file size in MiB (default 1024)\n"
"  -b, --bs BYTES         READ/WRITE size (default min(rtmax,wtmax,1MiB))\n"
"      --stable MODE      unstable|data_sync|file_sync for write (default unstable)\n"
"  -n, --files N          create workload: number of files (default 2000)\n"
"      --file-bytes N     create workload: bytes written per file (default 1024)\n"
"      --lookup-files N   lookup/mixed fixture size (default 1000)\n"
"      --readdir-entries N  readdir fixture size (default 10000)\n"
"      --readdir-dir NAME   readdir fixture directory (default readdir.N)\n"
"      --readdir-made-on-host  the fixture already holds the N files e000000...,\n"
"                         made behind the server: no CREATEs, so the first\n"
"                         listing is the server's first look at them\n"
"      --maxcount N       READDIRPLUS maxcount (default 32768)\n"
"      --dircount N       READDIRPLUS dircount (default 32768)\n"
"      --no-verify        do not check data/entries (errors are still counted)\n"
"  -d, --dir NAME         working directory in the export root (default nfsbench)\n"
"      --seed N           data pattern / mix seed (default 1)\n"
"      --cleanup          remove all fixtures at the end\n"
"      --server-pid PID   also report the server's CPU use (same machine)\n"
"  -l, --label STR        copied into every JSON line\n"
"      --timeout SEC      abort if no reply arrives for SEC seconds (default 30)\n"
"      --cpu-latency-qos  while running, hold /dev/cpu_dma_latency at 0 so that\n"
"                         idle CPUs poll instead of halting (machine-wide; needs\n"
"                         root). Removes VM wake-up latency from qd=1 figures.\n"
"  -v, --debug            progress on stderr\n"
"\n"
"Output: one JSON object per line on stdout: an \"info\" line, then one\n"
"\"result\" line per phase.  Exit status 0 = no errors, 1 = errors or\n"
"verification failures, 2 = could not run.\n", NFSBENCH_VERSION);
}

static double parse_num(const char *s, const char *what, double min)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < min)
		die("bad value for %s: '%s'", what, s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_WARMUP = 256, O_STABLE, O_FBYTES, O_LFILES, O_RENT, O_MAXC, O_DIRC,
	       O_NOVERIFY, O_SEED, O_CLEANUP, O_SPID, O_TIMEOUT, O_QOS, O_RDIR, O_RHOST };
	static const struct option lo[] = {
		{"workloads", 1, 0, 'w'}, {"duration", 1, 0, 't'}, {"warmup", 1, 0, O_WARMUP},
		{"qd", 1, 0, 'q'}, {"io-qd", 1, 0, 'Q'}, {"size", 1, 0, 's'}, {"bs", 1, 0, 'b'},
		{"stable", 1, 0, O_STABLE}, {"files", 1, 0, 'n'}, {"file-bytes", 1, 0, O_FBYTES},
		{"lookup-files", 1, 0, O_LFILES}, {"readdir-entries", 1, 0, O_RENT},
		{"readdir-dir", 1, 0, O_RDIR}, {"readdir-made-on-host", 0, 0, O_RHOST},
		{"maxcount", 1, 0, O_MAXC}, {"dircount", 1, 0, O_DIRC},
		{"no-verify", 0, 0, O_NOVERIFY}, {"dir", 1, 0, 'd'}, {"seed", 1, 0, O_SEED},
		{"cleanup", 0, 0, O_CLEANUP}, {"server-pid", 1, 0, O_SPID}, {"label", 1, 0, 'l'},
		{"timeout", 1, 0, O_TIMEOUT}, {"debug", 0, 0, 'v'}, {"help", 0, 0, 'h'},
		{"cpu-latency-qos", 0, 0, O_QOS},
		{0, 0, 0, 0}
	};
	int c;

	while ((c = getopt_long(argc, argv, "w:t:q:Q:s:b:n:d:l:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'w': opt.workloads = optarg; break;
		case 't': opt.duration = parse_num(optarg, "--duration", 0.01); break;
		case O_WARMUP: opt.warmup = parse_num(optarg, "--warmup", 0); break;
		case 'q': {
			char *s = strdup(optarg), *tok, *sp = NULL;

			opt.nqds = 0;
			for (tok = strtok_r(s, ",", &sp); tok; tok = strtok_r(NULL, ",", &sp)) {
				if (opt.nqds == MAX_QDS)
					die("too many queue depths (max %d)", MAX_QDS);
				opt.qds[opt.nqds++] = (int)parse_num(tok, "--qd", 1);
			}
			if (opt.nqds == 0)
				die("--qd needs a value");
			free(s);
			break;
		}
		case 'Q': opt.io_qd = (int)parse_num(optarg, "--io-qd", 1); break;
		case 's': opt.size_mib = (uint64_t)parse_num(optarg, "--size", 1); break;
		case 'b': opt.bs = (uint32_t)parse_num(optarg, "--bs", 1); break;
		case O_STABLE:
			if (!strcmp(optarg, "unstable")) opt.stable = UNSTABLE;
			else if (!strcmp(optarg, "data_sync")) opt.stable = DATA_SYNC;
			else if (!strcmp(optarg, "file_sync")) opt.stable = FILE_SYNC;
			else die("--stable: unstable, data_sync or file_sync");
			break;
		case 'n': opt.create_files = (uint32_t)parse_num(optarg, "--files", 1); break;
		case O_FBYTES: opt.create_bytes = (uint32_t)parse_num(optarg, "--file-bytes", 1); break;
		case O_LFILES: opt.lookup_files = (uint32_t)parse_num(optarg, "--lookup-files", 1); break;
		case O_RENT: opt.readdir_entries = (uint32_t)parse_num(optarg, "--readdir-entries", 1); break;
		case O_RDIR: opt.readdir_dir = optarg; break;
		case O_RHOST: opt.readdir_host_made = 1; break;
		case O_MAXC: opt.rdp_maxcount = (uint32_t)parse_num(optarg, "--maxcount", 512); break;
		case O_DIRC: opt.rdp_dircount = (uint32_t)parse_num(optarg, "--dircount", 512); break;
		case O_NOVERIFY: opt.verify = 0; break;
		case 'd': opt.dir = optarg; break;
		case O_SEED: opt.seed = (uint64_t)parse_num(optarg, "--seed", 0); break;
		case O_CLEANUP: opt.cleanup = 1; break;
		case O_SPID: opt.server_pid = (int)parse_num(optarg, "--server-pid", 1); break;
		case 'l': opt.label = optarg; break;
		case O_TIMEOUT: opt.timeout = parse_num(optarg, "--timeout", 1); break;
		case 'v': opt.debug = 1; break;
		case O_QOS: opt.cpu_qos = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	opt.url = argv[optind];
	if (opt.create_bytes > 1048576)
		die("--file-bytes must be <= 1 MiB");
	if (opt.readdir_entries > 999999 || opt.lookup_files > 999999)
		die("fixtures are limited to 999999 names");
}

static int want(const char *w)
{
	const char *s = opt.workloads;
	size_t n = strlen(w);

	if (!strcmp(s, "all"))
		return 1;
	while (*s) {
		if (!strncmp(s, w, n) && (s[n] == ',' || s[n] == 0))
			return 1;
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return 0;
}

static void check_workload_names(void)
{
	static const char *known[] = { "null", "getattr", "lookup", "write", "read",
				       "create", "readdir", "mixed", "all", NULL };
	char *s = strdup(opt.workloads), *tok, *sp = NULL;

	for (tok = strtok_r(s, ",", &sp); tok; tok = strtok_r(NULL, ",", &sp)) {
		int i, ok = 0;

		for (i = 0; known[i]; i++)
			ok |= !strcmp(tok, known[i]);
		if (!ok)
			die("unknown workload '%s'", tok);
	}
	free(s);
}

/* PM QoS: while the returned fd stays open, the kernel keeps CPU idle exit
 * latency at 0 (cpuidle uses its polling state).  Released at process exit. */
static int g_qos_fd = -1;

static void cpu_qos_hold(void)
{
	int32_t zero = 0;

	g_qos_fd = open("/dev/cpu_dma_latency", O_WRONLY);
	if (g_qos_fd < 0 || write(g_qos_fd, &zero, sizeof(zero)) != sizeof(zero)) {
		warnx("--cpu-latency-qos: /dev/cpu_dma_latency: %s (continuing without)",
		      strerror(errno));
		if (g_qos_fd >= 0)
			close(g_qos_fd);
		g_qos_fd = -1;
	}
}

static void print_info(void)
{
	int i;

	printf("{\"type\":\"info\",\"tool\":\"nfsbench\",\"version\":\"%s\",\"label\":", NFSBENCH_VERSION);
	json_str(stdout, opt.label);
	printf(",\"url\":");
	json_str(stdout, opt.url);
	printf(",\"workloads\":");
	json_str(stdout, opt.workloads);
	printf(",\"root_fh_len\":%u,\"fsinfo\":{\"rtmax\":%u,\"rtpref\":%u,\"wtmax\":%u,"
	       "\"wtpref\":%u,\"dtpref\":%u},\"duration_s\":%.2f,\"warmup_s\":%.2f,\"qd\":[",
	       C.root.len, C.rtmax, C.rtpref, C.wtmax, C.wtpref, C.dtpref,
	       opt.duration, opt.warmup);
	for (i = 0; i < opt.nqds; i++)
		printf("%s%d", i ? "," : "", opt.qds[i]);
	printf("],\"io_qd\":%d,\"size_mib\":%" PRIu64 ",\"verify\":%s,\"client_cpus\":%" PRIu64
	       ",\"cpu_latency_qos\":%s}\n",
	       opt.io_qd, opt.size_mib, opt.verify ? "true" : "false", C.nprocs,
	       g_qos_fd >= 0 ? "true" : "false");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char name[64];

	parse_args(argc, argv);
	check_workload_names();
	pat_init();
	if (opt.cpu_qos)
		cpu_qos_hold();
	connect_server();
	print_info();

	if (want("null"))
		run_lat_and_tput("null", null_issue, "ops");
	if (want("getattr"))
		run_lat_and_tput("getattr", getattr_issue, "ops");
	if (want("lookup") || want("mixed")) {
		snprintf(name, sizeof(name), "lookup.%u", opt.lookup_files);
		fx_prepare(&fx_lookup, name, opt.lookup_files, 1, 1);
	}
	if (want("lookup"))
		run_lat_and_tput("lookup", lookup_issue, "ops");
	if (want("write"))
		do_write(1);
	if (want("read"))
		do_read();
	if (want("create"))
		do_create();
	if (want("readdir")) {
		fx_prepare(&fx_readdir, readdir_dirname(name, sizeof(name)), opt.readdir_entries, 0,
			   !opt.readdir_host_made);
		do_readdir();
	}
	if (want("mixed"))
		do_mixed();
	if (opt.cleanup)
		do_cleanup();

	nfs_umount(C.nfs);
	nfs_destroy_context(C.nfs);
	return g_failed ? 1 : 0;
}
