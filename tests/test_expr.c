/*
 * test_expr.c - cmocka tests of the condition language (lib/expr.h).
 *
 * Conditions are compiled and evaluated against a table-driven resolver
 * that logs every name it is asked for, so the tests see both results and
 * which names were resolved (short-circuit).  Every error message is checked
 * whole, with its line and column, because hosts show them to people who
 * write rules.  Allocation failure is injected at every allocation index
 * with testutil's allocator, whose live counter proves nothing leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr.h"
#include "testutil.h"

/* ---- a resolver over a table of "full.name" -> value ---- */

typedef struct {
    const char *name;
    rw_xvalue v;
} binding;

typedef struct {
    const binding *b;
    size_t n;
    unsigned calls;
    char log[512]; /* names resolved, space-separated */
} env;

#define NUM(c, s) { RW_XV_NUM, 0, { (c), (s) }, NULL, 0 }
#define STR(s) { RW_XV_STR, 0, { 0, 0 }, (s), sizeof(s) - 1 }
#define BOOL(x) { RW_XV_BOOL, (x), { 0, 0 }, NULL, 0 }

static const binding default_bindings[] = {
    { "deal.amount", NUM(500025, 2) }, /* 5000.25 */
    { "deal.currency", STR("EUR") },
    { "deal.units", NUM(3, 0) },
    { "deal.stage", STR("won") },
    { "deal.cycle_days", NUM(30, 0) },
    { "partner.id", STR("p-1") },
    { "partner.level", NUM(2, 0) },
    /* rep.id and rep.attr.* are missing: a deal without a rep */
    { "deal.attr.region", STR("EMEA") },
    { "deal.attr.vip", BOOL(1) },
    { "deal.attr.off", BOOL(0) },
    { "deal.attr.score", NUM(-25, 2) },
    { "deal.attr.empty", STR("") },
    { "deal.attr.high", STR("\xc3\xa9") }, /* e-acute: bytes above 'z' */
    { "partner.attr.tier", STR("gold") },
};

static const char *const name_text[] = {
    "deal.amount", "deal.currency", "deal.units", "deal.stage", "deal.cycle_days", "deal.attr.",
    "partner.id", "partner.level", "partner.attr.", "rep.id", "rep.attr.",
};

static void table_resolve(void *vctx, rw_xname name, const char *attr, size_t attr_len,
                          rw_xvalue *out)
{
    env *e = vctx;
    char full[128];

    assert_true((unsigned)name <= RW_XNAME_REP_ATTR);
    int is_attr = name == RW_XNAME_DEAL_ATTR || name == RW_XNAME_PARTNER_ATTR ||
                  name == RW_XNAME_REP_ATTR;
    if (is_attr) {
        assert_non_null(attr);
        assert_true(attr_len > 0);
        assert_int_equal(attr[attr_len], '\0');
    } else {
        assert_null(attr);
        assert_int_equal(attr_len, 0);
    }
    assert_int_equal(out->type, RW_XV_MISSING);
    snprintf(full, sizeof full, "%s%.*s", name_text[name], (int)attr_len, attr ? attr : "");
    e->calls++;
    size_t used = strlen(e->log);
    snprintf(e->log + used, sizeof e->log - used, "%s%s", used ? " " : "", full);
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->b[i].name, full)) {
            *out = e->b[i].v;
            return;
        }
}

static env make_env(void)
{
    env e;
    memset(&e, 0, sizeof e);
    e.b = default_bindings;
    e.n = sizeof default_bindings / sizeof default_bindings[0];
    return e;
}

static rw_expr *compile_ok(const char *text)
{
    rw_expr *e = NULL;
    char msg[256] = "";
    rewards_status st = rw_expr_compile(&rw_alloc_default, text, strlen(text), &e, msg, sizeof msg,
                                        NULL, NULL);
    if (st != REWARDS_OK)
        fail_msg("'%s' did not compile: %s", text, msg);
    assert_non_null(e);
    return e;
}

/* Result of text against env *v (or the default env when NULL). */
static int eval_in(const char *text, env *v)
{
    env d = make_env();
    rw_expr *e = compile_ok(text);
    int r = rw_expr_eval(e, table_resolve, v ? v : &d);
    rw_expr_free(&rw_alloc_default, e);
    return r;
}

static void check_true(const char *text)
{
    if (eval_in(text, NULL) != 1)
        fail_msg("expected '%s' to hold", text);
}

static void check_false(const char *text)
{
    if (eval_in(text, NULL) != 0)
        fail_msg("expected '%s' not to hold", text);
}

/* Compiles len bytes of text, expects a parse error with exactly this
 * line, column and message (the part after "line L, column C: "). */
static void check_error_len(const char *text, size_t len, int line, int column, const char *what)
{
    rw_expr *e = (rw_expr *)&e;
    char msg[512], expect[512];
    int l = -1, c = -1;
    rewards_status st = rw_expr_compile(&rw_alloc_default, text, len, &e, msg, sizeof msg, &l, &c);
    if (st != REWARDS_PARSE_ERROR)
        fail_msg("'%.*s' gave status %d, not a parse error", (int)len, text, (int)st);
    assert_null(e);
    snprintf(expect, sizeof expect, "line %d, column %d: %s", line, column, what);
    if (strcmp(msg, expect) != 0 || l != line || c != column)
        fail_msg("'%.*s':\n  got      \"%s\" (%d:%d)\n  expected \"%s\"", (int)len, text, msg, l,
                 c, expect);
}

static void check_error(const char *text, int line, int column, const char *what)
{
    check_error_len(text, strlen(text), line, column, what);
}

/* ---- literals ---- */

