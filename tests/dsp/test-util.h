/* Tiny helpers shared by the DSP unit tests: check macros that count
 * failures and print what was checked, signal generators, level maths. */
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdio.h>

static int test_failures;
static int test_checks;

#define CHECK(cond, ...) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* |measured - expected| <= tol, printed either way when verbose. */
#define CHECK_NEAR(measured, expected, tol, ...) do {			\
	double m_ = (measured), e_ = (expected), t_ = (tol);		\
	test_checks++;							\
	if (!(fabs(m_ - e_) <= t_)) {					\
		test_failures++;					\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf(": measured %.4f expected %.4f tol %.4f\n",	\
				m_, e_, t_);				\
	}								\
} while (0)

static inline int test_summary(const char *name)
{
	printf("%s: %d checks, %d failures\n", name, test_checks,
			test_failures);
	return test_failures == 0 ? 0 : 1;
}

static inline double db_to_amp(double db)
{
	return pow(10.0, db / 20.0);
}

static inline double amp_to_db(double a)
{
	return 20.0 * log10(a);
}

/* xorshift64*: reproducible noise without libc rand state. */
static inline double test_rand(uint64_t *st)
{
	uint64_t x = *st;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return (double)((x * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [-1, 1). */
static inline double test_noise(uint64_t *st)
{
	return 2.0 * test_rand(st) - 1.0;
}
