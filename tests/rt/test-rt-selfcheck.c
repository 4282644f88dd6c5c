/* rt-checker-works: the RT checker (rt-check.so, preloaded by the test) can
 * fail. Each case runs in a child process, which writes the checker's report
 * at exit to a file of its own; the parent reads it:
 *   1. malloc and free inside an RT section are 2 violations, named as such,
 *      and the same calls outside the section count nothing;
 *   2. a section with nothing in it, and the allocator and a mutex used
 *      outside any section, count no violation;
 *   3. every interposed function counts once inside a section;
 *   4. a leave without an enter is reported as unbalanced.
 * Output is TAP. Without the preload the hooks are NULL and it fails, unless
 * FOH_RT_SKIP says why the check cannot run in this build (it skips then). */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* As in fohd (src/channel.c): defined only by the preloaded checker. */
void foh_rt_enter(void) __attribute__((weak));
void foh_rt_leave(void) __attribute__((weak));

/* Called through volatile pointers so the compiler cannot drop or merge the
 * calls (it may remove a malloc/free pair), and through the GOT, so they
 * reach whatever definition comes first: the preloaded one. */
static void *(*volatile p_malloc)(size_t) = malloc;
static void *(*volatile p_calloc)(size_t, size_t) = calloc;
static void *(*volatile p_realloc)(void *, size_t) = realloc;
static void (*volatile p_free)(void *) = free;
static int (*volatile p_posix_memalign)(void **, size_t, size_t) = posix_memalign;
static void *(*volatile p_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void *(*volatile p_memalign)(size_t, size_t) = memalign;
static int (*volatile p_mutex_lock)(pthread_mutex_t *) = pthread_mutex_lock;
static int (*volatile p_mutex_trylock)(pthread_mutex_t *) = pthread_mutex_trylock;
static int (*volatile p_rwlock_rdlock)(pthread_rwlock_t *) = pthread_rwlock_rdlock;
static int (*volatile p_rwlock_wrlock)(pthread_rwlock_t *) = pthread_rwlock_wrlock;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;

static void case_malloc_free(void)
{
	void *outside = p_malloc(32), *p;

	foh_rt_enter();
	p = p_malloc(64);
	p_free(p);
	foh_rt_leave();
	p_free(outside);
}

static void case_clean(void)
{
	void *p;

	foh_rt_enter();
	foh_rt_leave();
	p = p_malloc(64);
	p_free(p);
	p_mutex_lock(&mutex);
	pthread_mutex_unlock(&mutex);
}

#define EVERY_FUNCTION_VIOLATIONS 15

static void case_every_function(void)
{
	void *a, *b, *c, *d, *e;

	foh_rt_enter();
	a = p_calloc(4, 16);				/* 1 */
	a = p_realloc(a, 256);				/* 2 */
	if (p_posix_memalign(&b, 64, 128) != 0)		/* 3 */
		b = NULL;
	c = p_aligned_alloc(64, 128);			/* 4 */
	d = p_memalign(64, 128);			/* 5 */
	e = p_malloc(8);				/* 6 */
	p_free(a);					/* 7 */
	p_free(b);					/* 8 */
	p_free(c);					/* 9 */
	p_free(d);					/* 10 */
	p_free(e);					/* 11 */
	p_free(NULL);					/* nothing: free(NULL) does nothing */
	p_mutex_lock(&mutex);				/* 12 */
	pthread_mutex_unlock(&mutex);
	if (p_mutex_trylock(&mutex) == 0)		/* 13 */
		pthread_mutex_unlock(&mutex);
	p_rwlock_rdlock(&rwlock);			/* 14 */
	pthread_rwlock_unlock(&rwlock);
	p_rwlock_wrlock(&rwlock);			/* 15 */
	pthread_rwlock_unlock(&rwlock);
	foh_rt_leave();
	/* the write lock outside the section: not counted */
	p_rwlock_wrlock(&rwlock);
	pthread_rwlock_unlock(&rwlock);
}

static void case_unbalanced(void)
{
	void *p;

	foh_rt_leave();
	p = p_malloc(16);
	p_free(p);
}

struct report {
	unsigned long sections, violations, unbalanced;
	char text[65536];
};

/* run_case: runs BODY in a child whose checker reports to a file, and reads
 * the report. 0 on success, else -1 with a diagnostic. */
static int run_case(void (*body)(void), struct report *r)
{
	char path[] = "/tmp/foh-rt-report.XXXXXX";
	int fd = mkstemp(path), status;
	pid_t pid;
	FILE *f;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		printf("# mkstemp: %s\n", strerror(errno));
		return -1;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		unlink(path);
		return -1;
	}
	if (pid == 0) {
		setenv("FOH_RT_REPORT", path, 1);
		body();
		exit(0);	/* exit(), not _exit(): the checker reports in a destructor */
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("# the child did not exit cleanly (status 0x%x)\n", status);
		unlink(path);
		return -1;
	}
	f = fopen(path, "r");
	unlink(path);
	if (f == NULL) {
		printf("# no report: %s\n", strerror(errno));
		return -1;
	}
	n = fread(r->text, 1, sizeof(r->text) - 1, f);
	fclose(f);
	r->text[n] = '\0';
	if (sscanf(r->text, "rt_sections=%lu violations=%lu\nunbalanced=%lu",
			&r->sections, &r->violations, &r->unbalanced) != 3) {
		printf("# unreadable report:\n%s", r->text);
		return -1;
	}
	return 0;
}