static void test_literals(void **state)
{
    (void)state;
    check_true("true");
    check_false("false");
    /* Only boolean true holds: other values are not conditions. */
    check_false("5");
    check_false("\"true\"");
    check_false("deal.amount");
    check_true("5 == 5");
    check_true("5 == 5.00");
    check_true("-0.25 == -0.250");
    check_true("-0 == 0");
    check_true("0.000000000000000001 > 0");
    check_true("-5000.25 < 5000.25");
    check_true("\"a\" == \"a\"");
    check_true("\"\" == \"\"");
    check_true("true == true");
    check_true("false == false");
    check_true("true != false");
    /* Whitespace of every kind, anywhere between tokens. */
    check_true(" \t\r\n true \n");
    check_true("deal.units==3&&deal.stage==\"won\"");
}

/* The decoded bytes of a one-string condition, read from its constants. */
static void check_string(const char *text, const char *bytes, size_t len)
{
    rw_expr *e = compile_ok(text);
    assert_int_equal(e->nconst, 1);
    assert_int_equal(e->consts[0].type, RW_XV_STR);
    assert_int_equal(e->consts[0].len, len);
    assert_memory_equal(e->consts[0].str, bytes, len);
    rw_expr_free(&rw_alloc_default, e);
}

static void test_string_escapes(void **state)
{
    (void)state;
    check_string("\"abc\"", "abc", 3);
    check_string("\"\"", "", 0);
    check_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    check_string("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6);
    check_string("\"\\u0000\"", "\0", 1);
    check_string("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
                 "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11);
    check_string("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);          /* U+1F600 */
    check_string("\"\\uD800\\uDC00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8);
    /* Raw UTF-8 passes through unchanged, up to 4-byte sequences. */
    check_string("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
    check_string("\"\x7f\"", "\x7f", 1); /* DEL is not a control character in JSON */

    /* The decoded string is what comparisons see. */
    check_true("deal.attr.high == \"\\u00e9\"");
    check_true("deal.attr.high == \"\xc3\xa9\"");
    check_true("\"\\u0041\" == \"A\"");
    check_true("\"\\/\" == \"/\"");
}

/* ---- names ---- */

static void test_names(void **state)
{
    (void)state;
    static const char *const all[] = {
        "deal.amount", "deal.currency", "deal.units", "deal.stage", "deal.cycle_days",
        "deal.attr.region", "partner.id", "partner.level", "partner.attr.tier", "rep.id",
        "rep.attr.x", "deal.attr._", "deal.attr.A_9", "partner.attr.x1",
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char text[64];
        env v = make_env();
        snprintf(text, sizeof text, "%s == 1 || has(%s)", all[i], all[i]);
        eval_in(text, &v);
        /* The resolver rebuilt the same full name from (rw_xname, attr). */
        char expect[160];
        snprintf(expect, sizeof expect, "%s %s", all[i], all[i]);
        if (strcmp(v.log, expect) != 0)
            fail_msg("'%s' resolved '%s'", text, v.log);
    }
    check_true("deal.amount == 5000.25");
    check_true("deal.currency == \"EUR\"");
    check_true("deal.units == 3");
    check_true("deal.stage == \"won\"");
    check_true("deal.cycle_days == 30");
    check_true("partner.id == \"p-1\"");
    check_true("partner.level == 2");
    check_true("deal.attr.region == \"EMEA\"");
    check_true("partner.attr.tier == \"gold\"");
    check_true("deal.attr.vip");
    check_false("deal.attr.off");
    /* Keywords are whole tokens: these are names (unknown ones). */
    check_error("trueish", 1, 1, "unknown name 'trueish'");
    check_error("hasx(deal.amount)", 1, 1, "unknown name 'hasx'");
    /* But inside an attribute path they are plain names. */
    check_false("deal.attr.in == 1");
    check_false("deal.attr.true");
    check_false("deal.attr.has");
}

/* ---- comparisons ---- */

static void test_numbers_compare(void **state)
{
    (void)state;
    check_true("deal.amount == 5000.25");
    check_true("deal.amount == 5000.250");
    check_false("deal.amount == 5000.2");
    check_true("deal.amount != 5000.2");
    check_false("deal.amount != 5000.25000");
    check_true("deal.amount < 5000.26");
    check_false("deal.amount < 5000.25");
    check_true("deal.amount <= 5000.25");
    check_false("deal.amount <= 5000.24");
    check_true("deal.amount > 5000.249999999999");
    check_false("deal.amount > 5000.25");
    check_true("deal.amount >= 5000.25");
    check_false("deal.amount >= 5000.2500000001");
    check_true("deal.attr.score == -0.25");
    check_true("deal.attr.score < 0");
    check_true("deal.attr.score > -1");
    check_true("0.1 == 0.10");
    check_true("0.1 < 0.11");
    check_true("0.3 > 0.29999999999999999");
    check_true("999999999999999999 > 99999999999999999.9");
    check_true("999999999999999999 == 999999999999999999");
    check_true("9999999999999999.9 == 9999999999999999.90");
    check_true("-999999999999999999 < 999999999999999999");
    check_true("0.999999999999999999 < 1");
    check_true("1 > 0.999999999999999999");
    check_true("10000000000000000 == 10000000000000000.0");
    check_true("-0.000000000000000001 < 0");
}

static void test_strings_compare(void **state)
{
    (void)state;
    check_true("\"abc\" == \"abc\"");
    check_false("\"abc\" == \"abd\"");
    check_true("\"abc\" != \"ab\"");
    check_true("\"ab\" < \"abc\"");   /* a prefix sorts first */
    check_true("\"abc\" > \"ab\"");
    check_true("\"abc\" <= \"abc\"");
    check_true("\"abc\" >= \"abc\"");
    check_true("\"B\" < \"a\"");      /* bytewise, not case-folded */
    check_true("\"\" < \"a\"");
    check_false("\"a\" < \"\"");
    check_true("deal.attr.high > \"z\""); /* bytes compare unsigned */
    check_true("deal.attr.empty == \"\"");
    check_true("\"a\\u0000\" > \"a\"");   /* embedded NUL counts */
    check_true("\"a\\u0000b\" != \"a\\u0000c\"");
    check_true("deal.stage >= \"won\" && deal.stage <= \"won\"");
}

static void test_booleans_compare(void **state)
{
    (void)state;
    check_true("deal.attr.vip == true");
    check_true("deal.attr.vip != false");
    check_true("deal.attr.off == false");
    check_false("deal.attr.vip == false");
    /* Booleans have no order: every ordering comparison is false. */
    check_false("true > false");
    check_false("true < false");
    check_false("true >= true");
    check_false("false <= false");
    check_false("deal.attr.vip >= true");
}

/* A resolver whose booleans are not 0/1 must still compare as booleans. */
static void odd_bool_resolve(void *ctx, rw_xname name, const char *attr, size_t len, rw_xvalue *out)
{
    (void)ctx;
    (void)name;
    (void)attr;
    (void)len;
    out->type = RW_XV_BOOL;
    out->b = 42;
}

static void test_resolver_values_sanitised(void **state)
{
    (void)state;
    rw_expr *e = compile_ok("deal.attr.x == true && deal.attr.y && !!deal.attr.z");
    assert_int_equal(rw_expr_eval(e, odd_bool_resolve, NULL), 1);
    rw_expr_free(&rw_alloc_default, e);

    /* Invalid values count as missing: unknown type, NULL string with a
     * length, a scale outside 0..18.  A NULL empty string is "". */
    static const binding odd[] = {
        { "deal.attr.t", { (rw_xv_type)77, 1, { 0, 0 }, NULL, 0 } },
        { "deal.attr.s", { RW_XV_STR, 0, { 0, 0 }, NULL, 3 } },
        { "deal.attr.e", { RW_XV_STR, 0, { 0, 0 }, NULL, 0 } },
        { "deal.attr.n", NUM(5, 19) },
        { "deal.attr.m", NUM(5, -1) },
    };
    env v = { odd, sizeof odd / sizeof odd[0], 0, "" };
    assert_int_equal(eval_in("has(deal.attr.t)", &v), 0);
    assert_int_equal(eval_in("has(deal.attr.s)", &v), 0);
    assert_int_equal(eval_in("deal.attr.s != \"x\"", &v), 0);
    assert_int_equal(eval_in("deal.attr.e == \"\"", &v), 1);
    assert_int_equal(eval_in("has(deal.attr.n) || has(deal.attr.m)", &v), 0);

    /* No resolver: every name is missing. */
    e = compile_ok("!has(deal.amount) && !(deal.amount != 1)");
    assert_int_equal(rw_expr_eval(e, NULL, NULL), 1);
    rw_expr_free(&rw_alloc_default, e);
}

/* ---- missing values and types ---- */

static void test_missing(void **state)
{
    (void)state;
    static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
    for (size_t i = 0; i < 6; i++) {
        char text[64];
        snprintf(text, sizeof text, "rep.id %s \"x\"", ops[i]);
        check_false(text);
        snprintf(text, sizeof text, "\"x\" %s rep.attr.y", ops[i]);
        check_false(text);
        snprintf(text, sizeof text, "rep.id %s rep.attr.y", ops[i]);
        check_false(text);
        /* ...so their negations hold. */
        snprintf(text, sizeof text, "!(rep.id %s 1)", ops[i]);
        check_true(text);
    }
    check_false("rep.id in [\"x\", 1, true]");
    check_false("rep.id in []");
    check_true("!(rep.id in [\"x\"])");
    check_false("has(rep.id)");
    check_false("has(deal.attr.nope)");
    check_true("has(deal.attr.region)");
    check_true("has(deal.attr.empty)"); /* empty is not missing */
    check_true("has(deal.attr.off)");   /* nor is false */
    check_true("!has(rep.attr.x)");
    /* && || ! take a missing value as false. */
    check_false("rep.id");
    check_true("!rep.id");
    check_false("rep.id && true");
    check_false("true && rep.id");
    check_true("rep.id || true");
    check_false("rep.id || rep.attr.x");
    /* The spec's own example. */
    check_true("deal.attr.region == \"EMEA\" || !has(deal.attr.region)");
}

static void test_type_mismatch(void **state)
{
    (void)state;
    check_false("deal.amount == \"5000.25\"");
    check_true("deal.amount != \"5000.25\"");
    check_false("deal.amount < \"6000\"");
    check_false("deal.amount >= \"0\"");
    check_false("deal.attr.vip == 1");
    check_true("deal.attr.vip != 1");
    check_true("deal.attr.vip != \"true\"");
    check_false("deal.stage == true");
    check_true("deal.stage != true");
    check_false("\"5\" <= 5");
    check_true("5 != \"5\"");
}

static void test_in(void **state)
{
    (void)state;
    check_true("deal.stage in [\"lost\", \"won\"]");
    check_false("deal.stage in [\"lost\", \"open\"]");
    check_true("deal.stage in [\"won\"]");
    check_false("deal.stage in []");
    check_true("!(deal.stage in [])");
    check_true("deal.amount in [1, 5000.250]");
    check_false("deal.amount in [5000, 5000.3]");
    check_true("deal.units in [\"3\", 3]"); /* mixed: only the number matches */
    check_false("deal.units in [\"3\", true, 3.1]");
    check_true("deal.attr.vip in [1, \"true\", true]");
    check_false("deal.attr.vip in [1, \"true\", false]");
    check_true("deal.attr.off in [false]");
    check_true("-0.25 in [1, -0.25]");
    check_true("\"a\" in [\"b\", \"a\"]");
    check_true("deal.attr.score in [-0.250]");
    check_true("deal.attr.product in [\"suite\", \"platform\"] || true");
    /* in binds tighter than && and ||. */
    check_true("deal.units in [3] && deal.stage in [\"won\"]");
    check_true("deal.units in [4] || deal.stage in [\"won\"]");
    /* ! binds tighter than in: (!true) in [false]. */
    check_true("!true in [false]");
}

/* ---- logic, precedence, short-circuit ---- */

static void test_logic(void **state)
{
    (void)state;
    check_true("true && true");
    check_false("true && false");
    check_false("false && true");
    check_false("false && false");
    check_true("true || true");
    check_true("true || false");
    check_true("false || true");
    check_false("false || false");
    check_false("!true");
    check_true("!false");
    check_true("!!true");
    check_true("!!!false");
    /* Non-booleans count as false on either side. */
    check_false("5 && true");
    check_false("true && 5");
    check_false("\"x\" || false");
    check_false("false || \"x\"");
    check_true("true || 5");
    check_true("5 || true");
    check_true("!5");
    check_false("!!5");
    check_true("!\"true\"");
    check_true("true && true && true && true");
    check_false("true && true && false && true");
    check_true("false || false || false || true");
    check_false("(true && 5) == 5"); /* && yields a boolean */
    check_true("(true && true) == true");
    check_true("(false || 1) == false");
}

static void test_precedence(void **state)
{
    (void)state;
    /* && binds tighter than ||: true || (false && false). */
    check_true("true || false && false");
    check_true("false && false || true");
    check_false("(true || false) && false");
    /* ! binds tighter than ==: (!5000.25) == false is true == false. */
    check_false("!deal.amount == false");
    check_true("!(deal.amount == false)");
    check_true("!true == false");
    /* Comparisons bind tighter than && and ||. */
    check_true("deal.units == 3 && deal.stage == \"won\"");
    check_true("deal.units == 4 || deal.stage == \"won\"");
    check_true("deal.cycle_days <= 30 && deal.amount >= 2000");
    check_true("!(true && false)");
    check_false("!(true || false)");
    /* Parenthesised comparisons compare as booleans. */
    check_true("(deal.units == 3) == (deal.stage == \"won\")");
    check_true("(deal.units == 3) != (deal.stage == \"lost\")");
    check_true("((((true))))");
}

static void test_short_circuit(void **state)
{
    (void)state;
    env v = make_env();
    assert_int_equal(eval_in("false && deal.amount > 1", &v), 0);
    assert_int_equal(v.calls, 0);

    v = make_env();
    assert_int_equal(eval_in("deal.units > 100 && deal.amount > 1", &v), 0);
    assert_string_equal(v.log, "deal.units");

    v = make_env();
    assert_int_equal(eval_in("rep.id == \"a\" && deal.amount > 1 && deal.stage == \"won\"", &v), 0);
    assert_string_equal(v.log, "rep.id");

    v = make_env();
    assert_int_equal(eval_in("true || deal.amount", &v), 1);
    assert_int_equal(v.calls, 0);

    v = make_env();
    assert_int_equal(eval_in("deal.amount > 1 || deal.units > 1 || deal.stage", &v), 1);
    assert_string_equal(v.log, "deal.amount");

    v = make_env();
    assert_int_equal(eval_in("(deal.units == 3 || rep.id) && (partner.level > 5 || deal.stage == \"won\")",
                             &v),
                     1);
    assert_string_equal(v.log, "deal.units partner.level deal.stage");

    /* Everything is resolved when nothing short-circuits. */
    v = make_env();
    assert_int_equal(eval_in("deal.units == 3 && deal.stage == \"won\" && has(rep.id)", &v), 0);
    assert_string_equal(v.log, "deal.units deal.stage rep.id");
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    check_error("", 1, 1, "expected an expression");
    check_error("   ", 1, 4, "expected an expression");
    check_error("\n\n", 3, 1, "expected an expression");
    check_error("deal.amount >= ", 1, 16, "expected an expression");
    check_error("deal.amount>=", 1, 14, "expected an expression");
    check_error("true && ", 1, 9, "expected an expression");
    check_error("!", 1, 2, "expected an expression");
    check_error("()", 1, 2, "expected an expression");
    check_error("true || )", 1, 9, "expected an expression");
    check_error("in", 1, 1, "expected an expression");
    check_error("deal.colour == \"red\"", 1, 1, "unknown name 'deal.colour'");
    check_error("true && foo", 1, 9, "unknown name 'foo'");
    check_error("deal.attr == 1", 1, 1, "unknown name 'deal.attr'");
    check_error("deal.attr. == 1", 1, 1, "unknown name 'deal.attr.'");
    check_error("deal.attr.a.b", 1, 1, "unknown name 'deal.attr.a.b'");
    check_error("deal.attr.9x", 1, 1, "unknown name 'deal.attr.9x'");
    check_error("deal..amount", 1, 1, "unknown name 'deal..amount'");
    check_error("rep.level > 1", 1, 1, "unknown name 'rep.level'");
    check_error("Deal.amount > 1", 1, 1, "unknown name 'Deal.amount'");
    check_error("deal", 1, 1, "unknown name 'deal'");
    check_error("(true", 1, 6, "expected ')'");
    check_error("(true false)", 1, 7, "expected ')'");
    check_error("deal.stage in [\"a\"", 1, 19, "expected ',' or ']'");
    check_error("deal.stage in [\"a\" \"b\"]", 1, 20, "expected ',' or ']'");
    check_error("deal.stage in [\"a\", ]", 1, 21, "expected a literal in the list");
    check_error("deal.stage in [,]", 1, 16, "expected a literal in the list");
    check_error("deal.stage in [deal.units]", 1, 16, "expected a literal in the list");
    check_error("deal.stage in [(1)]", 1, 16, "expected a literal in the list");
    check_error("deal.stage in \"a\"", 1, 15, "expected '[' after 'in'");
    check_error("deal.stage in", 1, 14, "expected '[' after 'in'");
    check_error("\"abc", 1, 1, "unterminated string");
    check_error("true && \"abc\\", 1, 9, "unterminated string");
    check_error("true && \"abc\\\"", 1, 9, "unterminated string");
    check_error("true # x", 1, 6, "unexpected character '#'");
    check_error("deal.amount > 5 @", 1, 17, "unexpected character '@'");
    check_error("+5 == 5", 1, 1, "unexpected character '+'");
    check_error("- 5 == 5", 1, 1, "unexpected character '-'");
    check_error(".5 == 5", 1, 1, "unexpected character '.'");
    check_error("true x", 1, 6, "unexpected 'x' after the expression");
    check_error("true false", 1, 6, "unexpected 'false' after the expression");
    check_error("true )", 1, 6, "unexpected ')' after the expression");
    check_error("true \"s\"", 1, 6, "unexpected string after the expression");
    check_error("deal.amount > 5 deal.units", 1, 17, "unexpected 'deal.units' after the expression");
    check_error("5-3", 1, 2, "unexpected '-3' after the expression");
    check_error("deal.amount < 1 < 2", 1, 17,
                "unexpected '<': comparisons do not chain (use && or ||)");
    check_error("true == true == true", 1, 14,
                "unexpected '==': comparisons do not chain (use && or ||)");
    check_error("deal.units in [3] in [true]", 1, 19,
                "unexpected 'in': comparisons do not chain (use && or ||)");
    check_error("deal.units == 3 in [true]", 1, 17,
                "unexpected 'in': comparisons do not chain (use && or ||)");
    check_error("deal.amount = 1", 1, 13, "unexpected character '=' (comparison is '==')");
    check_error("true & false", 1, 6, "unexpected character '&' (and is '&&')");
    check_error("true | false", 1, 6, "unexpected character '|' (or is '||')");
    check_error("has deal.amount", 1, 5, "expected '(' after 'has'");
    check_error("has", 1, 4, "expected '(' after 'has'");
    check_error("has(5)", 1, 5, "expected a name in has()");
    check_error("has()", 1, 5, "expected a name in has()");
    check_error("has(deal.amount", 1, 16, "expected ')'");
    check_error("has(deal.amount == 1)", 1, 17, "expected ')'");
    check_error("has(deal.colour)", 1, 5, "unknown name 'deal.colour'");
    /* Lexical errors win wherever they occur. */
    check_error("deal.stage in [\"a\" #]", 1, 20, "unexpected character '#'");
    check_error("deal.stage in [\"a\", #]", 1, 21, "unexpected character '#'");
    check_error("has(#)", 1, 5, "unexpected character '#'");
    check_error("has(deal.amount #)", 1, 17, "unexpected character '#'");
    check_error("\x01", 1, 1, "unexpected byte 0x01");
    check_error("true && \xc3\xa9", 1, 9, "unexpected byte 0xc3");
    check_error_len("true\0", 5, 1, 5, "unexpected byte 0x00");
}

static void test_number_errors(void **state)
{
    (void)state;
    check_error("5. == 5", 1, 1, "invalid number '5.'");
    check_error("1e5 == 5", 1, 1, "invalid number '1e5'");
    check_error("007 == 7", 1, 1, "invalid number '007'");
    check_error("-007 == 7", 1, 1, "invalid number '-007'");
    check_error("true && 1.2.3", 1, 9, "invalid number '1.2.3'");
    check_error("5abc", 1, 1, "invalid number '5abc'");
    check_error("deal.amount > 12345678901234567890123456789012345678901234567890", 1, 15,
                "number '1234567890123456789012345678901234567890...' has more than 18 "
                "significant digits");
    check_error("1234567890123456789 > 0", 1, 1,
                "number '1234567890123456789' has more than 18 significant digits");
    check_error("-1000000000000000000 < 0", 1, 1,
                "number '-1000000000000000000' has more than 18 significant digits");
    check_error("0.1234567890123456789 > 0", 1, 1,
                "number '0.1234567890123456789' has more than 18 significant digits");
    check_error("0.0000000000000000001 > 0", 1, 1,
                "number '0.0000000000000000001' has more than 18 digits after the point");
    /* 18 of each is fine; leading zeros are not significant. */
    check_true("123456789012345678 > 0");
    check_true("-123456789012345678 < 0");
    check_true("0.123456789012345678 > 0");
    check_true("0.000000000000000001 > 0");
    check_true("12345678.9012345678 > 12345678");
}

static void test_string_errors(void **state)
{
    (void)state;
    check_error("\"\\q\"", 1, 2, "invalid escape '\\q'");
    check_error("\"ab\\x41\"", 1, 4, "invalid escape '\\x'");
    check_error("\"\\\x01\"", 1, 2, "invalid escape");
    check_error("\"\\u12\"", 1, 2, "invalid \\u escape (expected 4 hex digits)");
    check_error("\"\\u12g4\"", 1, 2, "invalid \\u escape (expected 4 hex digits)");
    check_error("\"\\u", 1, 2, "invalid \\u escape (expected 4 hex digits)");
    check_error("\"\\ud800\"", 1, 2, "invalid \\u escape (high surrogate without a low one)");
    check_error("\"\\ud800\\u0041\"", 1, 2, "invalid \\u escape (high surrogate without a low one)");
    check_error("\"\\ud800\\ud800\"", 1, 2, "invalid \\u escape (high surrogate without a low one)");
    check_error("\"x\\udc00\"", 1, 3, "invalid \\u escape (lone low surrogate)");
    check_error("\"a\tb\"", 1, 3, "control character in string (use an escape such as \\t)");
    check_error("\"a\x1f\"", 1, 3, "control character in string (use an escape such as \\t)");
    check_error("\"abc\ndef\"", 1, 1, "unterminated string");
    check_error("true &&\n  \"abc\r\n\"", 2, 3, "unterminated string");
    check_error("\"\xff\"", 1, 2, "invalid UTF-8 in string");
    check_error("\"a\x80\"", 1, 3, "invalid UTF-8 in string");
    check_error("\"\xc0\xaf\"", 1, 2, "invalid UTF-8 in string");          /* overlong '/' */
    check_error("\"\xc1\xbf\"", 1, 2, "invalid UTF-8 in string");          /* overlong */
    check_error("\"\xe0\x80\xaf\"", 1, 2, "invalid UTF-8 in string");      /* overlong */
    check_error("\"\xf0\x80\x80\xaf\"", 1, 2, "invalid UTF-8 in string");  /* overlong */
    check_error("\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8 in string");      /* surrogate */
    check_error("\"\xf4\x90\x80\x80\"", 1, 2, "invalid UTF-8 in string");  /* > U+10FFFF */
    check_error("\"\xf5\x80\x80\x80\"", 1, 2, "invalid UTF-8 in string");
    check_error("\"\xe2\x82\"", 1, 2, "invalid UTF-8 in string");          /* truncated */
    check_error("\"\xc3\"", 1, 2, "invalid UTF-8 in string");
    check_error_len("\"\xe2\x82", 3, 1, 2, "invalid UTF-8 in string");    /* at the end */
    check_error("\"\xe2\x82\x41\"", 1, 2, "invalid UTF-8 in string");
    /* Columns count bytes: the error after a 2-byte character. */
    check_error("\"\xc3\xa9\" == \xc3\xa9", 1, 9, "unexpected byte 0xc3");
}

static void test_errors_multiline(void **state)
{
    (void)state;
    check_error("deal.amount > 5\n  && deal.colour == 1", 2, 6, "unknown name 'deal.colour'");
    check_error("true &&\n\n   (false", 3, 10, "expected ')'");
    check_error("deal.amount ==\n", 2, 1, "expected an expression");
    check_error("true\n#", 2, 1, "unexpected character '#'");
    check_error("true\r\n && #", 2, 5, "unexpected character '#'");
    check_error("(\n(\n\"a\" == \n", 4, 1, "expected an expression");
    check_error("deal.stage in [\n  \"a\",\n  deal.units\n]", 3, 3,
                "expected a literal in the list");
}

static void test_messages_and_misuse(void **state)
{
    (void)state;
    rw_expr *e = (rw_expr *)&e;
    char msg[12];
    int line = 0, column = 0;

    /* Truncated to msg_size, always NUL-terminated. */
    memset(msg, 'x', sizeof msg);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "(", 1, &e, msg, sizeof msg, &line, &column),
                     REWARDS_PARSE_ERROR);
    assert_string_equal(msg, "line 1, col");
    assert_int_equal(line, 1);
    assert_int_equal(column, 2);
    assert_null(e);
    /* msg, line and column may all be absent. */
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "(", 1, &e, NULL, 0, NULL, NULL),
                     REWARDS_PARSE_ERROR);
    memset(msg, 'x', sizeof msg);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "(", 1, &e, msg, 1, NULL, NULL),
                     REWARDS_PARSE_ERROR);
    assert_int_equal(msg[0], '\0');
    /* On success msg is emptied. */
    memset(msg, 'x', sizeof msg);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "true", 4, &e, msg, sizeof msg, &line,
                                     &column),
                     REWARDS_OK);
    assert_string_equal(msg, "");
    assert_int_equal(line, 0);
    assert_int_equal(column, 0);
    rw_expr_free(&rw_alloc_default, e);
    /* The text need not be NUL-terminated: only len bytes are read. */
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "true && false", 4, &e, NULL, 0, NULL, NULL),
                     REWARDS_OK);
    assert_int_equal(rw_expr_eval(e, NULL, NULL), 1);
    rw_expr_free(&rw_alloc_default, e);
    /* Empty text, NULL text with len 0: a parse error. */
    assert_int_equal(rw_expr_compile(&rw_alloc_default, NULL, 0, &e, NULL, 0, NULL, NULL),
                     REWARDS_PARSE_ERROR);
    /* Misuse. */
    assert_int_equal(rw_expr_compile(NULL, "true", 4, &e, NULL, 0, NULL, NULL), REWARDS_MISUSE);
    assert_null(e);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, "true", 4, NULL, NULL, 0, NULL, NULL),
                     REWARDS_MISUSE);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, NULL, 3, &e, NULL, 0, NULL, NULL),
                     REWARDS_MISUSE);
    assert_int_equal(rw_expr_eval(NULL, table_resolve, NULL), 0);
    rw_expr_free(&rw_alloc_default, NULL);
}

