#!/usr/bin/env python3
"""Checks calculation traces against arithmetic (docs/traces.md).

For every entry of a run (rewards-cli run --traces), checks that the rates,
brackets, thresholds, caps, rounding and FX rates its trace shows are the
ones the scenario file defines, and re-derives the entry's amount from the
numbers its trace gives, by the plain rules of each reward
kind, with Python's Decimal and the program's rounding: none of the
library's own code is used.  Also checks what one trace says about another
(an adjustment's 'previous' is the sum of the earlier entries of the same
contribution; an override's child amount is its source entry's amount),
the trace amount against the ledger CSV, and that each statement adds up.

Every trace must also follow docs/traces.schema.json (--schema): a small
validator of the JSON Schema keywords that file uses is built in, so that
every key the library writes is documented with its type.

usage: trace_check.py REWARDS_CLI [--schema SCHEMA.json] SCENARIO.jsonl [SCENARIO.jsonl ...]
Prints one line per scenario; exit 1 on any difference.
"""
import csv
import json
import re
import os
import subprocess
import sys
import tempfile
from decimal import Decimal, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_FLOOR

MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def D(s):
    return Decimal(s)


def quantum(value_text):
    """The minor unit of an amount as written ("12.50" -> 0.01, "7" -> 1)."""
    if "." in value_text:
        return Decimal(1).scaleb(-len(value_text.split(".")[1]))
    return Decimal(1)


def rnd(x, q, mode):
    return x.quantize(q, rounding=MODES[mode])


def tier_exact(t, c):
    """Exact commission on cumulative c (a Decimal of program currency)."""
    brackets = t["brackets"]
    if t["mode"] == "retroactive":
        rate = 0
        for b in brackets:
            if D(b["from"]) <= c:
                rate = b["rate_ppm"]
        return c * rate / Decimal(1000000)
    total = Decimal(0)
    for i, b in enumerate(brackets):
        lo = D(b["from"])
        hi = D(brackets[i + 1]["from"]) if i + 1 < len(brackets) else None
        if c <= lo:
            break
        top = c if hi is None or c < hi else hi
        total += (top - lo) * b["rate_ppm"] / Decimal(1000000)
    return total


def ppm(rate):
    """ "12.5%" -> 125000 parts per million."""
    return int(D(rate.rstrip("%")) * 10000)


def when(text):
    """A scenario time ("2026-01-05" or "2026-01-05T10:00:00Z") as the trace writes times."""
    return text if "T" in text else text + "T00:00:00Z"


class Config:
    """What the scenario itself defines, from its accepted lines: the traces'
    rates, brackets, thresholds, caps, rounding and FX rates must be these."""

    def __init__(self, path, rejected):
        self.programs, self.levels, self.rewards, self.fx = {}, {}, {}, []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                line = line.strip()
                if not line or line.startswith("#") or n in rejected:
                    continue
                try:
                    op = json.loads(line)
                except ValueError:
                    continue
                kind = op.get("op")
                if kind == "program":
                    self.programs[op["id"]] = op
                elif kind == "level":
                    self.levels[op["id"]] = op
                elif kind == "reward":
                    self.rewards[op["id"]] = op
                elif kind == "fx":
                    self.fx.append(op)

    def program_of(self, r):
        return self.programs[r["program"] if "program" in r else self.levels[r["level"]]["program"]]

    def fx_rate(self, frm, to, at):
        rate = None
        for op in self.fx:  # in time order, as the engine requires
            if op["from"] == frm and op["to"] == to and when(op["at"]) <= at:
                rate = D(op["rate"])
        return rate


