"""Shared helpers of the Python binding tests: scenario files and a small program."""
import decimal
import json
import os
import unittest

import librewards

SCENARIOS = os.environ.get("REWARDS_SCENARIOS", "")


def scenario_path(name, suffix=".jsonl"):
    return os.path.join(SCENARIOS, name + suffix)


def read_expected(name, suffix):
    with open(scenario_path(name, suffix), "rb") as f:
        return f.read()


def _unique_keys(pairs):
    """A JSON object as a dict, refusing a key given twice (as rewards-cli does)."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate key %r" % key)
        out[key] = value
    return out


def scenario_ops(name):
    """(line number, operation dict) for every operation line of a scenario, as rewards-cli reads it."""
    ops = []
    with open(scenario_path(name), "rb") as f:
        for n, raw in enumerate(f.read().decode("utf-8").split("\n"), start=1):
            line = raw[:-1] if raw.endswith("\r") else raw
            stripped = line.lstrip(" \t")
            if not stripped or stripped.startswith("#"):
                continue
            value = json.loads(line, parse_float=decimal.Decimal, object_pairs_hook=_unique_keys)
            if not isinstance(value, dict):
                raise ValueError("line %d: not a JSON object" % n)
            ops.append((n, value))
    return ops


def run_ops(engine, ops):
    """Apply every operation; return the rejected ones as "line N: code" lines (the .errors.txt format)."""
    errors = []
    for n, op in ops:
        try:
            engine.apply(op)
        except librewards.RewardsError as exc:
            errors.append("line %d: %s\n" % (n, exc.code))
    return "".join(errors)


def requires_scenarios(cls):
    return unittest.skipUnless(SCENARIOS and os.path.isdir(SCENARIOS),
                               "REWARDS_SCENARIOS is not set to tests/scenarios")(cls)


def setup_program(engine):
    """A small reseller program: a 10% rep reward and a 5% partner reward on contract start."""
    engine.apply("program", id="resell", name="Reseller Program", currency="USD")
    engine.apply("level", id="gold", program="resell", name="Gold", rank=2)
    engine.apply("reward", id="rep-10", level="gold", name="Rep commission", trigger="deal_contract_started",
                 recipient="sales_rep", kind="percent", rate="10%")
    engine.apply("reward", id="partner-5", level="gold", name="Partner commission",
                 trigger="deal_contract_started", recipient="partner", kind="percent", rate="5%")
    engine.apply("partner", id="acme", program="resell", level="gold", name="Acme Corp")
    engine.apply("user", id="jane", partner="acme", name="Jane Roe", portal_access=True)
    engine.apply("user", id="bob", partner="acme", name="Bob Poe", portal_access=False)


def win_deal(engine, deal_id, amount, day):
    """A deal assigned to jane that starts its contract on 2026-02-DAY."""
    engine.apply("deal", at="2026-02-%02d" % day, id=deal_id, partner="acme", currency="USD", amount=amount,
                 user="jane")
    engine.apply("stage", at="2026-02-%02d" % day, deal=deal_id, stage="contract_started")
