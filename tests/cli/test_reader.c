/*
 * test_reader.c - the scenario reader (examples/common) on input that is
 * not a plain file: a read error in the middle of the file must be an
 * error, never a silent end of file (issue 10, item 5).  A FILE whose reads
 * fail after a few bytes is made with fopencookie (glibc); elsewhere the
 * test is skipped (exit 77).
 */
#define _GNU_SOURCE
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
            failed = 1;                                                  \
        }                                                                \
    } while (0)

#if defined(__GLIBC__)
typedef struct {
    const char *text;
    size_t pos, fail_at;
} source;

/* Gives one byte per read, then EIO from fail_at on. */
static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
    source *s = cookie;
    if (s->pos >= s->fail_at) {
        errno = EIO;
        return -1;
    }
    if (!s->text[s->pos] || !size)
        return 0;
    buf[0] = s->text[s->pos++];
    return 1;
}

static void read_error_mid_file(void)
{
    static const char text[] = "{\"op\":\"program\"}\n{\"op\":\"level\"}\n{\"op\":\"partner\"}\n";
    for (size_t fail_at = 0; fail_at < sizeof text - 1; fail_at++) {
        source s = { text, 0, fail_at };
        cookie_io_functions_t io = { failing_read, NULL, NULL, NULL };
        FILE *f = fopencookie(&s, "r", io);
        CHECK(f != NULL);
        setvbuf(f, NULL, _IONBF, 0);
        char *buf = NULL;
        size_t cap = 0;
        long len, lines = 0;
        while ((len = scenario_read_line(f, &buf, &cap)) >= 0)
            lines++;
        CHECK(len == SCENARIO_READ_ERROR);
        CHECK(errno == EIO);
        /* only whole lines before the failure were returned */
        size_t whole = 0;
        for (size_t i = 0; i < fail_at; i++)
            whole += text[i] == '\n';
        CHECK((size_t)lines == whole);
        free(buf);
        fclose(f);
    }
}
#endif

static void directory_is_an_error(void)
{
    FILE *f = fopen(".", "rb");
    if (!f)
        return; /* a system that refuses to open a directory: the hosts report fopen's reason */
    char *buf = NULL;
    size_t cap = 0;
    long len = scenario_read_line(f, &buf, &cap);
    CHECK(len == SCENARIO_READ_ERROR);
    CHECK(errno == EISDIR);
    free(buf);
    fclose(f);
}

static void nul_byte_counts(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    fwrite("{\"op\":\"x\"}\0garbage\n", 1, 19, f);
    rewind(f);
    char *buf = NULL;
    size_t cap = 0;
    long len = scenario_read_line(f, &buf, &cap);
    CHECK(len == 18);
    rewards_engine *e;
    CHECK(rewards_engine_new(&e, NULL) == REWARDS_OK);
    rewards_op *op;
    rewards_status st;
    char msg[256];
    CHECK(scenario_parse_line(e, buf, (size_t)len, &op, &st, msg, sizeof msg) == SCENARIO_FATAL);
    CHECK(strstr(msg, "NUL byte at column 11") != NULL);
    rewards_engine_free(e);
    free(buf);
    fclose(f);
}

int main(void)
{
#if defined(__GLIBC__)
    read_error_mid_file();
#else
    fprintf(stderr, "skipped: fopencookie is glibc's\n");
#endif
    directory_is_an_error();
    nul_byte_counts();
    if (!failed)
        puts("ok: the reader reports read errors and NUL bytes");
    return failed;
}