/* ---- limits ---- */

static void test_length_limit(void **state)
{
    (void)state;
    char *buf = malloc(100001);
    assert_non_null(buf);

    /* "true" padded with spaces to exactly 4096 bytes compiles. */
    memset(buf, ' ', 4097);
    memcpy(buf, "true", 4);
    rw_expr *e = NULL;
    assert_int_equal(rw_expr_compile(&rw_alloc_default, buf, 4096, &e, NULL, 0, NULL, NULL),
                     REWARDS_OK);
    assert_int_equal(rw_expr_eval(e, NULL, NULL), 1);
    rw_expr_free(&rw_alloc_default, e);
    check_error_len(buf, 4097, 1, 4097, "expression longer than 4096 bytes");

    /* A 4096-byte string literal condition is fine too. */
    buf[0] = '"';
    memset(buf + 1, 'a', 4094);
    buf[4095] = '"';
    assert_int_equal(rw_expr_compile(&rw_alloc_default, buf, 4096, &e, NULL, 0, NULL, NULL),
                     REWARDS_OK);
    assert_int_equal(e->consts[0].len, 4094);
    rw_expr_free(&rw_alloc_default, e);

    /* The position is that of byte 4097, lines included. */
    memset(buf, '\n', 5000);
    check_error_len(buf, 5000, 4097, 1, "expression longer than 4096 bytes");

    /* Huge inputs are rejected up front. */
    memset(buf, '(', 100000);
    check_error_len(buf, 100000, 1, 4097, "expression longer than 4096 bytes");
    /* A long chain of && within the limit: loops, not recursion. */
    size_t n = 0;
    while (n + 8 <= 4096) {
        memcpy(buf + n, "true && ", 8);
        n += 8;
    }
    memcpy(buf + n - 8, "true    ", 8);
    assert_int_equal(rw_expr_compile(&rw_alloc_default, buf, n, &e, NULL, 0, NULL, NULL),
                     REWARDS_OK);
    assert_int_equal(rw_expr_eval(e, NULL, NULL), 1);
    rw_expr_free(&rw_alloc_default, e);
    /* A long list. */
    n = (size_t)snprintf(buf, 100, "deal.units in [");
    while (n < 4000) {
        memcpy(buf + n, "1, ", 3);
        n += 3;
    }
    memcpy(buf + n, "3]", 2);
    n += 2;
    env v = make_env();
    assert_int_equal(rw_expr_compile(&rw_alloc_default, buf, n, &e, NULL, 0, NULL, NULL),
                     REWARDS_OK);
    assert_int_equal(rw_expr_eval(e, table_resolve, &v), 1);
    rw_expr_free(&rw_alloc_default, e);
    free(buf);
}

