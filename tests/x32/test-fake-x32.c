/* fake-x32 against its own description: two UDP clients on loopback talk
 * to a fake desk started on a free port, with a control file and a log.
 *
 * Replies are read off the socket and checked with liblo's parser and with
 * x32-proto (meters). "No message" means none within 300 ms. Measured:
 * /xinfo, /info, /status answers; preset names; a set is stored as sent,
 * not echoed to its sender, pushed to the other /xremote client, answered
 * by a get; every fader write lands in the log; /meters/2 arrives in the
 * exact layout at 50 ms x TF (rate counted over 1 s) and follows "level";
 * /node answers; a desk move is pushed to everyone; "silent" stops every
 * answer and meter while writes are still logged as dropped, "resume"
 * brings it back; malformed datagrams (random, truncated, 1000-deep
 * bundles, huge blob) do not stop it answering; --post meters follow the
 * fader; "quit" ends it with status 0. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "test-util.h"
#include "osc/validate.h"
#include "x32/proto.h"

struct desk {
	pid_t pid;
	int port;
	char dir[64], control[96], log[96];
};

static const char *fake_path;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int start_desk(struct desk *d, bool post)
{
	int out[2];
	char line[128] = "";
	FILE *f;

	snprintf(d->dir, sizeof(d->dir), "/tmp/test-fake-x32-XXXXXX");
	if (mkdtemp(d->dir) == NULL || pipe(out) < 0)
		return -errno;
	snprintf(d->control, sizeof(d->control), "%s/control", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/log", d->dir);
	if ((d->pid = fork()) == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execl(fake_path, fake_path, "--port", "0", "--log", d->log, "--control",
				d->control, post ? "--post" : NULL, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL ||
			sscanf(line, "fake-x32: listening on 127.0.0.1:%d", &d->port) != 1) {
		printf("fake-x32 did not start: '%s'\n", line);
		return -EIO;
	}
	fclose(f);
	return 0;
}

static int stop_desk(struct desk *d, bool by_quit)
{
	int status = -1;

	if (!by_quit)
		kill(d->pid, SIGTERM);
	for (int i = 0; i < 200 && waitpid(d->pid, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (status == -1) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
	}
	unlink(d->control);
	unlink(d->log);
	rmdir(d->dir);
	return status;
}

static void control(const struct desk *d, const char *line)
{
	int fd = open(d->control, O_WRONLY | O_APPEND);

	CHECK(fd >= 0 && write(fd, line, strlen(line)) == (ssize_t)strlen(line),
			"control write");
	if (fd >= 0)
		close(fd);
	usleep(150000);		/* the fake reads the file every 50 ms */
}

static int client(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "client socket");
	return fd;
}

static void send_raw(int fd, const struct desk *d, const void *data, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)d->port);
	(void)sendto(fd, data, len, 0, (struct sockaddr *)&a, sizeof(a));
}

/* Sends path with args by types: i, f, s. */
static void send_osc(int fd, const struct desk *d, const char *path, const char *types, ...)
{
	lo_message m = lo_message_new();
	uint8_t buf[1024];
	size_t len = sizeof(buf);
	va_list ap;

	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		if (*t == 'i')
			lo_message_add_int32(m, va_arg(ap, int));
		else if (*t == 'f')
			lo_message_add_float(m, (float)va_arg(ap, double));
		else
			lo_message_add_string(m, va_arg(ap, const char *));
	}
	va_end(ap);
	lo_message_serialise(m, path, buf, &len);
	send_raw(fd, d, buf, len);
	lo_message_free(m);
}

/* The next datagram within ms, or 0 bytes. */
static size_t recv_raw(int fd, uint8_t *buf, size_t size, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(fd, buf, size, 0);
	return n > 0 ? (size_t)n : 0;
}

/* The next message with this path within ms (others skipped), parsed. */
static lo_message recv_osc(int fd, const char *path, int ms)
{
	static uint8_t buf[4096];
	double end = now_s() + ms / 1000.0;

	while (now_s() < end) {
		size_t n = recv_raw(fd, buf, sizeof(buf), (int)((end - now_s()) * 1000.0) + 1);
		int res;
		if (n == 0 || foh_osc_validate(buf, n, NULL) < 0 || strcmp((char *)buf, path) != 0)
			continue;
		return lo_message_deserialise(buf, n, &res);
	}
	return NULL;
}

