/* rt-check: the RT-safety checker, an LD_PRELOAD library for fohd.
 *
 * fohd's channel process callback calls the weak hooks foh_rt_enter() at its
 * start and foh_rt_leave() at its end; this library defines them, and they
 * set and clear a thread-local "inside an RT section" flag. It interposes the
 * allocator (malloc, calloc, realloc, free, posix_memalign, aligned_alloc,
 * memalign) and the blocking locks (pthread_mutex_lock, pthread_mutex_trylock,
 * pthread_rwlock_rdlock, pthread_rwlock_wrlock); each forwards to the next
 * definition (dlsym RTLD_NEXT), and when called with the flag set counts a
 * violation and records its call site: the caller's return address and a
 * backtrace, into static memory. free(NULL) is not counted: it does nothing.
 *
 * At exit a report goes to the file named by $FOH_RT_REPORT (else stderr):
 *
 *   rt_sections=<sections entered> violations=<calls inside them>
 *   unbalanced=<enter inside a section or leave outside one> unrecorded_sites=<n>
 *   violation <i>: <function> called <n> times from <address> <object>+<offset> (<symbol>+<offset>)
 *       #<k> <address> <object>+<offset> (<symbol>+<offset>)
 *
 * A hook called unbalanced (enter inside a section, leave outside one) is
 * recorded the same way, as "unbalanced <i>: ...". A tail call to
 * foh_rt_leave() shows its caller's caller.
 *
 * Addresses are named (dladdr) never in the hooks: before a library is
 * unloaded (dlclose is interposed for that; PipeWire unloads its SPA plugins
 * before fohd exits) and at exit. The hooks take no lock and allocate
 * nothing: a thread-local flag test on the fast path; atomics, static slots
 * and backtrace() (its unwinder loaded at start-up) when a violation is
 * recorded, with a thread-local guard so that whatever the recording calls
 * itself passes straight through. (The unwinder takes the dynamic linker's
 * own lock: only once the run has already failed.) */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXPORT		__attribute__((visibility("default")))
#define TLS_IE		__attribute__((tls_model("initial-exec")))
#define UNLIKELY(x)	__builtin_expect(!!(x), 0)
#define CALLER		__builtin_return_address(0)

/* The hooks fohd calls (declared weak there). */
EXPORT void foh_rt_enter(void);
EXPORT void foh_rt_leave(void);

enum fn {
	FN_MALLOC, FN_CALLOC, FN_REALLOC, FN_FREE, FN_POSIX_MEMALIGN, FN_ALIGNED_ALLOC,
	FN_MEMALIGN, FN_MUTEX_LOCK, FN_MUTEX_TRYLOCK, FN_RWLOCK_RDLOCK, FN_RWLOCK_WRLOCK,
	FN_ENTER_INSIDE, FN_LEAVE_OUTSIDE,	/* unbalanced hooks, not violations */
	FN_COUNT
};

static const char *const fn_names[FN_COUNT] = {
	[FN_MALLOC] = "malloc",
	[FN_CALLOC] = "calloc",
	[FN_REALLOC] = "realloc",
	[FN_FREE] = "free",
	[FN_POSIX_MEMALIGN] = "posix_memalign",
	[FN_ALIGNED_ALLOC] = "aligned_alloc",
	[FN_MEMALIGN] = "memalign",
	[FN_MUTEX_LOCK] = "pthread_mutex_lock",
	[FN_MUTEX_TRYLOCK] = "pthread_mutex_trylock",
	[FN_RWLOCK_RDLOCK] = "pthread_rwlock_rdlock",
	[FN_RWLOCK_WRLOCK] = "pthread_rwlock_wrlock",
	[FN_ENTER_INSIDE] = "foh_rt_enter inside an RT section",
	[FN_LEAVE_OUTSIDE] = "foh_rt_leave outside an RT section",
};

/* Initial-exec TLS: a preloaded library's TLS is in the static block, so
 * reading these is one instruction and never calls __tls_get_addr. */
static __thread bool in_rt TLS_IE;		/* between foh_rt_enter and foh_rt_leave */
static __thread bool in_hook TLS_IE;		/* recording a violation */
static __thread bool resolving TLS_IE;		/* inside dlsym in resolve() */

static atomic_ulong rt_sections, violations, unbalanced, unrecorded_sites;