/* n times open, then middle, then n times close. */
static char *nest(const char *open, int n, const char *middle, const char *close)
{
    size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    char *s = malloc((size_t)n * (lo + lc) + lm + 1), *p = s;
    assert_non_null(s);
    for (int i = 0; i < n; i++, p += lo)
        memcpy(p, open, lo);
    memcpy(p, middle, lm);
    p += lm;
    for (int i = 0; i < n; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return s;
}

static void check_nest(const char *open, const char *middle, const char *close, int expect)
{
    char *s = nest(open, 64, middle, close);
    env v = make_env();
    if (eval_in(s, &v) != expect)
        fail_msg("64 levels of '%s': wrong result", open);
    free(s);
    s = nest(open, 65, middle, close);
    int col = 64 * (int)strlen(open) + 1;
    check_error(s, 1, col, "nesting deeper than 64");
    free(s);
}

static void test_nesting(void **state)
{
    (void)state;
    check_nest("(", "true", ")", 1);
    check_nest("!", "false", "", 0); /* 64 '!' of false: false */
    check_nest("!", "true", "", 1);
    /* Mixed: each "(!" is two levels. */
    char *m = nest("(!", 32, "false", ")");
    check_false(m); /* an even number of negations */
    free(m);
    m = nest("(!", 33, "false", ")");
    check_error(m, 1, 65, "nesting deeper than 64");
    free(m);
    /* Each level holds a pending left operand: the deepest value stack. */
    check_nest("(true == ", "true", ")", 1);
    check_nest("(deal.units == 3 && ", "deal.stage == \"won\"", ")", 1);
    check_nest("(false || ", "deal.attr.vip", ")", 1);

    /* has( and [ count as a level. */
    char *s = nest("(", 63, "has(deal.amount)", ")");
    check_true(s);
    free(s);
    s = nest("(", 64, "has(deal.amount)", ")");
    check_error(s, 1, 65, "nesting deeper than 64");
    free(s);
    s = nest("(", 63, "deal.units in [3]", ")");
    check_true(s);
    free(s);
    s = nest("(", 64, "deal.units in [3]", ")");
    check_error(s, 1, 79, "nesting deeper than 64");
    free(s);

    /* Sequential groups do not add up: depth, not count. */
    char *a = nest("(", 64, "true", ")");
    char buf[1024];
    snprintf(buf, sizeof buf, "%s && %s", a, a);
    check_true(buf);
    free(a);

    /* 4096 bytes of '(' or '!' stop at the 65th, not at the stack's end. */
    char big[4097];
    memset(big, '(', 4096);
    check_error_len(big, 4096, 1, 65, "nesting deeper than 64");
    memset(big, '!', 4096);
    check_error_len(big, 4096, 1, 65, "nesting deeper than 64");
    memset(big, '[', 4096);
    check_error_len(big, 4096, 1, 1, "expected an expression");
}

/* ---- allocation failure ---- */

static void test_nomem(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "true",
        "deal.amount >= 2000",
        "deal.attr.product in [\"suite\", \"platform\"]",
        "deal.attr.region == \"EMEA\" || !has(deal.attr.region)",
        "(partner.attr.tier == \"gold\" && rep.attr.q > -0.25) || deal.stage in [1, \"\\u00e9\", true]",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        int ok = 0;
        for (long n = 1; n < 100 && !ok; n++) {
            test_alloc_state st = { n, 0, 0 };
            rw_alloc a = test_alloc_make(&st);
            rw_expr *e = (rw_expr *)&e;
            char msg[64] = "untouched";
            rewards_status s = rw_expr_compile(&a, texts[t], strlen(texts[t]), &e, msg, sizeof msg,
                                               NULL, NULL);
            if (s == REWARDS_OK) {
                /* Allocation n was not reached: every earlier one failed. */
                assert_true(st.count < n);
                assert_true(n > 1);
                assert_int_equal(st.live, 1); /* one block per condition */
                rw_expr_free(&a, e);
                ok = 1;
            } else {
                assert_int_equal(s, REWARDS_NOMEM);
                assert_null(e);
            }
            assert_int_equal(st.live, 0);
        }
        assert_true(ok);
    }
    /* Parse errors allocate nothing at all. */
    test_alloc_state st = { 0, 0, 0 };
    rw_alloc a = test_alloc_make(&st);
    rw_expr *e;
    assert_int_equal(rw_expr_compile(&a, "deal.amount >=", 14, &e, NULL, 0, NULL, NULL),
                     REWARDS_PARSE_ERROR);
    assert_int_equal(st.count, 0);
}

