"""quickstart.py - the quick start in Python: a program, a level with a 10%
partner commission, a partner, a deal won, and the ledger printed as CSV.
Same output as quickstart.c (tests/cli/quickstart.expected); run by the
installed-consumer test (tests/consumers/check_python.sh) from a fresh venv.
"""
import sys
from decimal import Decimal

import librewards

with librewards.Engine() as engine:
    engine.apply("program", id="resell", name="Resellers", currency="USD")
    engine.apply("level", id="gold", program="resell", name="Gold", rank=1)
    engine.apply("reward", id="gold-10", level="gold", name="Gold 10%", trigger="deal_won",
                 recipient="partner", kind="percent", rate="10%")
    engine.apply("partner", id="acme", program="resell", level="gold", name="Acme Corp")
    engine.apply("deal", at="2026-01-05", id="d-100", partner="acme", currency="USD", amount=Decimal("12000.00"))
    engine.apply("stage", at="2026-01-20", deal="d-100", stage="won")
    sys.stdout.write(engine.ledger_csv())
