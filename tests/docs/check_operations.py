#!/usr/bin/env python3
"""Compares docs/operations.md with the engine's own operation table.

The engine accepts exactly the fields of its table in lib/engine.c
(opdefs: KEYS(...) per operation; nested_shapes: the keys of requires,
tiers and thresholds items) and the deal-line keys of lib/lines.c
(line_keys). A field accepted there and missing from the reference, or
documented and not accepted, fails the build; so does an operation present
on one side only, and a vocabulary value of lib/ops_reward.c missing from
its field's row. Usage: check_operations.py SOURCE_ROOT
"""
import re
import sys

root = sys.argv[1]


def read(path):
    with open(f"{root}/{path}", encoding="utf-8") as f:
        return f.read()


def keys_of(text):
    return re.findall(r'"([^"]+)"', text)


engine = read("lib/engine.c")
table = engine[engine.index("opdefs[] = {"):]
table = table[:table.index("};")]
ops = {}
for m in re.finditer(r'\{\s*"(\w+)",\s*rw_op_\w+,\s*KEYS\(([^)]*)\)\s*\}', table, re.S):
    ops[m.group(1)] = set(keys_of(m.group(2)))
nested = engine[engine.index("nested_shapes[] = {"):]
nested = nested[:nested.index("};")]
nested_keys = {m.group(1): keys_of(m.group(2))
               for m in re.finditer(r'\{\s*"(\w+)",\s*KEYS\(([^)]*)\)\s*\}', nested)}
line_keys = keys_of(re.search(r"line_keys\[\]\s*=\s*\{([^}]*)\}", read("lib/lines.c")).group(1))
if not ops or not nested_keys or not line_keys:
    sys.exit("could not read the engine's tables (did their form change?)")

# What the engine accepts, as the reference writes it.
accepted = {}
for op, keys in ops.items():
    names = set(keys)
    for parent, sub in nested_keys.items():
        if parent in keys:
            sep = "." if parent == "requires" else "[]."
            names |= {parent + sep + k for k in sub}
    if "lines" in keys:
        names |= {"lines[]." + k for k in line_keys}
    accepted[op] = names

doc = read("docs/operations.md")
documented, rows, current = {}, {}, None
for line in doc.splitlines():
    h = re.match(r"### (\w+)\s*$", line)
    if h:
        current = h.group(1)
        documented[current] = set()
        continue
    if line.startswith("## "):
        current = None
    r = re.match(r"\| `([\w.\[\]]+)` \|", line)
    if current and r:
        documented[current].add(r.group(1))
        rows[(current, r.group(1))] = line

errors = []
for op in sorted(set(accepted) | set(documented)):
    if op not in documented:
        errors.append(f"operation '{op}' is accepted by the engine but not documented")
        continue
    if op not in accepted:
        errors.append(f"operation '{op}' is documented but the engine has no such operation")
        continue
    for f in sorted(accepted[op] - documented[op]):
        errors.append(f"{op}: field '{f}' is accepted by the engine but not documented")
    for f in sorted(documented[op] - accepted[op]):
        errors.append(f"{op}: field '{f}' is documented but not accepted by the engine")

# Vocabulary: every legal value the reward operation knows is in its row.
reward_src = read("lib/ops_reward.c")
for array, field in [("kinds", "kind"), ("recipients", "recipient"), ("policies", "rep_policy"),
                     ("periods", "period"), ("modes", "mode"), ("metrics", "metric"), ("pers", "per"),
                     ("bases", "base")]:
    m = re.search(r"\b%s\[\]\s*=\s*\{([^}]*)\}" % array, reward_src)
    if not m:
        errors.append(f"lib/ops_reward.c: array '{array}' not found")
        continue
    row = rows.get(("reward", field), "")
    for v in keys_of(m.group(1)):
        if f"`{v}`" not in row:
            errors.append(f"reward: value '{v}' of '{field}' is not documented")
m = re.search(r"rw_trigger_names\[\]\s*=\s*\{([^}]*)\}", reward_src)
for v in keys_of(m.group(1)) if m else ["(rw_trigger_names not found)"]:
    if f"`{v}`" not in rows.get(("reward", "trigger"), ""):
        errors.append(f"reward: trigger '{v}' is not documented")
m = re.search(r"rw_op_stage[^{]*\{\s*static const char \*const names\[\]\s*=\s*\{([^}]*)\}", read("lib/ops_deal.c"))
for v in keys_of(m.group(1)) if m else ["(stage names not found)"]:
    if f"`{v}`" not in rows.get(("stage", "stage"), ""):
        errors.append(f"stage: stage '{v}' is not documented")
rounding = keys_of(re.search(r"roundings\[\]\s*=\s*\{([^}]*)\}", read("lib/ops_define.c")).group(1))
for v in rounding:
    if f"`{v}`" not in rows.get(("program", "rounding"), ""):
        errors.append(f"program: value '{v}' of 'rounding' is not documented")

for e in errors:
    print(e)
count = sum(len(v) for v in accepted.values())
print(f"{len(accepted)} operations, {count} fields compared: {'FAIL' if errors else 'ok'}")
sys.exit(1 if errors else 0)
