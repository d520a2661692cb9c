/*
 * expr_compile.c - lexer, parser and compiler of the condition language.
 *
 * A condition is parsed by recursive descent straight into the flat stack
 * program of expr.h; there is no syntax tree.  The parser runs twice over
 * the text: the first run validates it and counts instructions, constants
 * and string bytes; the second writes them into the single allocation sized
 * from those counts.  One exact allocation means a compiled condition is one
 * block of memory, and the only allocation failure to handle is that one.
 *
 * Every construct that makes the parser recurse - '(', '!', '[', has( -
 * counts towards the nesting limit, so the C stack used is bounded by
 * RW_EXPR_MAX_DEPTH whatever the input; operator chains (a && b && c) are
 * loops, not recursion.  Names are resolved here, so evaluation never looks
 * at text and an unknown name is a compile error with its position.
 */
#include "expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    T_EOF, T_NUM, T_STR, T_NAME, T_TRUE, T_FALSE, T_HAS, T_IN,
    T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA,
    T_NOT, T_AND, T_OR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE
};

typedef struct {
    const char *text;
    size_t len;
    size_t pos;        /* next byte the lexer reads */

    int tok;           /* current token */
    size_t tstart;     /* its first byte */
    size_t tend;       /* one past its last byte */
    rw_xnum num;       /* T_NUM: its value */
    size_t slen;       /* T_STR: length once escapes are decoded */

    int depth;         /* current nesting */
    int failed;
    size_t err_off;    /* byte offset of the first error */
    char detail[192];  /* its description */

    /* Output.  In the counting pass the pointers are NULL and only the
     * counters move; in the writing pass they point into the program. */
    rw_xinstr *code;
    rw_xvalue *consts;
    char *strings;
    uint32_t ncode;
    uint32_t nconst;
    size_t nstr;
    uint32_t sp;       /* evaluation stack depth at this point of the code */
    uint32_t max_sp;
} rw_xparser;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(rw_xparser *p, size_t off, const char *fmt, ...)
{
    /* Only the first error is reported: later ones are consequences. */
    if (!p->failed) {
        va_list ap;
        p->failed = 1;
        p->err_off = off;
        va_start(ap, fmt);
        vsnprintf(p->detail, sizeof p->detail, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- numbers ---- */

enum { XNUM_OK, XNUM_SYNTAX, XNUM_DIGITS, XNUM_SCALE };

/* The grammar of rw_xnum_parse, telling which rule failed so that the
 * compiler can say why a number is rejected. */
static int xnum_parse(const char *s, size_t len, rw_xnum *out)
{
    size_t i = 0, sig = 0, frac = 0;
    int neg = 0;
    int64_t coef = 0;

    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len || s[i] < '0' || s[i] > '9')
        return XNUM_SYNTAX;
    /* JSON's rule: no leading zeros, so "007" stays an identifier-like
     * string for the engine rather than silently becoming 7. */
    if (s[i] == '0' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
        return XNUM_SYNTAX;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (sig || s[i] != '0')
            sig++;
        if (sig <= RW_XNUM_MAX_DIGITS)
            coef = coef * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || s[i] < '0' || s[i] > '9')
            return XNUM_SYNTAX;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (sig || s[i] != '0')
                sig++;
            frac++;
            /* Stop accumulating once the number is known to be rejected,
             * so that coef never overflows. */
            if (sig <= RW_XNUM_MAX_DIGITS && frac <= RW_XNUM_MAX_SCALE)
                coef = coef * 10 + (s[i] - '0');
        }
    }
    if (i != len)
        return XNUM_SYNTAX;
    if (sig > RW_XNUM_MAX_DIGITS)
        return XNUM_DIGITS;
    if (frac > RW_XNUM_MAX_SCALE)
        return XNUM_SCALE;
    if (out) {
        out->coef = neg ? -coef : coef;
        out->scale = (int32_t)frac;
    }
    return XNUM_OK;
}

int rw_xnum_parse(const char *s, size_t len, rw_xnum *out)
{
    if (!s && len)
        return -1;
    return xnum_parse(s, len, out) == XNUM_OK ? 0 : -1;
}