static void show(const struct report *r)
{
	const char *line = r->text, *end;

	while (*line != '\0') {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		printf("# %.*s\n", (int)(end - line), line);
		line = *end != '\0' ? end + 1 : end;
	}
}

static int test_no;
static int failures;

static void ok(int pass, const char *what)
{
	printf("%sok %d - %s\n", pass ? "" : "not ", ++test_no, what);
	if (!pass)
		failures++;
}

/* The sites of a report name FN as the function called. */
static int names(const struct report *r, const char *fn)
{
	char needle[64];

	snprintf(needle, sizeof(needle), ": %s called ", fn);
	return strstr(r->text, needle) != NULL;
}

int main(void)
{
	static struct report r;
	const char *skip = getenv("FOH_RT_SKIP");

	if (foh_rt_enter == NULL || foh_rt_leave == NULL) {
		if (skip != NULL && skip[0] != '\0') {
			printf("1..0 # SKIP %s\n", skip);
			return 0;
		}
		printf("Bail out! rt-check is not preloaded (LD_PRELOAD=%s)\n",
				getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
		return 1;
	}
	printf("1..4\n");

	if (run_case(case_malloc_free, &r) == 0) {
		show(&r);
		ok(r.sections == 1 && r.violations == 2 && r.unbalanced == 0 &&
				names(&r, "malloc") && names(&r, "free"),
				"malloc + free inside an RT section: 2 violations, named");
	} else {
		ok(0, "malloc + free inside an RT section: 2 violations, named");
	}

	if (run_case(case_clean, &r) == 0) {
		show(&r);
		ok(r.sections == 1 && r.violations == 0 && r.unbalanced == 0,
				"nothing counted outside an RT section");
	} else {
		ok(0, "nothing counted outside an RT section");
	}

	if (run_case(case_every_function, &r) == 0) {
		static const char *const fns[] = {
			"malloc", "calloc", "realloc", "free", "posix_memalign",
			"aligned_alloc", "memalign", "pthread_mutex_lock",
			"pthread_mutex_trylock", "pthread_rwlock_rdlock",
			"pthread_rwlock_wrlock",
		};
		int all = 1;

		show(&r);
		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
			if (!names(&r, fns[i])) {
				printf("# %s is not in the report\n", fns[i]);
				all = 0;
			}
		}
		ok(all && r.sections == 1 && r.violations == EVERY_FUNCTION_VIOLATIONS,
				"every interposed function is caught inside an RT section");
	} else {
		ok(0, "every interposed function is caught inside an RT section");
	}

	if (run_case(case_unbalanced, &r) == 0) {
		show(&r);
		ok(r.sections == 0 && r.violations == 0 && r.unbalanced == 1 &&
				names(&r, "foh_rt_leave outside an RT section"),
				"a leave without an enter is reported as unbalanced");
	} else {
		ok(0, "a leave without an enter is reported as unbalanced");
	}
	return failures == 0 ? 0 : 1;
}