static void drain(int fd)
{
	uint8_t buf[4096];

	while (recv_raw(fd, buf, sizeof(buf), 0) > 0)
		;
}

/* lo_arg pointers are only 4-byte aligned: no access through the union. */
static const char *arg_s(lo_message m, int i)
{
	return (const char *)lo_message_get_argv(m)[i];
}

static float arg_f(lo_message m, int i)
{
	float v;

	memcpy(&v, lo_message_get_argv(m)[i], sizeof(v));
	return v;
}

static int32_t arg_i(lo_message m, int i)
{
	int32_t v;

	memcpy(&v, lo_message_get_argv(m)[i], sizeof(v));
	return v;
}

static void test_info(int a, const struct desk *d)
{
	lo_message m;

	send_osc(a, d, "/xinfo", "");
	m = recv_osc(a, "/xinfo", 1000);
	CHECK(m && strcmp(lo_message_get_types(m), "ssss") == 0 &&
			strcmp(arg_s(m, 2), "X32") == 0, "/xinfo ,ssss");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/info", "");
	m = recv_osc(a, "/info", 1000);
	CHECK(m && strcmp(lo_message_get_types(m), "ssss") == 0, "/info ,ssss");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/status", "");
	m = recv_osc(a, "/status", 1000);
	CHECK(m && strcmp(lo_message_get_types(m), "sss") == 0, "/status ,sss");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/bus/05/config/name", "");
	m = recv_osc(a, "/bus/05/config/name", 1000);
	CHECK(m && strcasestr(arg_s(m, 0), "stream") != NULL, "bus 5 name has 'stream'");
	if (m)
		lo_message_free(m);
}

static float get_fader(int fd, const struct desk *d, const char *path)
{
	lo_message m;
	float v = NAN;

	send_osc(fd, d, path, "");
	if ((m = recv_osc(fd, path, 1000)) == NULL)
		return NAN;
	if (strcmp(lo_message_get_types(m), "f") == 0)
		v = arg_f(m, 0);
	lo_message_free(m);
	return v;
}

