/*
 * whatif.c - rewards-cli whatif BASE.jsonl CHANGE.jsonl: "what would this
 * change do?".
 *
 * BASE is applied as by run; then CHANGE is applied inside one batch
 * (docs/batches.md), the ledger and payouts are compared with what they
 * were after BASE, the difference is printed on standard output, and the
 * batch is rolled back: nothing of CHANGE remains (a host with storage
 * would not have heard of it either).  The output format is documented in
 * docs/batches.md ("whatif output"):
 *
 *   # ledger
 *   - ROW      an entry as it was after BASE, when CHANGE changed it (status, payout)
 *   + ROW      that entry after CHANGE, or an entry CHANGE created
 *   # payouts
 *   + ROW      a payout line CHANGE created
 *   # net
 *   RECIPIENT_TYPE,RECIPIENT,CURRENCY,AMOUNT   sum of the entries CHANGE created
 *
 * Rows are the CSV rows of the exports, unchanged.
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static int sbuf_write(void *user, const char *data, size_t size)
{
    sbuf *b = user;
    if (b->len + size + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + size + 1)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return -1;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, data, size);
    b->len += size;
    b->p[b->len] = '\0';
    return 0;
}

/* The rows of a CSV export (the header skipped), pointing into b (newlines cut). */
typedef struct rows {
    char **v;
    size_t n;
} rows;