#define MAX_SITES	16
#define MAX_FRAMES	24

enum { SITE_FREE, SITE_FILLING, SITE_READY };

struct site {
	atomic_int state;
	enum fn fn;
	void *caller;
	atomic_ulong count;
	int depth;
	void *frames[MAX_FRAMES];
};

static struct site sites[MAX_SITES];
static atomic_uint sites_claimed;
static atomic_bool backtrace_ready;

/* ---- the real functions ------------------------------------------------ */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_mutex_lock)(pthread_mutex_t *);
static int (*real_mutex_trylock)(pthread_mutex_t *);
static int (*real_rwlock_rdlock)(pthread_rwlock_t *);
static int (*real_rwlock_wrlock)(pthread_rwlock_t *);
static int (*real_dlclose)(void *);

static const void *self_base;		/* where this library is loaded */

/* dlsym may allocate (its error buffer) before real_malloc is known: those
 * allocations come from this arena and are never given back. */
static unsigned char arena[16384] __attribute__((aligned(64)));
static size_t arena_used;

static void *arena_alloc(size_t align, size_t size)
{
	size_t off;

	if (align < 16)
		align = 16;
	off = (arena_used + align - 1) & ~(align - 1);
	if (off > sizeof(arena) || size > sizeof(arena) - off)
		return NULL;
	arena_used = off + size;
	return arena + off;
}

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof(arena);
}

static void *next(const char *name)
{
	void *sym = dlsym(RTLD_NEXT, name);

	if (sym == NULL) {
		/* no stdio: it would allocate, and this may be inside malloc */
		struct iovec iov[] = {
			{ (void *)"rt-check: cannot find the real ", 31 },
			{ (void *)name, strlen(name) },
			{ (void *)"\n", 1 },
		};

		(void)!writev(STDERR_FILENO, iov, 3);
		_exit(127);
	}
	return sym;
}

/* Function pointers from dlsym: POSIX guarantees the conversion works. */
#define RESOLVE(var, name) do { void *s_ = next(name); memcpy(&(var), &s_, sizeof(s_)); } while (0)

static void resolve(void)
{
	if (resolving)
		return;
	resolving = true;
	RESOLVE(real_calloc, "calloc");
	RESOLVE(real_malloc, "malloc");
	RESOLVE(real_realloc, "realloc");
	RESOLVE(real_free, "free");
	RESOLVE(real_posix_memalign, "posix_memalign");
	RESOLVE(real_aligned_alloc, "aligned_alloc");
	RESOLVE(real_memalign, "memalign");
	RESOLVE(real_mutex_lock, "pthread_mutex_lock");
	RESOLVE(real_mutex_trylock, "pthread_mutex_trylock");
	RESOLVE(real_rwlock_rdlock, "pthread_rwlock_rdlock");
	RESOLVE(real_rwlock_wrlock, "pthread_rwlock_wrlock");
	RESOLVE(real_dlclose, "dlclose");
	resolving = false;
}

__attribute__((constructor))
static void rt_check_init(void)
{
	void *frames[2];
	Dl_info self;

	resolve();
	if (dladdr((const void *)&rt_sections, &self) != 0)
		self_base = self.dli_fbase;
	/* backtrace() loads its unwinder (libgcc_s) on first use, allocating:
	 * do that now, outside any RT section. */
	if (backtrace(frames, 2) > 0)
		atomic_store(&backtrace_ready, true);
}

/* ---- the hooks --------------------------------------------------------- */

static __attribute__((noinline)) void record(enum fn fn, void *caller)
{
	unsigned idx;
	struct site *s;

	in_hook = true;
	if (fn == FN_ENTER_INSIDE || fn == FN_LEAVE_OUTSIDE)
		atomic_fetch_add_explicit(&unbalanced, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&violations, 1, memory_order_relaxed);
	/* the same call site again: count it */
	for (unsigned i = 0; i < MAX_SITES; i++) {
		s = &sites[i];
		if (atomic_load_explicit(&s->state, memory_order_acquire) == SITE_READY &&
		    s->fn == fn && s->caller == caller) {
			atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
			goto out;
		}
	}
	idx = atomic_fetch_add_explicit(&sites_claimed, 1, memory_order_relaxed);
	if (idx >= MAX_SITES) {
		atomic_fetch_add_explicit(&unrecorded_sites, 1, memory_order_relaxed);
		goto out;
	}
	s = &sites[idx];
	atomic_store_explicit(&s->state, SITE_FILLING, memory_order_relaxed);
	s->fn = fn;
	s->caller = caller;
	atomic_store_explicit(&s->count, 1, memory_order_relaxed);
	s->depth = atomic_load(&backtrace_ready) ? backtrace(s->frames, MAX_FRAMES) : 0;
	atomic_store_explicit(&s->state, SITE_READY, memory_order_release);
out:
	in_hook = false;
}