class Checker:
    def __init__(self, name):
        self.name = name
        self.errors = []
        self.checked = 0

    def fail(self, tr, what):
        self.errors.append("%s entry %s: %s" % (self.name, tr.get("entry"), what))

    def same(self, tr, what, got, want):
        if got != want:
            self.fail(tr, "%s: trace gives %s, arithmetic or the scenario gives %s" % (what, got, want))

    def check_config(self, tr, cfg):
        """The trace's copies of the scenario's definitions are the scenario's."""
        if tr["cause"]["kind"] in ("manual", "redemption") or tr["history"] != "complete":
            return
        r = cfg.rewards.get(tr["reward"]["id"])
        if r is None:
            self.fail(tr, "reward %s is not in the scenario" % tr["reward"]["id"])
            return
        self.same(tr, "reward kind", tr["reward"]["kind"], r["kind"])
        self.same(tr, "rounding", tr["rounding"], cfg.program_of(r).get("rounding", "half_even"))
        self.same(tr, "condition", tr["reward"]["condition"], r.get("when"))
        rw = tr["reward"]
        self.same(tr, "clawback days", rw["clawback_days"], r.get("clawback_days", 0))
        self.same(tr, "auto_approve", rw["auto_approve"], r.get("auto_approve", False))
        self.same(tr, "per", rw["per"], r.get("per", "deal"))
        self.same(tr, "base", rw["base"], r.get("base", "amount"))
        self.same(tr, "rep_policy", rw["rep_policy"],
                  r.get("rep_policy", "hold") if r.get("recipient") == "sales_rep" else None)
        if "override" in tr:
            self.same(tr, "override rate", tr["override"]["rate_ppm"], ppm(r["rate"]))
            return
        if "fx" in tr:
            want = cfg.fx_rate(tr["fx"]["from"], tr["fx"]["to"], tr["trigger"]["at"])
            self.same(tr, "FX rate in force at the trigger", D(tr["fx"]["rate"]), want)
        if "rate_ppm" in tr:
            self.same(tr, "rate", tr["rate_ppm"], ppm(r["rate"]))
        if "fixed" in tr:
            self.same(tr, "fixed amount", D(tr["fixed"]), D(r["amount"]))
        if "tiers" in tr:
            self.same(tr, "tier mode", tr["tiers"]["mode"], r.get("mode", "marginal"))
            self.same(tr, "tiers", [(D(b["from"]), b["rate_ppm"]) for b in tr["tiers"]["brackets"]],
                      [(D(x["from"]), ppm(x["rate"])) for x in r["tiers"]])
        if "milestone" in tr:
            m = tr["milestone"]
            if not 0 <= m["threshold_index"] < len(r["thresholds"]):
                self.fail(tr, "threshold index %d: the reward has %d" % (m["threshold_index"], len(r["thresholds"])))
                return
            th = r["thresholds"][m["threshold_index"]]
            self.same(tr, "threshold", D(str(m["threshold"])), D(th["at"]))
            self.same(tr, "bonus", D(m["bonus"]), D(th["bonus"]))
        if "points" in tr:
            p = tr["points"]
            if "fixed" in p:
                self.same(tr, "points", p["fixed"], int(r["points"]))
            else:
                self.same(tr, "points per unit", D(p["per_unit"]), D(r["points_per_unit"]))
        caps = {c["kind"]: D(c["limit"]) for c in tr.get("caps", [])}
        want = {k: D(r[k]) for k in ("cap_per_deal", "cap_per_period") if k in r}
        if "milestone" not in tr:
            self.same(tr, "caps", caps, want)

    def check(self, tr, by_number, nets):
        amount = D(tr["amount"])
        q = quantum(tr["amount"])
        kind = tr["cause"]["kind"] if "cause" in tr else None
        if tr["history"] != "complete":
            self.fail(tr, "history is %s" % tr["history"])
            return
        if kind in ("manual", "redemption"):
            self.checked += 1
            return
        mode = tr["rounding"]
        target = D(tr["target"])
        previous = D(tr["previous"])
        # the contribution's earlier entries add up to 'previous' (another trace's numbers)
        key = (tr["reward"]["id"], tr["trigger"]["deal"], tr["trigger"]["kind"], tr["trigger"]["at"],
               tr.get("base", {}).get("line"), tr.get("milestone", {}).get("threshold_index"),
               tr.get("override", {}).get("covers"), tr["recipient_type"] if kind != "override" else None)
        self.same(tr, "previous (sum of the contribution's earlier entries)", previous, nets.get(key, Decimal(0)))
        nets[key] = nets.get(key, Decimal(0)) + amount
        self.same(tr, "amount = target - previous", amount, target - previous)
        if kind == "override":
            o = tr["override"]
            src = by_number.get(o["source_entry"])
            if src is None or D(src["amount"]) != D(o["child_amount"]):
                self.fail(tr, "override child amount %s is not source entry %s's amount" % (o["child_amount"], o["source_entry"]))
            c, x = D(o["child_net_before"]), D(o["child_amount"])
            rate = Decimal(o["rate_ppm"]) / Decimal(1000000)
            want = rnd((c + x) * rate, q, mode) - rnd(c * rate, q, mode)
            self.same(tr, "override amount round(rate*(C+x)) - round(rate*C)", amount, want)
            self.checked += 1
            return
        kind_r = tr["reward"]["kind"]
        base = D(tr["base"]["amount"])
        conv = tr["converted"]["amount"]
        if conv is not None:
            cq = quantum(conv)
            if "fx" in tr:
                want = rnd(base * D(tr["fx"]["rate"]), cq, mode)
            else:
                want = base
            self.same(tr, "converted amount (base x FX rate, rounded once)", D(conv), want)
        voided = tr["voided"]
        if kind_r == "milestone":
            m = tr["milestone"]
            before, after = D(m["before"]), D(m["after"])
            if m["metric"] == "revenue" and not voided:
                self.same(tr, "milestone metric after - before = converted", after - before, D(conv))
            if m["metric"] == "deals":
                self.same(tr, "milestone deals after - before", after - before, Decimal(0 if voided else 1))
            crossed = (not voided) and before < D(m["threshold"]) <= after
            self.same(tr, "milestone crossed", m["crossed"], crossed)
            self.same(tr, "milestone target", target, D(m["bonus"]) if crossed else Decimal(0))
            self.checked += 1
            return
        if voided:
            want = Decimal(0)
        elif kind_r == "percent":
            want = rnd(D(conv) * tr["rate_ppm"] / Decimal(1000000), q, mode)
        elif kind_r == "fixed":
            want = D(tr["fixed"])
        elif kind_r == "points":
            p = tr["points"]
            if "fixed" in p:
                want = Decimal(p["fixed"])
            else:
                want = (D(p["per_unit"]) * D(conv)).quantize(Decimal(1), rounding=ROUND_FLOOR)
        elif kind_r == "tiered":
            t = tr["tiers"]
            cb, ca = D(t["cumulative_before"]), D(t["cumulative_after"])
            self.same(tr, "tiers cumulative after - before = converted", ca - cb, D(conv))
            for i, b in enumerate(t["brackets"]):
                lo = D(b["from"])
                hi = D(t["brackets"][i + 1]["from"]) if i + 1 < len(t["brackets"]) else None
                s0 = max(cb, lo)
                s1 = ca if hi is None else min(ca, hi)
                self.same(tr, "bracket %d slice" % i, D(b["slice"]), max(s1 - s0, Decimal(0)))
                self.same(tr, "bracket %d commission = slice x rate" % i, D(b["commission"]),
                          D(b["slice"]) * b["rate_ppm"] / Decimal(1000000))
            self.same(tr, "commission before", D(t["commission_before"]), tier_exact(t, cb))
            self.same(tr, "commission after", D(t["commission_after"]), tier_exact(t, ca))
            want = rnd(tier_exact(t, ca), q, mode) - rnd(tier_exact(t, cb), q, mode)
        else:
            self.fail(tr, "unknown reward kind %s" % kind_r)
            return
        self.same(tr, "uncapped amount", D(tr["uncapped"]), want)
        for cap in tr.get("caps", []):
            limit, used = D(cap["limit"]), D(cap["used_before"])
            room = max(limit - used, Decimal(0))
            cut = max(want - room, Decimal(0))
            self.same(tr, cap["kind"] + " cut", D(cap["cut"]), cut)
            want -= cut
        self.same(tr, "target (after caps)", target, want)
        self.checked += 1


