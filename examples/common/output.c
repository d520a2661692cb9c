/*
 * output.c - the ledger and payouts (and the traces, statements and holds
 * report when asked) written all or nothing.
 *
 * Both files go to temporary files "PATH.tmp-XXXXXX" in the destination's
 * directory (so the rename cannot cross file systems), each flushed and
 * synced; only when both are complete are they renamed into place.  On any
 * failure every temporary file is removed and the destinations are left as
 * they were.  The reason printed is the system's (strerror of the failing
 * call), so "No space left on device" says what happened.
 */
#include "output.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *path;
    char *tmp;  /* the temporary file, until renamed; NULL when written in place */
    FILE *f;
    int err;    /* errno of the first failure */
    int64_t from, until; /* the statements' range */
} out_file;

static int sink_write(void *user, const char *data, size_t size)
{
    out_file *o = user;
    if (fwrite(data, 1, size, o->f) != size) {
        o->err = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

static int open_out(out_file *o)
{
    struct stat sb;
    if (!strcmp(o->path, "-")) {
        o->f = stdout;
        return 0;
    }
    if (stat(o->path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* a device or a pipe: nothing to rename over; a directory fails here with EISDIR */
        o->f = fopen(o->path, "wb");
        return o->f ? 0 : (o->err = errno, -1);
    }
    size_t n = strlen(o->path);
    o->tmp = malloc(n + sizeof ".tmp-XXXXXX");
    if (!o->tmp)
        return o->err = ENOMEM, -1;
    memcpy(o->tmp, o->path, n);
    memcpy(o->tmp + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        o->err = errno;
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    /* mkstemp makes the file 0600: give it the mode fopen would have (0666 less the umask) */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "wb"))) {
        o->err = errno;
        close(fd);
        return -1;
    }
    return 0;
}

typedef rewards_status (*export_fn)(rewards_engine *, rewards_write_fn, void *);

/* Every recipient's statement over the range kept in the out_file (output_files). */
static rewards_status export_statements(rewards_engine *e, rewards_write_fn write, void *user)
{
    const out_file *o = user;
    return rewards_engine_export_statements(e, NULL, NULL, o->from, o->until, write, user);
}

/* Export into o; 0 when every byte reached the file (and the disk, for a temporary file). */
static int fill(out_file *o, rewards_engine *e, export_fn export)
{
    if (open_out(o))
        return -1;
    errno = 0;
    rewards_status st = export(e, sink_write, o);
    if (st != REWARDS_OK && !o->err)
        o->err = st == REWARDS_NOMEM ? ENOMEM : EIO;
    if (fflush(o->f) && !o->err)
        o->err = errno;
    if (o->tmp && !o->err && fsync(fileno(o->f)))
        o->err = errno;
    if (o->f != stdout) {
        if (fclose(o->f) && !o->err)
            o->err = errno;
    }
    o->f = NULL;
    return o->err ? -1 : 0;
}

int output_write(rewards_engine *e, const char *prog, const char *ledger, const char *payouts)
{
    output_files f = { ledger, payouts, NULL, NULL, NULL, INT64_MIN, INT64_MAX };
    return output_write_files(e, prog, &f);
}

int output_write_files(rewards_engine *e, const char *prog, const output_files *files)
{
    enum { N = 5 };
    out_file out[N] = { { files->ledger, NULL, NULL, 0, 0, 0 },
                        { files->payouts, NULL, NULL, 0, 0, 0 },
                        { files->traces, NULL, NULL, 0, 0, 0 },
                        { files->statements, NULL, NULL, 0, files->from, files->until },
                        { files->holds, NULL, NULL, 0, 0, 0 } };
    export_fn exports[N] = { rewards_engine_export_ledger, rewards_engine_export_payouts, rewards_engine_export_traces,
                             export_statements, rewards_engine_export_holds };
    int bad = -1;
    for (int i = 0; i < N && bad < 0; i++)
        if (out[i].path && fill(&out[i], e, exports[i]))
            bad = i;
    int renamed[N] = { 0 };
    for (int i = 0; i < N && bad < 0; i++) {
        if (!out[i].tmp)
            continue;
        if (rename(out[i].tmp, out[i].path)) {
            out[i].err = errno;
            bad = i;
            /* the other files must not stay alone: undo a rename already done */
            for (int j = 0; j < i; j++)
                if (renamed[j])
                    unlink(out[j].path);
        } else {
            renamed[i] = 1;
            free(out[i].tmp);
            out[i].tmp = NULL;
        }
    }
    for (int i = 0; i < N; i++) {
        if (out[i].tmp) {
            unlink(out[i].tmp);
            free(out[i].tmp);
        }
    }
    if (bad >= 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, out[bad].path, strerror(out[bad].err));
        return -1;
    }
    return 0;
}
