#!/usr/bin/env python3
"""Checks that the repository's documentation stands on its own.

- Every relative Markdown link in README.md and docs/*.md names a file of
  the repository (an anchor after '#' is not checked); no link, relative
  or absolute, leads to the contract outside the repository (../shared).
- Every fenced code block in C, Python or Lua is a verbatim part of a file
  under examples/, bindings/ or tests/, which the test suite builds and
  runs; so an example cannot rot unseen. The blocks of bindings/README.md
  are instead run as they are (run_examples.py).
Usage: check_links.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

root = os.path.abspath(sys.argv[1])
pages = [os.path.join(root, "README.md"), os.path.join(root, "bindings", "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
sources = []
with open(os.path.join(root, "include", "rewards.h"), encoding="utf-8") as f:
    sources.append(f.read())  # a declaration quoted from the header
for top in ("examples", "bindings", "tests"):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        for name in files:
            if name.endswith((".c", ".h", ".py", ".lua", ".sh")):
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                    sources.append(f.read())

errors, links, blocks = [], 0, 0
link_re = re.compile(r"\]\(([^)\s]+)\)")
for page in pages:
    rel = os.path.relpath(page, root)
    with open(page, encoding="utf-8") as f:
        text = f.read()
    if "shared/" in text and re.search(r"\.\./shared|/work/shared", text):
        errors.append(f"{rel}: refers to the contract outside the repository (../shared)")
    # links outside code blocks
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for target in link_re.findall(prose):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        links += 1
        path = target.split("#")[0]
        full = os.path.normpath(os.path.join(os.path.dirname(page), path))
        if not full.startswith(root + os.sep) or not os.path.exists(full):
            errors.append(f"{rel}: link '{target}' does not resolve to a file in the repository")
    for lang, body in re.findall(r"```(c|python|lua)\n(.*?)```", text, flags=re.S):
        blocks += 1
        if rel == os.path.join("bindings", "README.md"):
            continue  # run as they are by run_examples.py (tests 'docs python/lua examples')
        if not any(body in s for s in sources):
            first = body.splitlines()[0] if body else ""
            errors.append(f"{rel}: {lang} example starting '{first}' is not part of a tested file")

for e in errors:
    print(e)
print(f"{len(pages)} pages, {links} relative links, {blocks} code examples: {'FAIL' if errors else 'ok'}")
sys.exit(1 if errors else 0)
