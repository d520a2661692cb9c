-- quickstart.lua - the quick start in Lua 5.4: a program, a level with a 10%
-- partner commission, a partner, a deal won, and the ledger printed as CSV.
-- Same output as quickstart.c (tests/cli/quickstart.expected); run by the
-- installed-consumer test (tests/consumers/check_lua.sh) after an install.
local rewards = require "rewards"

local e <close> = rewards.engine()
e:apply("program", { id = "resell", name = "Resellers", currency = "USD" })
e:apply("level", { id = "gold", program = "resell", name = "Gold", rank = 1 })
e:apply("reward", { id = "gold-10", level = "gold", name = "Gold 10%", trigger = "deal_won",
                    recipient = "partner", kind = "percent", rate = "10%" })
e:apply("partner", { id = "acme", program = "resell", level = "gold", name = "Acme Corp" })
e:apply("deal", { at = "2026-01-05", id = "d-100", partner = "acme", currency = "USD", amount = "12000.00" })
e:apply("stage", { at = "2026-01-20", deal = "d-100", stage = "won" })
io.write(e:ledger_csv())