def numeric_paths(obj, path=()):
    """Every decimal or integer value of a trace, as a key path (not the entry number or version)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if path == () and k in ("entry", "version"):
                continue
            yield from numeric_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from numeric_paths(v, path + (i,))
    elif isinstance(obj, int) and not isinstance(obj, bool):
        yield path
    elif isinstance(obj, str):
        try:
            Decimal(obj)
            if obj[:1].isdigit() or obj[:1] == "-":
                yield path
        except Exception:
            pass


def mutated(tr, path):
    import copy
    t = copy.deepcopy(tr)
    o = t
    for k in path[:-1]:
        o = o[k]
    v = o[path[-1]]
    if isinstance(v, int):
        # a rate moved by one percentage point (one ppm may round away on a small base)
        o[path[-1]] = v + (10000 if str(path[-1]).endswith("rate_ppm") else 1)
    elif path[-1] == "per_unit":
        o[path[-1]] = str(D(v) + 1)
    else:
        o[path[-1]] = str(D(v) + quantum(v))
    return t


def self_test(ck, trs, cfg):
    """Every number the checker reads must matter: changing it by one unit must be caught."""
    caught = missed = 0
    by_number = {t["entry"]: t for t in trs}
    for t in trs:
        if t["cause"]["kind"] in ("manual", "redemption") or t.get("voided"):
            continue  # nothing to re-derive: the amount is the host's, or zero
        nets = {}
        for other in trs:  # the contribution's earlier entries, as the real pass saw them
            if other["entry"] == t["entry"]:
                break
            probe = Checker("probe")
            probe.check(other, by_number, nets)
        for path in numeric_paths(t):
            probe = Checker("probe")
            probe.check(mutated(t, path), by_number, dict(nets))
            probe.check_config(mutated(t, path), cfg)
            if probe.errors:
                caught += 1
            elif path[0] not in IGNORED and not ignored(t, path):
                missed += 1
                ck.errors.append("%s entry %s: changing %s goes unnoticed" % (ck.name, t["entry"], ".".join(map(str, path))))
    return caught


# numbers a trace shows for people that no amount depends on
IGNORED = ("trigger", "cause", "hold", "caps", "base")


def ignored(t, path):
    """Numbers that may change by one unit without changing anything checkable:
    an override's C (a small rate rounds a cent away; C is not rebuilt here
    from the child's history), a units milestone's metric (the line's units
    are not in the trace)."""
    if path[:2] == ("override", "child_net_before"):
        return True
    return path[0] == "milestone" and path[1] in ("before", "after") and t["milestone"]["metric"] == "units"


class Schema:
    """The JSON Schema keywords docs/traces.schema.json uses: type, enum,
    pattern, properties, required, additionalProperties (false), items,
    anyOf, $ref to #/$defs."""

    TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.root = json.load(f)

    def errors(self, value, node=None, where="trace"):
        node = self.root if node is None else node
        if "$ref" in node:
            return self.errors(value, self.root["$defs"][node["$ref"].split("/")[-1]], where)
        if "anyOf" in node:
            if any(not self.errors(value, n, where) for n in node["anyOf"]):
                return []
            return ["%s: %r matches none of its forms" % (where, value)]
        out = []
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            ok = any((t == "integer" and isinstance(value, int) and not isinstance(value, bool)) or
                     (t in self.TYPES and isinstance(value, self.TYPES[t])) for t in types)
            if not ok:
                return ["%s: %r is not %s" % (where, value, "/".join(types))]
        if "enum" in node and value not in node["enum"]:
            out.append("%s: %r is not one of %s" % (where, value, node["enum"]))
        if "pattern" in node and isinstance(value, str) and not re.search(node["pattern"], value):
            out.append("%s: %r does not match %s" % (where, value, node["pattern"]))
        if isinstance(value, dict):
            props = node.get("properties", {})
            for k in node.get("required", []):
                if k not in value:
                    out.append("%s: %s is missing" % (where, k))
            for k, v in value.items():
                if k in props:
                    out += self.errors(v, props[k], where + "." + k)
                elif node.get("additionalProperties") is False:
                    out.append("%s: key %s is not in the schema" % (where, k))
        if isinstance(value, list) and "items" in node:
            for i, v in enumerate(value):
                out += self.errors(v, node["items"], "%s.%d" % (where, i))
        return out