/* ---- lexer ---- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ident_start(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_ident(int c) { return is_ident_start(c) || is_digit(c); }

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at text[i]; -1 when they are not there. */
static long hex4(const rw_xparser *p, size_t i)
{
    long v = 0;
    if (p->len - i < 4)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval((unsigned char)p->text[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at text[i] (lead byte >= 0x80), or 0.
 * Rejects overlong forms, surrogates and code points above U+10FFFF, the
 * ranges of Unicode's table 3-7. */
static size_t utf8_len(const rw_xparser *p, size_t i)
{
    const unsigned char *s = (const unsigned char *)p->text + i;
    size_t avail = p->len - i, n;
    unsigned char lo = 0x80, hi = 0xBF;

    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        if (s[0] == 0xE0)
            lo = 0xA0;
        else if (s[0] == 0xED)
            hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        if (s[0] == 0xF0)
            lo = 0x90;
        else if (s[0] == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return n;
}

static size_t put_utf8(char *dst, unsigned long cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (dst)
        memcpy(dst, b, n);
    return n;
}

/*
 * Scans the string literal whose opening quote is at text[start]: checks
 * it, sets *end past the closing quote and *dlen to the decoded length, and
 * when dst is not NULL writes the decoded bytes there.  The lexer calls it
 * to validate; the writing pass calls it again to decode into the program.
 */
static int scan_string(rw_xparser *p, size_t start, char *dst, size_t *end, size_t *dlen)
{
    size_t i = start + 1, n = 0;

    for (;;) {
        if (i >= p->len)
            return fail(p, start, "unterminated string");
        unsigned char c = (unsigned char)p->text[i];
        if (c == '"')
            break;
        if (c == '\n' || c == '\r')
            /* Strings do not span lines: the likelier mistake is a
             * missing quote, so point at the string that is open. */
            return fail(p, start, "unterminated string");
        if (c < 0x20)
            return fail(p, i, "control character in string (use an escape such as \\t)");
        if (c >= 0x80) {
            size_t k = utf8_len(p, i);
            if (!k)
                return fail(p, i, "invalid UTF-8 in string");
            if (dst)
                memcpy(dst + n, p->text + i, k);
            n += k;
            i += k;
            continue;
        }
        if (c != '\\') {
            if (dst)
                dst[n] = (char)c;
            n++;
            i++;
            continue;
        }
        /* An escape. */
        if (i + 1 >= p->len)
            return fail(p, start, "unterminated string");
        char e = p->text[i + 1], out;
        switch (e) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            long cp = hex4(p, i + 2);
            size_t used = 6;
            if (cp < 0)
                return fail(p, i, "invalid \\u escape (expected 4 hex digits)");
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(p, i, "invalid \\u escape (lone low surrogate)");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long lo = -1;
                if (i + 7 < p->len && p->text[i + 6] == '\\' && p->text[i + 7] == 'u')
                    lo = hex4(p, i + 8);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(p, i, "invalid \\u escape (high surrogate without a low one)");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                used = 12;
            }
            n += put_utf8(dst ? dst + n : NULL, (unsigned long)cp);
            i += used;
            continue;
        }
        default:
            if ((unsigned char)e > 0x20 && (unsigned char)e < 0x7F)
                return fail(p, i, "invalid escape '\\%c'", e);
            return fail(p, i, "invalid escape");
        }
        if (dst)
            dst[n] = out;
        n++;
        i += 2;
    }
    *end = i + 1;
    *dlen = n;
    return 0;
}

/* Reads the next token into p->tok; -1 on a lexical error. */
static int next(rw_xparser *p)
{
    const char *s = p->text;
    size_t i = p->pos;

    while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    p->tstart = i;
    if (i >= p->len) {
        p->tok = T_EOF;
        p->tend = p->pos = i;
        return 0;
    }
    unsigned char c = (unsigned char)s[i];
    int two = i + 1 < p->len ? (unsigned char)s[i + 1] : -1;
    size_t n = 1;

    switch (c) {
    case '(': p->tok = T_LPAREN; break;
    case ')': p->tok = T_RPAREN; break;
    case '[': p->tok = T_LBRACK; break;
    case ']': p->tok = T_RBRACK; break;
    case ',': p->tok = T_COMMA; break;
    case '!':
        p->tok = two == '=' ? T_NE : T_NOT;
        n = two == '=' ? 2 : 1;
        break;
    case '<':
        p->tok = two == '=' ? T_LE : T_LT;
        n = two == '=' ? 2 : 1;
        break;
    case '>':
        p->tok = two == '=' ? T_GE : T_GT;
        n = two == '=' ? 2 : 1;
        break;
    case '=':
        if (two != '=')
            return fail(p, i, "unexpected character '=' (comparison is '==')");
        p->tok = T_EQ;
        n = 2;
        break;
    case '&':
        if (two != '&')
            return fail(p, i, "unexpected character '&' (and is '&&')");
        p->tok = T_AND;
        n = 2;
        break;
    case '|':
        if (two != '|')
            return fail(p, i, "unexpected character '|' (or is '||')");
        p->tok = T_OR;
        n = 2;
        break;
    case '"': {
        size_t end;
        if (scan_string(p, i, NULL, &end, &p->slen) < 0)
            return -1;
        p->tok = T_STR;
        n = end - i;
        break;
    }
    default:
        if (is_digit(c) || (c == '-' && two >= 0 && is_digit(two))) {
            /* Take the whole run of number-like bytes, so that "5.",
             * "1.2.3" or "5abc" are reported as one bad number. */
            size_t j = i + 1;
            while (j < p->len && (is_ident((unsigned char)s[j]) || s[j] == '.'))
                j++;
            n = j - i;
            int len = n > 40 ? 40 : (int)n;
            const char *dots = n > 40 ? "..." : "";
            switch (xnum_parse(s + i, n, &p->num)) {
            case XNUM_OK:
                break;
            case XNUM_DIGITS:
                return fail(p, i, "number '%.*s%s' has more than %d significant digits", len,
                            s + i, dots, RW_XNUM_MAX_DIGITS);
            case XNUM_SCALE:
                return fail(p, i, "number '%.*s%s' has more than %d digits after the point",
                            len, s + i, dots, RW_XNUM_MAX_SCALE);
            default:
                return fail(p, i, "invalid number '%.*s%s'", len, s + i, dots);
            }
            p->tok = T_NUM;
        } else if (is_ident_start(c)) {
            /* A name is one dotted run; which runs are valid names is
             * decided by the parser, so that "deal.colour" or "deal.attr."
             * are reported whole as unknown names. */
            size_t j = i + 1;
            while (j < p->len && (is_ident((unsigned char)s[j]) || s[j] == '.'))
                j++;
            n = j - i;
            p->tok = T_NAME;
            if (n == 4 && !memcmp(s + i, "true", 4))
                p->tok = T_TRUE;
            else if (n == 5 && !memcmp(s + i, "false", 5))
                p->tok = T_FALSE;
            else if (n == 3 && !memcmp(s + i, "has", 3))
                p->tok = T_HAS;
            else if (n == 2 && !memcmp(s + i, "in", 2))
                p->tok = T_IN;
        } else if (c > 0x20 && c < 0x7F) {
            return fail(p, i, "unexpected character '%c'", c);
        } else {
            return fail(p, i, "unexpected byte 0x%02x", c);
        }
    }
    p->tend = p->pos = i + n;
    return 0;
}

/* Prints the current token for a message, e.g. "'deal.units'". */
static void describe(const rw_xparser *p, char *buf, size_t size)
{
    size_t n = p->tend - p->tstart;
    /* Never called at T_EOF: both callers have a token in hand. */
    if (p->tok == T_STR)
        snprintf(buf, size, "string");
    else
        snprintf(buf, size, "'%.*s%s'", n > 40 ? 40 : (int)n, p->text + p->tstart,
                 n > 40 ? "..." : "");
}

/* ---- names ---- */

static const struct {
    const char *text;
    rw_xname name;
    int attr; /* 1: text is a prefix followed by NAME */
} names[] = {
    { "deal.amount", RW_XNAME_DEAL_AMOUNT, 0 },
    { "deal.currency", RW_XNAME_DEAL_CURRENCY, 0 },
    { "deal.units", RW_XNAME_DEAL_UNITS, 0 },
    { "deal.stage", RW_XNAME_DEAL_STAGE, 0 },
    { "deal.cycle_days", RW_XNAME_DEAL_CYCLE_DAYS, 0 },
    { "deal.attr.", RW_XNAME_DEAL_ATTR, 1 },
    { "partner.id", RW_XNAME_PARTNER_ID, 0 },
    { "partner.level", RW_XNAME_PARTNER_LEVEL, 0 },
    { "partner.attr.", RW_XNAME_PARTNER_ATTR, 1 },
    { "rep.id", RW_XNAME_REP_ID, 0 },
    { "rep.attr.", RW_XNAME_REP_ATTR, 1 },
    { "activity.type", RW_XNAME_ACTIVITY_TYPE, 0 },
    { "activity.units", RW_XNAME_ACTIVITY_UNITS, 0 },
    { "activity.amount", RW_XNAME_ACTIVITY_AMOUNT, 0 },
    { "activity.attr.", RW_XNAME_ACTIVITY_ATTR, 1 },
    /* deal lines (SPEC section 13) */
    { "line.id", RW_XNAME_LINE_ID, 0 },
    { "line.product", RW_XNAME_LINE_PRODUCT, 0 },
    { "line.amount", RW_XNAME_LINE_AMOUNT, 0 },
    { "line.cost", RW_XNAME_LINE_COST, 0 },
    { "line.margin", RW_XNAME_LINE_MARGIN, 0 },
    { "line.units", RW_XNAME_LINE_UNITS, 0 },
    { "line.attr.", RW_XNAME_LINE_ATTR, 1 },
    { "deal.cost", RW_XNAME_DEAL_COST, 0 },
    { "deal.margin", RW_XNAME_DEAL_MARGIN, 0 },
};

/* Resolves the current T_NAME token: 0 and *name, *aoff and *alen (the NAME of
 * an attribute as a slice of the text), or -1 for an unknown name. */
static int resolve_name(rw_xparser *p, rw_xname *name, size_t *aoff, size_t *alen)
{
    const char *s = p->text + p->tstart;
    size_t n = p->tend - p->tstart;

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t m = strlen(names[k].text);
        if (!names[k].attr) {
            if (n == m && !memcmp(s, names[k].text, m)) {
                *name = names[k].name;
                *aoff = *alen = 0;
                return 0;
            }
            continue;
        }
        if (n <= m || memcmp(s, names[k].text, m) != 0 || !is_ident_start((unsigned char)s[m]))
            continue;
        size_t j = m + 1;
        while (j < n && is_ident((unsigned char)s[j]))
            j++;
        if (j == n) {
            *name = names[k].name;
            *aoff = p->tstart + m;
            *alen = n - m;
            return 0;
        }
    }
    return fail(p, p->tstart, "unknown name '%.*s%s'", n > 64 ? 64 : (int)n, s,
                n > 64 ? "..." : "");
}