static int count_log(const struct desk *d, const char *needle)
{
	FILE *f = fopen(d->log, "r");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void test_sets(int a, int b, const struct desk *d)
{
	lo_message m;

	send_osc(a, d, "/xremote", "");
	send_osc(b, d, "/xremote", "");
	usleep(50000);
	drain(a);
	drain(b);
	send_osc(a, d, "/mtx/01/mix/fader", "f", 0.5);
	m = recv_osc(b, "/mtx/01/mix/fader", 1000);
	CHECK(m && arg_f(m, 0) == 0.5f, "push to the other client");
	if (m)
		lo_message_free(m);
	m = recv_osc(a, "/mtx/01/mix/fader", 300);
	CHECK(m == NULL, "no echo to the sender");
	if (m)
		lo_message_free(m);
	CHECK(get_fader(a, d, "/mtx/01/mix/fader") == 0.5f, "get after set");
	send_osc(a, d, "/mtx/01/mix/fader", "f", 1.7);
	CHECK(get_fader(b, d, "/mtx/01/mix/fader") == 1.7f, "any float stored as sent");
	send_osc(a, d, "/mtx/01/mix/fader", "f", 0.5);
	send_osc(a, d, "/mtx/01/mix/on", "i", 0);
	send_osc(a, d, "/mtx/01/mix/on", "");
	m = recv_osc(a, "/mtx/01/mix/on", 1000);
	CHECK(m && arg_i(m, 0) == 0, "on set and get");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/mtx/01/mix/on", "i", 1);
	usleep(100000);
	CHECK(count_log(d, "/mtx/01/mix/fader") == 3 &&
			count_log(d, "applied") == 3, "3 fader writes logged: %d",
			count_log(d, "/mtx/01/mix/fader"));
}

/* Meter packets for ms; checks each and returns how many, the last values. */
static int collect_meters(int fd, int ms, float *v)
{
	uint8_t buf[512];
	double end = now_s() + ms / 1000.0;
	int n = 0;

	while (now_s() < end) {
		size_t len = recv_raw(fd, buf, sizeof(buf), (int)((end - now_s()) * 1000.0) + 1);
		enum foh_x32_meter_reason why;
		if (len == 0 || strcmp((char *)buf, "/meters/2") != 0)
			continue;
		CHECK(foh_x32_meters_parse(buf, len, 2, v, FOH_X32_METERS2_COUNT, &why) == 49,
				"meter packet: %s", foh_x32_meter_reason_str(why));
		n++;
	}
	return n;
}

static void test_meters(int a, const struct desk *d)
{
	float v[FOH_X32_METERS2_COUNT] = { 0 };
	int n;

	control(d, "level bus1 -20\nlevel mtx1 -30.5\n");
	send_osc(a, d, "/meters", "si", "/meters/2", 1);
	n = collect_meters(a, 1000, v);
	CHECK(n >= 15 && n <= 22, "TF 1: %d packets in 1 s", n);
	CHECK_NEAR(v[0], 0.1, 1e-6, "bus1 at -20 dBFS");
	CHECK_NEAR(foh_x32_meter_to_db(v[16]), -30.5, 1e-4, "mtx1 at -30.5 dBFS");
	CHECK(v[1] == 0.0f && v[30] == 1.0f, "silent bus, unity dynamics gain");
	control(d, "level bus1 -6\n");
	drain(a);
	collect_meters(a, 200, v);
	CHECK_NEAR(foh_x32_meter_to_db(v[0]), -6.0, 1e-4, "level follows the control file");
	send_osc(a, d, "/meters", "si", "/meters/2", 4);
	usleep(100000);
	drain(a);
	n = collect_meters(a, 1000, v);
	CHECK(n >= 3 && n <= 7, "TF 4: %d packets in 1 s", n);
	printf("meters: TF 1 and TF 4 rates as expected, %d packets in 1 s at TF 4\n", n);
}

static void test_node_and_desk(int a, int b, const struct desk *d)
{
	struct foh_x32_node node;
	lo_message m;
	bool on = false;
	double db = 0.0;

	send_osc(a, d, "/node", "s", "mtx/01/mix");
	m = recv_osc(a, "node", 1000);
	CHECK(m && foh_x32_node_parse(arg_s(m, 0), 200, &node) == 0 &&
			foh_x32_node_mix(&node, &on, &db) == 0 && on && db == -10.0 &&
			strcmp(node.path, "/mtx/01/mix") == 0, "node mtx/01/mix ON -10.0");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/node", "s", "bus/05/config");
	m = recv_osc(a, "node", 1000);
	CHECK(m && foh_x32_node_parse(arg_s(m, 0), 200, &node) == 0 &&
			strcmp(node.token[0], "Stream L/R") == 0, "node bus/05/config name");
	if (m)
		lo_message_free(m);
	send_osc(a, d, "/xremote", "");
	send_osc(b, d, "/xremote", "");
	usleep(50000);
	drain(a);
	drain(b);
	control(d, "fader bus5 -10\n");
	for (int fd = a; fd >= 0; fd = fd == a ? b : -1) {
		/* the desk has steps: -10 dB is step 512 (-9.98 dB), not 0.5 */
		m = recv_osc(fd, "/bus/05/mix/fader", 1000);
		CHECK(m && arg_f(m, 0) == 512.0f / 1023.0f, "desk move pushed to %s",
				fd == a ? "a" : "b");
		if (m)
			lo_message_free(m);
	}
}

static void test_silent(int a, const struct desk *d)
{
	float v[FOH_X32_METERS2_COUNT];
	lo_message m;

	send_osc(a, d, "/meters", "si", "/meters/2", 1);
	control(d, "silent\n");
	drain(a);
	send_osc(a, d, "/xinfo", "");
	m = recv_osc(a, "/xinfo", 300);
	CHECK(m == NULL, "silent: no /xinfo answer");
	if (m)
		lo_message_free(m);
	CHECK(collect_meters(a, 300, v) == 0, "silent: no meters");
	send_osc(a, d, "/mtx/01/mix/fader", "f", 0.25);
	usleep(100000);
	CHECK(count_log(d, "dropped") == 1, "silent: write logged as dropped");
	control(d, "resume\n");
	CHECK(get_fader(a, d, "/mtx/01/mix/fader") == 0.5f, "silent write not applied");
	CHECK(collect_meters(a, 300, v) > 0, "meters back after resume");
}

static void test_garbage(int a, const struct desk *d)
{
	static uint8_t deep[24 * 1000 + 64];
	uint64_t rng = 5;
	size_t len = 12;
	uint8_t buf[256];
	lo_message m;

	for (int k = 0; k < 2000; k++) {
		size_t n = (size_t)(test_rand(&rng) * 200.0);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(test_rand(&rng) * 256.0);
		if (k % 3 == 0)
			buf[0] = '/';
		send_raw(a, d, buf, n);
	}
	send_raw(a, d, "/ab\0,b\0\0\x7f\xff\xff\xff\0\0\0\0", 16);
	send_raw(a, d, "/ab\0,s\0\0abcd", 12);
	memcpy(deep, "/x\0\0,\0\0\0", 8);
	for (int depth = 0; depth < 1000; depth++) {
		memmove(deep + 20, deep, len);
		memcpy(deep, "#bundle\0\0\0\0\0\0\0\0\1", 16);
		deep[16] = (uint8_t)(len >> 24);
		deep[17] = (uint8_t)(len >> 16);
		deep[18] = (uint8_t)(len >> 8);
		deep[19] = (uint8_t)len;
		len += 20;
	}
	send_raw(a, d, deep, len);
	usleep(100000);
	drain(a);
	send_osc(a, d, "/xinfo", "");
	m = recv_osc(a, "/xinfo", 1000);
	CHECK(m != NULL, "still answering after garbage");
	if (m)
		lo_message_free(m);
	/* a well-formed bundle is served */
	memcpy(buf, "#bundle\0\0\0\0\0\0\0\0\1\0\0\0\x0c/xinfo\0\0,\0\0\0", 32);
	send_raw(a, d, buf, 32);
	m = recv_osc(a, "/xinfo", 1000);
	CHECK(m != NULL, "bundle served");
	if (m)
		lo_message_free(m);
}

static void test_post(void)
{
	float v[FOH_X32_METERS2_COUNT] = { 0 };
	struct desk d;
	int a;

	CHECK(start_desk(&d, true) == 0, "post desk started");
	a = client();
	control(&d, "level bus1 -20\n");
	send_osc(a, &d, "/meters", "si", "/meters/2", 1);
	collect_meters(a, 200, v);
	CHECK_NEAR(foh_x32_meter_to_db(v[0]), -20.0, 1e-3, "post, fader 0 dB");
	send_osc(a, &d, "/bus/01/mix/fader", "f", 0.5);
	usleep(100000);
	drain(a);
	collect_meters(a, 200, v);
	CHECK_NEAR(foh_x32_meter_to_db(v[0]), -30.0, 1e-3, "post, fader -10 dB");
	send_osc(a, &d, "/bus/01/mix/on", "i", 0);
	usleep(100000);
	drain(a);
	collect_meters(a, 200, v);
	CHECK(v[0] == 0.0f, "post, off");
	close(a);
	control(&d, "quit\n");
	int status = stop_desk(&d, true);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "quit: exit status 0");
}

int main(int argc, char **argv)
{
	struct desk d;
	int a, b, status;

	if (argc < 2) {
		printf("usage: test-fake-x32 PATH-TO-FAKE-X32\n");
		return 2;
	}
	fake_path = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (start_desk(&d, false) < 0)
		return 1;
	a = client();
	b = client();
	test_info(a, &d);
	test_sets(a, b, &d);
	test_meters(a, &d);
	test_node_and_desk(a, b, &d);
	test_silent(a, &d);
	test_garbage(a, &d);
	close(a);
	close(b);
	status = stop_desk(&d, false);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SIGTERM: exit status 0 (%d)",
			status);
	test_post();
	return test_summary("test-fake-x32");
}