static inline void check(enum fn fn, void *caller)
{
	if (UNLIKELY(in_rt) && !in_hook)
		record(fn, caller);
}

EXPORT void foh_rt_enter(void)
{
	if (UNLIKELY(in_rt) && !in_hook)
		record(FN_ENTER_INSIDE, CALLER);
	in_rt = true;
	atomic_fetch_add_explicit(&rt_sections, 1, memory_order_relaxed);
}

EXPORT void foh_rt_leave(void)
{
	if (UNLIKELY(!in_rt) && !in_hook)
		record(FN_LEAVE_OUTSIDE, CALLER);
	in_rt = false;
}

#define ENSURE(var) do { if (UNLIKELY((var) == NULL)) resolve(); } while (0)

EXPORT void *malloc(size_t size)
{
	check(FN_MALLOC, CALLER);
	if (UNLIKELY(real_malloc == NULL)) {
		if (resolving)
			return arena_alloc(16, size);
		resolve();
	}
	return real_malloc(size);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	check(FN_CALLOC, CALLER);
	if (UNLIKELY(real_calloc == NULL)) {
		if (resolving) {
			/* the arena is static, so zeroed, and never reused */
			if (size != 0 && nmemb > SIZE_MAX / size)
				return NULL;
			return arena_alloc(16, nmemb * size);
		}
		resolve();
	}
	return real_calloc(nmemb, size);
}

EXPORT void *realloc(void *ptr, size_t size)
{
	check(FN_REALLOC, CALLER);
	if (UNLIKELY(in_arena(ptr))) {
		size_t avail = (size_t)(arena + sizeof(arena) - (unsigned char *)ptr);
		void *p = malloc(size);

		if (p != NULL)
			memcpy(p, ptr, size < avail ? size : avail);
		return p;
	}
	if (UNLIKELY(real_realloc == NULL)) {
		if (resolving)
			return ptr == NULL ? arena_alloc(16, size) : NULL;
		resolve();
	}
	return real_realloc(ptr, size);
}

EXPORT void free(void *ptr)
{
	if (ptr == NULL)
		return;
	check(FN_FREE, CALLER);
	if (UNLIKELY(in_arena(ptr)))
		return;
	ENSURE(real_free);
	real_free(ptr);
}

EXPORT int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	check(FN_POSIX_MEMALIGN, CALLER);
	if (UNLIKELY(real_posix_memalign == NULL)) {
		if (resolving) {
			*memptr = arena_alloc(alignment, size);
			return *memptr != NULL ? 0 : ENOMEM;
		}
		resolve();
	}
	return real_posix_memalign(memptr, alignment, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	check(FN_ALIGNED_ALLOC, CALLER);
	if (UNLIKELY(real_aligned_alloc == NULL)) {
		if (resolving)
			return arena_alloc(alignment, size);
		resolve();
	}
	return real_aligned_alloc(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	check(FN_MEMALIGN, CALLER);
	if (UNLIKELY(real_memalign == NULL)) {
		if (resolving)
			return arena_alloc(alignment, size);
		resolve();
	}
	return real_memalign(alignment, size);
}

/* A lock asked for while resolving: the process is still single-threaded
 * (the constructor) or inside dlsym; pretend it was taken. */
EXPORT int pthread_mutex_lock(pthread_mutex_t *mutex)
{
	check(FN_MUTEX_LOCK, CALLER);
	if (UNLIKELY(real_mutex_lock == NULL)) {
		if (resolving)
			return 0;
		resolve();
	}
	return real_mutex_lock(mutex);
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t *mutex)
{
	check(FN_MUTEX_TRYLOCK, CALLER);
	if (UNLIKELY(real_mutex_trylock == NULL)) {
		if (resolving)
			return 0;
		resolve();
	}
	return real_mutex_trylock(mutex);
}

EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *rwlock)
{
	check(FN_RWLOCK_RDLOCK, CALLER);
	if (UNLIKELY(real_rwlock_rdlock == NULL)) {
		if (resolving)
			return 0;
		resolve();
	}
	return real_rwlock_rdlock(rwlock);
}

EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *rwlock)
{
	check(FN_RWLOCK_WRLOCK, CALLER);
	if (UNLIKELY(real_rwlock_wrlock == NULL)) {
		if (resolving)
			return 0;
		resolve();
	}
	return real_rwlock_wrlock(rwlock);
}

/* ---- naming the call sites, never in an RT section -------------------- */

/* A site's caller ([0]) and frames ([k + 1]) as text, "" for the frames of
 * this library. Named before any library is unloaded (dlclose: PipeWire
 * unloads its SPA plugins before fohd exits), while the addresses still
 * belong to it, else at exit. */
#define WHERE_LEN	256
static char site_text[MAX_SITES][MAX_FRAMES + 1][WHERE_LEN];
static bool site_named[MAX_SITES];
static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;

static void describe(char *buf, size_t len, const void *addr)
{
	Dl_info info;
	const char *obj;
	char exe[1024];
	ssize_t n;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
		snprintf(buf, len, "%p ?", addr);
		return;
	}
	if (info.dli_fbase == self_base) {
		buf[0] = '\0';
		return;
	}
	obj = info.dli_fname;
	if (obj[0] == '\0') {
		/* the main program */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		obj = exe;
	}
	if (info.dli_sname != NULL)
		snprintf(buf, len, "%p %s+0x%tx (%s+0x%tx)", addr, obj,
				(const char *)addr - (const char *)info.dli_fbase, info.dli_sname,
				(const char *)addr - (const char *)info.dli_saddr);
	else
		snprintf(buf, len, "%p %s+0x%tx (?)", addr, obj,
				(const char *)addr - (const char *)info.dli_fbase);
}

static void name_sites(void)
{
	unsigned n = atomic_load(&sites_claimed);

	ENSURE(real_mutex_lock);
	real_mutex_lock(&name_lock);
	for (unsigned i = 0; i < n && i < MAX_SITES; i++) {
		struct site *s = &sites[i];

		if (site_named[i] || atomic_load(&s->state) != SITE_READY)
			continue;
		describe(site_text[i][0], WHERE_LEN, s->caller);
		for (int k = 0; k < s->depth; k++)
			describe(site_text[i][k + 1], WHERE_LEN, s->frames[k]);
		site_named[i] = true;
	}
	pthread_mutex_unlock(&name_lock);
}

EXPORT int dlclose(void *handle)
{
	ENSURE(real_dlclose);
	if (atomic_load(&sites_claimed) > 0)
		name_sites();
	return real_dlclose(handle);
}

/* ---- the report, at exit ---------------------------------------------- */

__attribute__((destructor))
static void rt_check_report(void)
{
	const char *path = getenv("FOH_RT_REPORT");
	unsigned n;
	int fd = STDERR_FILENO;

	name_sites();
	n = atomic_load(&sites_claimed);
	if (path != NULL && path[0] != '\0') {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			dprintf(STDERR_FILENO, "rt-check: cannot write %s: %s\n", path, strerror(errno));
			fd = STDERR_FILENO;
		}
	}
	dprintf(fd, "rt_sections=%lu violations=%lu\n", atomic_load(&rt_sections),
			atomic_load(&violations));
	dprintf(fd, "unbalanced=%lu unrecorded_sites=%lu\n", atomic_load(&unbalanced),
			atomic_load(&unrecorded_sites));
	for (unsigned i = 0; i < n && i < MAX_SITES; i++) {
		struct site *s = &sites[i];

		if (!site_named[i])
			continue;
		dprintf(fd, "%s %u: %s called %lu times from %s\n",
				s->fn == FN_ENTER_INSIDE || s->fn == FN_LEAVE_OUTSIDE ?
				"unbalanced" : "violation", i + 1, fn_names[s->fn],
				atomic_load(&s->count), site_text[i][0]);
		for (int k = 0; k < s->depth; k++) {
			if (site_text[i][k + 1][0] != '\0')
				dprintf(fd, "    #%d %s\n", k, site_text[i][k + 1]);
		}
	}
	if (fd != STDERR_FILENO)
		close(fd);
}