/* ---- rw_xnum ---- */

static void check_parse(const char *s, int64_t coef, int32_t scale)
{
    rw_xnum x = { 7, 7 };
    if (rw_xnum_parse(s, strlen(s), &x) != 0)
        fail_msg("'%s' did not parse", s);
    if (x.coef != coef || x.scale != scale)
        fail_msg("'%s' parsed as %lld/10^%d", s, (long long)x.coef, (int)x.scale);
}

static void check_parse_bad(const char *s)
{
    rw_xnum x = { 7, 7 };
    if (rw_xnum_parse(s, strlen(s), &x) != -1)
        fail_msg("'%s' parsed", s);
}

static void test_xnum_parse(void **state)
{
    (void)state;
    check_parse("5", 5, 0);
    check_parse("0", 0, 0);
    check_parse("-0", 0, 0);
    check_parse("-0.25", -25, 2);
    check_parse("5000.25", 500025, 2);
    check_parse("5000.250", 5000250, 3);
    check_parse("0.000000000000000001", 1, 18);
    check_parse("123456789012345678", 123456789012345678LL, 0);
    check_parse("-999999999999999999", -999999999999999999LL, 0);
    check_parse("99999999.9999999999", 999999999999999999LL, 10);
    check_parse("0.100000000000000000", 100000000000000000LL, 18);
    check_parse("10.5", 105, 1);

    check_parse_bad("");
    check_parse_bad("-");
    check_parse_bad("+5");
    check_parse_bad("1.");
    check_parse_bad(".5");
    check_parse_bad("-.5");
    check_parse_bad("1e5");
    check_parse_bad("1E5");
    check_parse_bad("007");
    check_parse_bad("00");
    check_parse_bad("-01");
    check_parse_bad(" 5");
    check_parse_bad("5 ");
    check_parse_bad("1,5");
    check_parse_bad("1.2.3");
    check_parse_bad("--1");
    check_parse_bad("0x10");
    check_parse_bad("1234567890123456789");    /* 19 significant digits */
    check_parse_bad("1000000000000000000");
    check_parse_bad("9223372036854775807");
    check_parse_bad("99999999999999999999999999999999");
    check_parse_bad("1.000000000000000000");   /* 19 significant digits */
    check_parse_bad("0.0000000000000000001");  /* 19 digits after the point */
    check_parse_bad("0.0000000000000000000");

    /* Only len bytes are read; out may be NULL. */
    assert_int_equal(rw_xnum_parse("12x", 2, NULL), 0);
    rw_xnum x;
    assert_int_equal(rw_xnum_parse("12.5xyz", 4, &x), 0);
    assert_int_equal(x.coef, 125);
    assert_int_equal(rw_xnum_parse(NULL, 0, &x), -1);
    assert_int_equal(rw_xnum_parse(NULL, 5, &x), -1);
}