def check_statements(ck, path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    groups = {}
    for r in rows:
        groups.setdefault((r["recipient_type"], r["recipient"], r["currency"]), []).append(r)
    for key, rs in groups.items():
        tot = {r["row"]: D(r["amount"]) for r in rs if r["row"] not in ("entry", "payout")}
        by_type = {"earned": "earned", "adjustment": "adjustments", "reversal": "reversals", "manual": "manual",
                   "redemption": "redemptions"}
        sums = {v: Decimal(0) for v in by_type.values()}
        paid = Decimal(0)
        for r in rs:
            if r["row"] == "entry":
                sums[by_type[r["type"]]] += D(r["amount"])
            elif r["row"] == "payout":
                paid += D(r["amount"])
        for k, v in sums.items():
            if tot[k] != v:
                ck.errors.append("%s statement %s: %s total %s, rows add to %s" % (ck.name, key, k, tot[k], v))
        closing = tot["opening"] + sum(sums.values()) - paid
        if tot["paid"] != paid or tot["closing"] != closing:
            ck.errors.append("%s statement %s: closing %s, arithmetic %s" % (ck.name, key, tot["closing"], closing))


def main():
    cli, scenarios = sys.argv[1], sys.argv[2:]
    schema = None
    if scenarios[:1] == ["--schema"]:
        schema, scenarios = Schema(scenarios[1]), scenarios[2:]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for sc in scenarios:
            name = os.path.basename(sc)
            ck = Checker(name)
            traces, ledger, statements = (os.path.join(tmp, n) for n in ("t.jsonl", "l.csv", "s.csv"))
            r = subprocess.run([cli, "run", sc, "--traces", traces, "--ledger", ledger, "--statements", statements],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):
                print("FAIL %s: rewards-cli exit %d: %s" % (name, r.returncode, r.stderr))
                failed = 1
                continue
            with open(traces) as f:
                trs = [json.loads(line) for line in f]
            with open(ledger, newline="") as f:
                led = list(csv.DictReader(f))
            if len(led) != len(trs):
                ck.errors.append("%s: %d traces for %d ledger entries" % (name, len(trs), len(led)))
            by_number = {t["entry"]: t for t in trs}
            rejected = {int(m.group(1)) for m in re.finditer(r"^line (\d+): ", r.stderr, re.M)}
            cfg = Config(sc, rejected)
            nets = {}
            for t, row in zip(trs, led):
                if str(t["entry"]) != row["entry"] or t["amount"] != row["amount"]:
                    ck.errors.append("%s entry %s: trace amount %s, ledger %s" % (name, t["entry"], t["amount"], row["amount"]))
                ck.check(t, by_number, nets)
                ck.check_config(t, cfg)
            check_statements(ck, statements)
            for t in trs if schema else []:
                for e in schema.errors(t):
                    ck.errors.append("%s entry %s: schema: %s" % (name, t["entry"], e))
            caught = self_test(ck, trs, cfg)
            if ck.errors:
                failed = 1
                for e in ck.errors:
                    print("FAIL " + e)
            else:
                kinds = sorted(set("%s/%s" % (t.get("reward", {}).get("kind", "-"), t["cause"]["kind"]) for t in trs))
                print("ok %s: %d entries re-derived from their traces; %d one-unit changes of their numbers caught (%s)"
                      % (name, ck.checked, caught, " ".join(kinds)))
    return failed


if __name__ == "__main__":
    sys.exit(main())
