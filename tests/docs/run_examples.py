#!/usr/bin/env python3
"""Runs the code examples of a Markdown page (bindings/README.md).

Every fenced block of the given language is taken, in page order, and the
blocks are run as one program (later blocks may use what earlier ones
defined) with the given interpreter, in a temporary directory; the program
must exit 0. So the examples a reader copies are the ones the tests run.
Usage: run_examples.py PAGE.md LANGUAGE INTERPRETER [ARGS...]
"""
import os
import re
import subprocess
import sys
import tempfile

page, lang, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(page, encoding="utf-8") as f:
    blocks = re.findall(r"```%s\n(.*?)```" % re.escape(lang), f.read(), flags=re.S)
if not blocks:
    sys.exit(f"{page}: no {lang} example")
with tempfile.TemporaryDirectory() as tmp:
    script = os.path.join(tmp, "examples." + {"python": "py", "lua": "lua"}.get(lang, lang))
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(blocks))
    p = subprocess.run(cmd + [script], cwd=tmp)
    print(f"{page}: {len(blocks)} {lang} examples, exit status {p.returncode}")
    sys.exit(p.returncode)