__extension__ typedef __int128 i128;

/* The reference: both sides scaled to 10^-36 in 128 bits. */
static int oracle(rw_xnum a, rw_xnum b)
{
    i128 x = a.coef, y = b.coef;
    for (int i = a.scale; i < 18; i++)
        x *= 10;
    for (int i = b.scale; i < 18; i++)
        y *= 10;
    return (x > y) - (x < y);
}

static void test_xnum_cmp(void **state)
{
    (void)state;
    static const int64_t coefs[] = {
        0, 1, -1, 5, 10, 25, -25, 100, 999, 1000, 500025, 5000250,
        999999999999999999LL, -999999999999999999LL, 100000000000000000LL,
        922337203685477580LL, 922337203685477581LL, -922337203685477580LL, -922337203685477581LL,
        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, INT64_MAX / 10, INT64_MIN / 10,
        1000000000000000000LL, -1000000000000000000LL,
    };
    size_t n = sizeof coefs / sizeof coefs[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (int32_t sa = 0; sa <= 18; sa++)
                for (int32_t sb = 0; sb <= 18; sb++) {
                    rw_xnum a = { coefs[i], sa }, b = { coefs[j], sb };
                    int got = rw_xnum_cmp(a, b), want = oracle(a, b);
                    if (got != want)
                        fail_msg("%lld/10^%d vs %lld/10^%d: got %d, want %d", (long long)a.coef,
                                 (int)sa, (long long)b.coef, (int)sb, got, want);
                }

    rw_xnum a = { 1, 1 }, b = { 10, 2 }, c = { 11, 2 };
    assert_int_equal(rw_xnum_cmp(a, b), 0);  /* 0.1 == 0.10 */
    assert_int_equal(rw_xnum_cmp(a, c), -1); /* 0.1 < 0.11 */
    assert_int_equal(rw_xnum_cmp(c, a), 1);
    /* Out-of-range scales are clamped, not undefined. */
    rw_xnum big = { 5, 40 }, neg = { 5, -3 };
    assert_int_equal(rw_xnum_cmp(big, (rw_xnum){ 5, 18 }), 0);
    assert_int_equal(rw_xnum_cmp(neg, (rw_xnum){ 5, 0 }), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_numbers_compare),
        cmocka_unit_test(test_strings_compare),
        cmocka_unit_test(test_booleans_compare),
        cmocka_unit_test(test_resolver_values_sanitised),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_type_mismatch),
        cmocka_unit_test(test_in),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_short_circuit),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_errors_multiline),
        cmocka_unit_test(test_messages_and_misuse),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_xnum_parse),
        cmocka_unit_test(test_xnum_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