/* ---- code generation ---- */

static uint32_t emit(rw_xparser *p, rw_xop op, unsigned arg, uint32_t a, uint32_t b)
{
    if (p->code) {
        rw_xinstr *in = &p->code[p->ncode];
        in->op = (uint8_t)op;
        in->arg = (uint8_t)arg;
        in->pad = 0;
        in->a = a;
        in->b = b;
    }
    return p->ncode++;
}

static void push(rw_xparser *p)
{
    if (++p->sp > p->max_sp)
        p->max_sp = p->sp;
}

/* Adds the current literal token to the constants; returns its index. */
static uint32_t add_const(rw_xparser *p)
{
    uint32_t k = p->nconst++;
    rw_xvalue *v = p->consts ? &p->consts[k] : NULL;

    if (p->tok == T_STR) {
        size_t at = p->nstr, end, dlen;
        p->nstr += p->slen + 1;
        if (v) {
            char *dst = p->strings + at;
            /* Already validated by the lexer: decoding cannot fail. */
            scan_string(p, p->tstart, dst, &end, &dlen);
            dst[dlen] = '\0';
            *v = (rw_xvalue){ RW_XV_STR, 0, { 0, 0 }, dst, dlen };
        }
    } else if (v) {
        if (p->tok == T_NUM)
            *v = (rw_xvalue){ RW_XV_NUM, 0, p->num, NULL, 0 };
        else
            *v = (rw_xvalue){ RW_XV_BOOL, p->tok == T_TRUE, { 0, 0 }, NULL, 0 };
    }
    return k;
}

