/*
 * meter.c - progress and summary on a terminal (see meter.h).
 *
 * Times are whole milliseconds of CLOCK_MONOTONIC and rates integer
 * arithmetic: nothing here needs floating point.  The interval can be
 * set with REWARDS_PROGRESS_MS (0: after every line) so that a test can
 * see progress lines on a short file; it changes nothing else.
 */
#include "meter.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void meter_start(meter *m)
{
    const char *every = getenv("REWARDS_PROGRESS_MS");
    m->on = isatty(STDERR_FILENO);
    m->every_ms = every && *every ? strtol(every, NULL, 10) : 500;
    if (m->every_ms < 0)
        m->every_ms = 500;
    m->start_ms = now_ms();
    m->next_ms = m->start_ms + m->every_ms;
    m->shown = 0;
}

void meter_clear(meter *m)
{
    if (m->on && m->shown) {
        fputs("\r\033[K", stderr);
        m->shown = 0;
    }
}

void meter_line(meter *m, long n)
{
    if (!m->on)
        return;
    int64_t t = now_ms();
    if (t < m->next_ms)
        return;
    int64_t ms = t - m->start_ms;
    long long rate = ms > 0 ? (long long)n * 1000 / ms : (long long)n * 1000;
    fprintf(stderr, "\r\033[K%ld lines, %lld lines/s", n, rate);
    fflush(stderr);
    m->shown = 1;
    m->next_ms = t + m->every_ms;
}

void meter_end(meter *m, long lines, long rejected)
{
    if (!m->on)
        return;
    meter_clear(m);
    int64_t tenths = (now_ms() - m->start_ms + 50) / 100;
    fprintf(stderr, "%ld lines, %ld rejected, %lld.%lld s\n", lines, rejected, (long long)(tenths / 10),
            (long long)(tenths % 10));
}