static int split_rows(char *text, rows *r)
{
    r->v = NULL;
    r->n = 0;
    size_t cap = 0;
    int first = 1;
    for (char *p = text; p && *p;) {
        /* a row ends at a newline outside quotes ("" inside quotes toggles twice) */
        char *nl = p;
        for (int quoted = 0; *nl && (quoted || *nl != '\n'); nl++)
            quoted ^= *nl == '"';
        if (!*nl)
            nl = NULL;
        if (nl)
            *nl = '\0';
        if (!first) {
            if (r->n == cap) {
                cap = cap ? cap * 2 : 64;
                char **nv = realloc(r->v, cap * sizeof *nv);
                if (!nv)
                    return -1;
                r->v = nv;
            }
            r->v[r->n++] = p;
        }
        first = 0;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* Field i of a CSV row (quotes with "" inside), copied into out. */
static int csv_field(const char *row, int i, char *out, size_t size)
{
    size_t o = 0;
    int field = 0;
    const char *p = row;
    while (field < i || (field == i && *p && *p != ',')) {
        if (!*p)
            return -1;
        if (*p == '"') {
            for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                if (field == i && o + 1 < size)
                    out[o++] = *p;
            }
            if (*p)
                p++;
            continue;
        }
        if (*p == ',') {
            field++;
            p++;
            continue;
        }
        if (field == i && o + 1 < size)
            out[o++] = *p;
        p++;
    }
    out[o] = '\0';
    return 0;
}

/* Net amounts of the new entries per recipient and currency. */
typedef struct net {
    char rtype[16], recipient[256], currency[8];
    int64_t amount;
} net;

static int add_net(net **v, size_t *n, const char *row)
{
    char rtype[16], rec[256], cur[8], amt[64];
    if (csv_field(row, 5, rtype, sizeof rtype) || csv_field(row, 6, rec, sizeof rec) ||
        csv_field(row, 7, amt, sizeof amt) || csv_field(row, 8, cur, sizeof cur))
        return -1;
    int neg = amt[0] == '-';
    int64_t a;
    if (rewards_amount_parse(amt + neg, cur, &a) != REWARDS_OK)
        return -1;
    if (neg)
        a = -a;
    for (size_t i = 0; i < *n; i++) {
        net *x = &(*v)[i];
        if (!strcmp(x->rtype, rtype) && !strcmp(x->recipient, rec) && !strcmp(x->currency, cur)) {
            if ((a > 0 && x->amount > INT64_MAX - a) || (a < 0 && x->amount < INT64_MIN - a))
                return -1;
            x->amount += a;
            return 0;
        }
    }
    net *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *v = nv;
    net *x = &nv[(*n)++];
    snprintf(x->rtype, sizeof x->rtype, "%s", rtype);
    snprintf(x->recipient, sizeof x->recipient, "%s", rec);
    snprintf(x->currency, sizeof x->currency, "%s", cur);
    x->amount = a;
    return 0;
}

static int exports(rewards_engine *e, sbuf *ledger, sbuf *payouts)
{
    memset(ledger, 0, sizeof *ledger);
    memset(payouts, 0, sizeof *payouts);
    if (rewards_engine_export_ledger(e, sbuf_write, ledger) != REWARDS_OK ||
        rewards_engine_export_payouts(e, sbuf_write, payouts) != REWARDS_OK || ledger->failed || payouts->failed)
        return -1;
    if (!ledger->p)
        sbuf_write(ledger, "", 0);
    if (!payouts->p)
        sbuf_write(payouts, "", 0);
    return ledger->failed || payouts->failed ? -1 : 0;
}

/* Print the difference; the ledger's rows are numbered from 1 in order, so
 * row i of the base is entry i + 1 of the change. */
static int print_diff(sbuf *bl, sbuf *bp, sbuf *cl, sbuf *cp)
{
    rows a = { 0 }, b = { 0 }, pa = { 0 }, pb = { 0 };
    net *nets = NULL;
    size_t nnets = 0;
    int rc = -1;
    /* split copies: the caller compares the base's exports again after the rollback */
    char *tbl = strdup(bl->p), *tcl = strdup(cl->p), *tbp = strdup(bp->p), *tcp = strdup(cp->p);
    if (!tbl || !tcl || !tbp || !tcp || split_rows(tbl, &a) || split_rows(tcl, &b) || split_rows(tbp, &pa) ||
        split_rows(tcp, &pb))
        goto out;
    printf("# ledger\n");
    for (size_t i = 0; i < b.n; i++) {
        if (i < a.n && !strcmp(a.v[i], b.v[i]))
            continue;
        if (i < a.n)
            printf("- %s\n", a.v[i]);
        printf("+ %s\n", b.v[i]);
        if (i >= a.n && add_net(&nets, &nnets, b.v[i]))
            goto out;
    }
    for (size_t i = b.n; i < a.n; i++) /* never: entries are not removed; shown if it ever happens */
        printf("- %s\n", a.v[i]);
    /* payout lines are never changed once made: the change's are the new ones */
    printf("# payouts\n");
    for (size_t i = 0; i < pb.n; i++) {
        int seen = 0;
        for (size_t j = 0; j < pa.n && !seen; j++)
            seen = !strcmp(pa.v[j], pb.v[i]);
        if (!seen)
            printf("+ %s\n", pb.v[i]);
    }
    printf("# net\n");
    for (size_t i = 0; i < nnets; i++) {
        char amt[40];
        int64_t v = nets[i].amount;
        if (rewards_amount_format(v, nets[i].currency, amt, sizeof amt) != REWARDS_OK)
            goto out;
        printf("%s,%s,%s,%s\n", nets[i].rtype, nets[i].recipient, nets[i].currency, amt);
    }
    rc = 0;
out:
    free(a.v);
    free(b.v);
    free(pa.v);
    free(pb.v);
    free(nets);
    free(tbl);
    free(tcl);
    free(tbp);
    free(tcp);
    return rc;
}

int cli_whatif(int argc, char **argv)
{
    if (argc != 2 || argv[0][0] == '-' || argv[1][0] == '-')
        return usage_error("whatif needs two files: BASE.jsonl CHANGE.jsonl%s", "");
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL) != REWARDS_OK) {
        fprintf(stderr, "rewards-cli: out of memory\n");
        return 2;
    }
    int rejected = 0, status = 2;
    sbuf bl = { 0 }, bp = { 0 }, cl = { 0 }, cp = { 0 };
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s: ", argv[0]);
    if (cli_apply_file(e, argv[0], prefix, 0, &rejected))
        goto out;
    if (exports(e, &bl, &bp)) {
        fprintf(stderr, "rewards-cli: out of memory exporting\n");
        goto out;
    }
    rewards_status st = rewards_engine_begin(e);
    if (st != REWARDS_OK) {
        fprintf(stderr, "rewards-cli: cannot begin a batch: %s\n", rewards_engine_errmsg(e));
        goto out;
    }
    snprintf(prefix, sizeof prefix, "%s: ", argv[1]);
    if (cli_apply_file(e, argv[1], prefix, 0, &rejected) || exports(e, &cl, &cp) || print_diff(&bl, &bp, &cl, &cp)) {
        rewards_engine_rollback(e);
        goto out;
    }
    rewards_engine_rollback(e);
    status = rejected ? 1 : 0;
    /* the rollback is exact: what BASE left is what the engine holds again */
    sbuf al, ap;
    if (exports(e, &al, &ap) || strcmp(al.p, bl.p) || strcmp(ap.p, bp.p)) {
        fprintf(stderr, "rewards-cli: the rollback did not restore the engine\n");
        status = 2;
    }
    free(al.p);
    free(ap.p);
out:
    free(bl.p);
    free(bp.p);
    free(cl.p);
    free(cp.p);
    rewards_engine_free(e);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "rewards-cli: cannot write standard output\n");
        status = 2;
    }
    return status;
}