static int is_literal(int tok) { return tok == T_NUM || tok == T_STR || tok == T_TRUE || tok == T_FALSE; }

/* Emits a LOAD or HAS of the current T_NAME token. */
static int emit_name(rw_xparser *p, rw_xop op)
{
    rw_xname name = RW_XNAME_DEAL_AMOUNT;
    size_t aoff = 0, alen = 0;
    uint32_t at = 0;

    if (resolve_name(p, &name, &aoff, &alen) < 0)
        return -1;
    if (alen) {
        at = (uint32_t)p->nstr;
        if (p->strings) {
            memcpy(p->strings + at, p->text + aoff, alen);
            p->strings[at + alen] = '\0';
        }
        p->nstr += alen + 1;
    }
    emit(p, op, (unsigned)name, at, (uint32_t)alen);
    push(p);
    return 0;
}

static int enter(rw_xparser *p)
{
    if (++p->depth > RW_EXPR_MAX_DEPTH)
        return fail(p, p->tstart, "nesting deeper than %d", RW_EXPR_MAX_DEPTH);
    return 0;
}

/* ---- parser ---- */

static int parse_or(rw_xparser *p);

static int parse_list(rw_xparser *p)
{
    uint32_t first = p->nconst, count = 0;

    if (p->tok != T_LBRACK)
        return fail(p, p->tstart, "expected '[' after 'in'");
    if (enter(p) < 0 || next(p) < 0)
        return -1;
    if (p->tok != T_RBRACK) {
        for (;;) {
            if (!is_literal(p->tok))
                return fail(p, p->tstart, "expected a literal in the list");
            add_const(p);
            count++;
            if (next(p) < 0)
                return -1;
            if (p->tok == T_RBRACK)
                break;
            if (p->tok != T_COMMA)
                return fail(p, p->tstart, "expected ',' or ']'");
            if (next(p) < 0)
                return -1;
        }
    }
    p->depth--;
    emit(p, RW_XOP_IN, 0, first, count);
    return next(p);
}

static int parse_primary(rw_xparser *p)
{
    switch (p->tok) {
    case T_NUM:
    case T_STR:
    case T_TRUE:
    case T_FALSE:
        emit(p, RW_XOP_PUSH, 0, add_const(p), 0);
        push(p);
        return next(p);
    case T_NAME:
        if (emit_name(p, RW_XOP_LOAD) < 0)
            return -1;
        return next(p);
    case T_HAS:
        if (enter(p) < 0 || next(p) < 0)
            return -1;
        if (p->tok != T_LPAREN)
            return fail(p, p->tstart, "expected '(' after 'has'");
        if (next(p) < 0)
            return -1;
        if (p->tok != T_NAME)
            return fail(p, p->tstart, "expected a name in has()");
        if (emit_name(p, RW_XOP_HAS) < 0 || next(p) < 0)
            return -1;
        if (p->tok != T_RPAREN)
            return fail(p, p->tstart, "expected ')'");
        p->depth--;
        return next(p);
    case T_LPAREN:
        if (enter(p) < 0 || next(p) < 0 || parse_or(p) < 0)
            return -1;
        if (p->tok != T_RPAREN)
            return fail(p, p->tstart, "expected ')'");
        p->depth--;
        return next(p);
    default:
        return fail(p, p->tstart, "expected an expression");
    }
}

static int parse_unary(rw_xparser *p)
{
    if (p->tok != T_NOT)
        return parse_primary(p);
    if (enter(p) < 0 || next(p) < 0 || parse_unary(p) < 0)
        return -1;
    p->depth--;
    emit(p, RW_XOP_NOT, 0, 0, 0);
    return 0;
}

static int cmp_of(int tok)
{
    switch (tok) {
    case T_EQ: return RW_XCMP_EQ;
    case T_NE: return RW_XCMP_NE;
    case T_LT: return RW_XCMP_LT;
    case T_LE: return RW_XCMP_LE;
    case T_GT: return RW_XCMP_GT;
    case T_GE: return RW_XCMP_GE;
    default: return -1;
    }
}

static int parse_cmp(rw_xparser *p)
{
    if (parse_unary(p) < 0)
        return -1;
    int op = cmp_of(p->tok);
    if (op >= 0) {
        if (next(p) < 0 || parse_unary(p) < 0)
            return -1;
        emit(p, RW_XOP_CMP, (unsigned)op, 0, 0);
        p->sp--;
    } else if (p->tok == T_IN) {
        if (next(p) < 0 || parse_list(p) < 0)
            return -1;
    } else {
        return 0;
    }
    /* Comparisons are non-associative: "a < b < c" is almost always a
     * mistake for "a < b && b < c", so it does not compile. */
    if (cmp_of(p->tok) >= 0 || p->tok == T_IN) {
        char what[64];
        describe(p, what, sizeof what);
        return fail(p, p->tstart, "unexpected %s: comparisons do not chain (use && or ||)", what);
    }
    return 0;
}

/* a && b and a || b: AND/OR jumps over b when a decides, TOBOOL makes b's
 * value a boolean otherwise.  Both loops, so long chains do not recurse. */
static int parse_and(rw_xparser *p)
{
    if (parse_cmp(p) < 0)
        return -1;
    while (p->tok == T_AND) {
        uint32_t j = emit(p, RW_XOP_AND, 0, 0, 0);
        p->sp--;
        if (next(p) < 0 || parse_cmp(p) < 0)
            return -1;
        emit(p, RW_XOP_TOBOOL, 0, 0, 0);
        if (p->code)
            p->code[j].a = p->ncode;
    }
    return 0;
}

static int parse_or(rw_xparser *p)
{
    if (parse_and(p) < 0)
        return -1;
    while (p->tok == T_OR) {
        uint32_t j = emit(p, RW_XOP_OR, 0, 0, 0);
        p->sp--;
        if (next(p) < 0 || parse_and(p) < 0)
            return -1;
        emit(p, RW_XOP_TOBOOL, 0, 0, 0);
        if (p->code)
            p->code[j].a = p->ncode;
    }
    return 0;
}

static int parse_all(rw_xparser *p)
{
    if (next(p) < 0 || parse_or(p) < 0)
        return -1;
    if (p->tok != T_EOF) {
        char what[64];
        describe(p, what, sizeof what);
        return fail(p, p->tstart, "unexpected %s after the expression", what);
    }
    if (p->max_sp > RW_XSTACK)
        /* Cannot happen within the nesting limit; kept so that the
         * evaluator's fixed stack is safe even if the grammar grows. */
        return fail(p, 0, "expression too complex");
    return 0;
}

/* ---- entry points ---- */

static size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

static rewards_status report(const rw_xparser *p, char *msg, size_t msg_size, int *line,
                             int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < p->err_off && i < p->len; i++) {
        if (p->text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    if (msg && msg_size)
        snprintf(msg, msg_size, "line %d, column %d: %s", l, c, p->detail);
    if (line)
        *line = l;
    if (column)
        *column = c;
    return REWARDS_PARSE_ERROR;
}

rewards_status rw_expr_compile(const rw_alloc *a, const char *text, size_t len, rw_expr **out,
                               char *msg, size_t msg_size, int *line, int *column)
{
    rw_xparser p;

    if (out)
        *out = NULL;
    if (msg && msg_size)
        msg[0] = '\0';
    if (line)
        *line = 0;
    if (column)
        *column = 0;
    if (!a || !out || (!text && len))
        return REWARDS_MISUSE;

    memset(&p, 0, sizeof p);
    p.text = text ? text : "";
    p.len = len;
    if (len > RW_EXPR_MAX_LEN) {
        /* Checked before lexing, so the cost of a huge input is only this. */
        fail(&p, RW_EXPR_MAX_LEN, "expression longer than %d bytes", RW_EXPR_MAX_LEN);
        return report(&p, msg, msg_size, line, column);
    }
    if (parse_all(&p) < 0)
        return report(&p, msg, msg_size, line, column);

    /* Lay out the single block from the counting pass. */
    size_t off_code = align_up(sizeof(rw_expr), _Alignof(rw_xinstr));
    size_t off_const = align_up(off_code + p.ncode * sizeof(rw_xinstr), _Alignof(rw_xvalue));
    size_t off_str = off_const + p.nconst * sizeof(rw_xvalue);
    size_t total = off_str + p.nstr;
    char *block = rw_malloc(a, total);
    if (!block)
        return REWARDS_NOMEM;

    uint32_t ncode = p.ncode, nconst = p.nconst, max_sp = p.max_sp;
    size_t nstr = p.nstr;
    memset(&p, 0, sizeof p);
    p.text = text ? text : "";
    p.len = len;
    p.code = (rw_xinstr *)(void *)(block + off_code);
    p.consts = (rw_xvalue *)(void *)(block + off_const);
    p.strings = block + off_str;
    if (parse_all(&p) < 0 || p.ncode != ncode || p.nconst != nconst || p.nstr != nstr) {
        /* The writing pass reads the same text as the counting pass, so
         * this is unreachable; fail cleanly rather than trust it. */
        rw_free(a, block);
        fail(&p, 0, "internal error");
        return report(&p, msg, msg_size, line, column);
    }

    rw_expr *e = (rw_expr *)(void *)block;
    e->ncode = ncode;
    e->nconst = nconst;
    e->max_stack = max_sp;
    e->code = p.code;
    e->consts = p.consts;
    e->strings = p.strings;
    *out = e;
    return REWARDS_OK;
}

void rw_expr_free(const rw_alloc *a, rw_expr *e)
{
    if (e && a)
        rw_free(a, e);
}
