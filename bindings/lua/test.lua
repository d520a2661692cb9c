-- Tests of the Lua module "rewards": worked scenarios compared byte for byte
-- with the expected files, errors, storage and event callbacks, restore.
-- Run by meson (suite 'bindings') with LUA_CPATH pointing at the built
-- rewards.so and REWARDS_SCENARIOS at tests/scenarios.
local rewards = require "rewards"

local scenarios = assert(os.getenv("REWARDS_SCENARIOS"), "REWARDS_SCENARIOS is not set")

local failures, count = 0, 0
local function test(name, fn)
  count = count + 1
  local ok, err = xpcall(fn, function(e) return debug.traceback(tostring(e), 2) end)
  if ok then
    print("ok   " .. name)
  else
    failures = failures + 1
    print("FAIL " .. name .. "\n" .. err)
  end
end

local function eq(expected, actual, what)
  if expected ~= actual then
    error(string.format("%s: expected %q, got %q", what or "value", tostring(expected), tostring(actual)), 2)
  end
end

-- Run fn, which must raise a rewards error with this code; return the error.
local function raises(code, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected a " .. code .. " error, got success", 2) end
  if type(err) ~= "table" then error("expected an error table, got " .. tostring(err), 2) end
  if err.code ~= code then error("expected " .. code .. ", got " .. tostring(err), 2) end
  return err
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("a")
  f:close()
  return data
end

---------------------------------------------------------------------------
-- A minimal JSON reader: enough for one scenario line (objects, arrays,
-- strings with escapes, numbers, true/false/null).
---------------------------------------------------------------------------
local json = {}
do
  local escapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
  local value

  local function skip(s, i) return s:match("^[ \t\r\n]*()", i) end

  local function str(s, i) -- s:sub(i, i) == '"'
    local out, j = {}, i + 1
    while true do
      local c = s:sub(j, j)
      if c == "" then error("unterminated string") end
      if c == '"' then return table.concat(out), j + 1 end
      if c == "\\" then
        local e = s:sub(j + 1, j + 1)
        if e == "u" then
          local cp = tonumber(s:sub(j + 2, j + 5), 16) or error("bad \\u escape")
          j = j + 6
          if cp >= 0xD800 and cp <= 0xDBFF and s:sub(j, j + 1) == "\\u" then
            local lo = tonumber(s:sub(j + 2, j + 5), 16)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            j = j + 6
          end
          out[#out + 1] = utf8.char(cp)
        else
          out[#out + 1] = escapes[e] or error("bad escape \\" .. e)
          j = j + 2
        end
      else
        local run = s:match('^[^"\\]+', j)
        out[#out + 1] = run
        j = j + #run
      end
    end
  end

  function value(s, i)
    i = skip(s, i)
    local c = s:sub(i, i)
    if c == "{" then
      local obj = {}
      i = skip(s, i + 1)
      if s:sub(i, i) == "}" then return obj, i + 1 end
      while true do
        i = skip(s, i)
        if s:sub(i, i) ~= '"' then error("expected a member name at " .. i) end
        local k
        k, i = str(s, i)
        i = skip(s, i)
        if s:sub(i, i) ~= ":" then error("expected ':' at " .. i) end
        if obj[k] ~= nil then error("duplicate key '" .. k .. "' at " .. i) end -- as rewards-cli
        obj[k], i = value(s, i + 1)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == "}" then return obj, i + 1 end
        if d ~= "," then error("expected ',' or '}' at " .. i) end
        i = i + 1
      end
    elseif c == "[" then
      local arr = rewards.array()
      i = skip(s, i + 1)
      if s:sub(i, i) == "]" then return arr, i + 1 end
      while true do
        arr[#arr + 1], i = value(s, i)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == "]" then return arr, i + 1 end
        if d ~= "," then error("expected ',' or ']' at " .. i) end
        i = i + 1
      end
    elseif c == '"' then
      return str(s, i)
    elseif s:sub(i, i + 3) == "true" then
      return true, i + 4
    elseif s:sub(i, i + 4) == "false" then
      return false, i + 5
    elseif s:sub(i, i + 3) == "null" then
      return rewards.null, i + 4
    else
      local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
      if not num or num == "" then error("unexpected character at " .. i) end
      local v = num:find("[.eE]") and tonumber(num) + 0.0 or math.tointeger(tonumber(num))
      return v, i + #num
    end
  end

  function json.decode(s)
    local v, i = value(s, 1)
    if skip(s, i) <= #s then error("trailing characters") end
    return v
  end
end

-- The operations of a scenario: {line = n, op = table}, as rewards-cli reads them.
local function scenario_ops(name)
  local ops, n = {}, 0
  for line in (read_file(scenarios .. "/" .. name .. ".jsonl")):gmatch("([^\n]*)\n") do
    n = n + 1
    line = line:gsub("\r$", "")
    local trimmed = line:match("^[ \t]*(.*)$")
    if trimmed ~= "" and trimmed:sub(1, 1) ~= "#" then
      ops[#ops + 1] = { line = n, op = json.decode(line) }
    end
  end
  return ops
end

-- Apply operations; return the rejected ones as "line N: code\n" lines.
local function run_ops(e, ops, first, last)
  local errors = {}
  for i = first or 1, last or #ops do
    local ok, err = pcall(e.apply, e, ops[i].op)
    if not ok then
      if type(err) ~= "table" then error(err, 0) end
      errors[#errors + 1] = string.format("line %d: %s\n", ops[i].line, err.code)
    end
  end
  return table.concat(errors)
end

local function check_scenario(name)
  local e <close> = rewards.engine()
  local errors = run_ops(e, scenario_ops(name))
  eq(read_file(scenarios .. "/" .. name .. ".ledger.csv"), e:ledger_csv(), name .. " ledger")
  eq(read_file(scenarios .. "/" .. name .. ".payouts.csv"), e:payouts_csv(), name .. " payouts")
  eq(read_file(scenarios .. "/" .. name .. ".errors.txt"), errors, name .. " errors")
end

---------------------------------------------------------------------------
-- A small program written as Lua tables
---------------------------------------------------------------------------
local function setup_program(e)
  e:apply("program", { id = "resell", name = "Reseller Program", currency = "USD" })
  e:apply("level", { id = "gold", program = "resell", name = "Gold", rank = 2 })
  e:apply("reward", { id = "rep-10", level = "gold", name = "Rep commission", trigger = "deal_contract_started",
                      recipient = "sales_rep", kind = "percent", rate = "10%" })
  e:apply { op = "reward", id = "partner-5", level = "gold", name = "Partner commission",
            trigger = "deal_contract_started", recipient = "partner", kind = "percent", rate = "5%" }
  e:apply("partner", { id = "acme", program = "resell", level = "gold", name = "Acme Corp" })
  e:apply("user", { id = "jane", partner = "acme", name = "Jane Roe", portal_access = true })
  e:apply("user", { id = "bob", partner = "acme", name = "Bob Poe", portal_access = false })
end

local function win_deal(e, id, amount, at)
  e:apply("deal", { at = at, id = id, partner = "acme", currency = "USD", amount = amount, user = "jane" })
  e:apply("stage", { at = at, deal = id, stage = "contract_started" })
end

---------------------------------------------------------------------------
test("scenario kiflo_sales_rep", function() check_scenario("kiflo_sales_rep") end)
test("scenario tiered_clawback", function() check_scenario("tiered_clawback") end)
test("scenario two_tier_activities", function() check_scenario("two_tier_activities") end)
test("scenario lines_margin_precedence", function() check_scenario("lines_margin_precedence") end)

test("deal lines as a list of tables", function()
  local e <close> = rewards.engine()
  e:apply("program", { id = "p", name = "P", currency = "USD" })
  e:apply("level", { id = "std", program = "p", name = "Std", rank = 1 })
  e:apply("reward", { id = "pl", level = "std", name = "Per line", trigger = "deal_won", recipient = "partner",
                      kind = "percent", per = "line", rate = "10%", exclusive = "g", priority = 1,
                      when = 'line.attr.kind == "sw"' })
  e:apply("reward", { id = "mg", level = "std", name = "Margin", trigger = "deal_won", recipient = "partner",
                      kind = "percent", base = "margin", rate = "50%" })
  e:apply("partner", { id = "acme", program = "p", level = "std", name = "Acme" })
  e:apply("deal", { at = "2026-01-02", id = "d1", partner = "acme", currency = "USD",
                    lines = { { id = "a", product = "x", amount = "100.00", cost = "40.00", units = 2,
                                attrs = { kind = "sw" } },
                              { id = "b", product = "y", amount = "50.00" } } })
  e:apply("stage", { at = "2026-01-03", deal = "d1", stage = "won" })
  e:apply("amend", { at = "2026-01-04", deal = "d1",
                     lines = { { id = "b", amount = "50.00" }, { id = "a", amount = "200.00", cost = "40.00" } } })
  raises("invalid_argument", function()
    e:apply("amend", { at = "2026-01-05", deal = "d1", lines = { { id = "a", amount = "1.00" } } })
  end)
  raises("invalid_argument", function()
    e:apply("deal", { at = "2026-01-05", id = "d2", partner = "acme", currency = "USD", lines = rewards.array() })
  end)
  eq("entry,type,reward,deal,partner,recipient_type,recipient,amount,currency,status,reason,period,earned_at,payout\n" ..
     "1,earned,pl,d1,acme,partner,acme,10.00,USD,pending,,,2026-01-03T00:00:00Z,\n" ..
     "2,earned,mg,d1,acme,partner,acme,55.00,USD,pending,,,2026-01-03T00:00:00Z,\n" ..
     "3,adjustment,pl,d1,acme,partner,acme,10.00,USD,pending,,,2026-01-04T00:00:00Z,\n" ..
     "4,adjustment,mg,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-04T00:00:00Z,\n", e:ledger_csv(), "ledger")
  local lines = {}
  for entry in e:entries() do lines[#lines + 1] = tostring(entry.line) end
  eq("a,nil,a,nil", table.concat(lines, ","), "entry lines")
end)

test("hand-written kiflo scenario", function()
  -- The first lines of kiflo_sales_rep.jsonl, hand-converted.
  local e <close> = rewards.engine()
  setup_program(e)
  e:apply("deal", { id = "d-100", partner = "acme", amount = "12000.00", currency = "USD", at = "2026-01-05" })
  raises("no_portal_access", e.apply, e, "assign", { deal = "d-100", user = "bob", at = "2026-01-06" })
  e:apply("assign", { deal = "d-100", user = "jane", at = "2026-01-06" })
  e:apply("stage", { deal = "d-100", stage = "contract_started", at = "2026-02-01" })
  local ledger = e:ledger_csv()
  local expected = read_file(scenarios .. "/kiflo_sales_rep.ledger.csv")
  local rows = {}
  for row in expected:gmatch("[^\n]*\n") do rows[#rows + 1] = row end
  eq(rows[1] .. rows[2]:gsub(",paid,", ",pending,"):gsub(",2026%-02\n$", ",\n")
             .. rows[3]:gsub(",paid,", ",pending,"):gsub(",2026%-02\n$", ",\n"), ledger, "ledger")
end)

test("errors are tables with code and message", function()
  local e <close> = rewards.engine()
  setup_program(e)
  local before = e:ledger_csv()
  local err = raises("not_found", e.apply, e, "assign", { at = "2026-01-06", deal = "d-999", user = "jane" })
  eq(2, err.status, "status")
  assert(err.message:find("d-999", 1, true), err.message)
  eq("not_found: " .. err.message, tostring(err), "__tostring")
  e:apply("deal", { at = "2026-01-05", id = "d-1", partner = "acme", currency = "USD", amount = "10.00" })
  raises("no_portal_access", e.apply, e, "assign", { at = "2026-01-06", deal = "d-1", user = "bob" })
  raises("exists", e.apply, e, "partner", { id = "acme", program = "resell", level = "gold", name = "Again" })
  raises("out_of_order", e.apply, e, "stage", { at = "2025-12-31", deal = "d-1", stage = "won" })
  err = raises("invalid_argument", e.apply, e, "deal", { at = "2026-01-06", id = "d-2", partner = "acme",
                                                          currency = "USD", amount = "1.00", colour = "red" })
  assert(err.message:find("colour", 1, true), err.message)
  raises("invalid_argument", e.apply, e, "frobnicate", { at = "2026-01-06" })
  raises("invalid_argument", e.apply, e, "level", { id = "x", program = "resell", name = "X", rank = "1" })
  raises("invalid_argument", e.apply, e, "level", { id = "x", program = "resell", name = "X", rank = 1.5 })
  raises("invalid_argument", e.apply, e, "level", { id = "x", program = "resell", name = "X", rank = rewards.null })
  raises("invalid_argument", e.apply, e, "level", { id = "x", program = "resell", name = "X", rank = print })
  raises("not_found", e.apply, e, "level", { id = "x", program = "nope", name = "X", rank = "one" })
  raises("invalid_argument", e.apply, e, { id = "no op" })
  raises("invalid_argument", e.apply, e, 42)
  raises("invalid_argument", e.apply, e, "deal", { ["at.x"] = "2026-01-06" })
  raises("invalid_argument", e.apply, e, "deal", { [1] = "positional" })
  raises("invalid_argument", e.apply, e, "deal", { at = "2026-01-06", attrs = { [true] = 1 } })
  raises("invalid_argument", e.apply, e, "deal", { at = "2026-01-06", id = "a\0b" })
  raises("overflow", e.apply, e, "deal", { at = "2026-01-06", id = "d-3", partner = "acme", currency = "USD",
                                           amount = "99999999999999999999.00" })
  raises("not_found", e.balance, e, "partner", "nobody")
  raises("invalid_argument", e.balance, e, "customer", "acme")
  eq(before:sub(1, 20), e:ledger_csv():sub(1, 20), "header")
  eq(0, e:entry_count(), "failed calls change nothing")
end)

test("values: attributes, floats, lists, event ids", function()
  local e <close> = rewards.engine()
  e:apply("program", { id = "msp", name = "MSP", currency = "EUR" })
  e:apply("level", { id = "std", program = "msp", name = "Standard", rank = 1,
                     requires = { deals = 2, window = "fiscal_year" } })
  e:apply("reward", { id = "tiers", level = "std", name = "Tiers", trigger = "deal_won", recipient = "partner",
                      kind = "tiered", period = "quarter",
                      tiers = { { from = "0", rate = "5%" }, { from = "10000.00", rate = "8%" } },
                      when = "deal.attr.seats >= 12.5 && deal.attr.renewal" })
  e:apply("fx", { at = "2026-01-01", from = "USD", to = "EUR", rate = "0.9" })
  e:apply("partner", { id = "nord", program = "msp", level = "std", name = "Nordic", attrs = {} })
  e:apply("deal", { at = "2026-01-02", id = "n1", partner = "nord", currency = "USD", amount = "1000.00",
                    attrs = { seats = 12.5, renewal = true, size = 3 } })
  e:apply("deal", { at = "2026-01-02", id = "n2", partner = "nord", currency = "USD", amount = "1000.00",
                    attrs = { seats = 12.25, renewal = true } })
  e:apply("stage", { at = "2026-01-03", deal = "n1", stage = "won", event = "crm-1" })
  e:apply("stage", { at = "2026-01-03", deal = "n1", stage = "won", event = "crm-1" }) -- replay: no-op
  raises("conflict", e.apply, e, "stage", { at = "2026-01-03", deal = "n1", stage = "lost", event = "crm-1" })
  e:apply("stage", { at = "2026-01-03", deal = "n2", stage = "won" })
  eq(1, e:entry_count(), "only n1 meets the condition (12.25 < 12.5)")
  local entry = e:entries()()
  eq("tiers", entry.reward, "reward")
  eq(4500, entry.amount, "amount")
  eq("45.00", entry.amount_text, "amount_text")
  eq("EUR", entry.currency, "currency")
  eq("FY2026-Q1", entry.period, "period")
  eq("2026-01-03T00:00:00Z", entry.earned_at_text, "earned_at_text")
  eq(rewards.parse_time("2026-01-03"), entry.earned_at, "earned_at")
  -- an empty list must be marked: a plain {} is an empty object
  raises("invalid_argument", e.apply, e, "reward", { id = "t2", level = "std", name = "T2", trigger = "deal_won",
    recipient = "partner", kind = "tiered", period = "quarter", tiers = rewards.array() })
end)

test("queries, balances and payout preview", function()
  local e <close> = rewards.engine()
  setup_program(e)
  win_deal(e, "d-100", "12000.00", "2026-02-01")
  win_deal(e, "d-101", "3333.33", "2026-02-10")
  e:apply("approve", { at = "2026-03-01", ["until"] = "2026-02-28" })
  local preview = e:preview_payout("2026-02", "2026-02-28")
  eq(preview, e:preview_payout("2026-02", rewards.parse_time("2026-02-28")), "until as seconds")
  assert(preview:find("2026-02,sales_rep,jane,Jane Roe,acme,Acme Corp,USD,1533.33,2\n", 1, true), preview)
  local b = e:balance("sales_rep", "jane")
  eq(153333, b.approved, "approved")
  eq(0, b.paid, "paid")
  e:apply("payout", { at = "2026-03-02", id = "2026-02", until_ = "2026-02-28" })
  eq(preview:match("\n(.*)$"), e:payouts_csv():match("\n(.*)$"), "payouts = preview")
  eq(76667, e:balance("partner", "acme").paid, "partner paid")
  local numbers = {}
  for entry in e:entries() do numbers[#numbers + 1] = entry.number .. ":" .. entry.payout end
  eq("1:2026-02,2:2026-02,3:2026-02,4:2026-02", table.concat(numbers, ","), "entries")
  local d = e:deal("d-100")
  eq("contract_started", d.stage, "stage")
  eq("jane", d.user, "user")
  eq(1200000, d.amount, "amount")
  eq(nil, e:deal("nope"), "missing deal")
  eq("gold", e:partner("acme").level, "level")
  eq(false, e:user("bob").portal_access, "portal access")
  local p = e:payout("2026-02")
  eq(2, #p.lines, "lines")
  eq("153333 1533.33 2", p.lines[2].amount .. " " .. p.lines[2].amount_text .. " " .. p.lines[2].entries, "line")
end)

test("helpers", function()
  local text, number = rewards.version()
  assert(text:match("^%d+%.%d+%.%d+$"), text)
  eq(1, number // 10000, "major")
  eq(1769817600, rewards.parse_time("2026-01-31"), "parse_time")
  eq("2026-01-31T09:30:00Z", rewards.format_time(rewards.parse_time("2026-01-31T09:30:00Z")), "format_time")
  eq(120050, rewards.parse_amount("1200.50", "USD"), "parse_amount")
  eq("-35.50", rewards.format_amount(-3550, "USD"), "format_amount")
  eq(-3550, rewards.parse_amount("-35.50", "USD"), "parse_amount negative")
  raises("invalid_argument", rewards.parse_amount, "1.001", "USD")
  raises("invalid_argument", rewards.parse_time, "2026-02-30")
  eq(true, rewards.check_condition('deal.amount >= 1000 && deal.attr.region == "EMEA"'), "condition")
  local err = raises("parse_error", rewards.check_condition, "deal.amount >= ")
  eq(1, err.line, "line")
  assert(err.column > 1, "column")
end)

test("close, __close and __gc", function()
  local e = rewards.engine()
  e:close()
  e:close()
  eq(true, e:closed(), "closed")
  raises("misuse", e.apply, e, "program", { id = "p", name = "P", currency = "USD" })
  raises("misuse", e.ledger_csv, e)
  assert(tostring(e):find("closed"))
  local saved
  do
    local scoped <close> = rewards.engine()
    saved = scoped
    eq(false, scoped:closed(), "open in scope")
  end
  eq(true, saved:closed(), "closed by __close")
  for _ = 1, 50 do
    local g = rewards.engine()
    setup_program(g)
  end
  collectgarbage()
  collectgarbage()
end)

---------------------------------------------------------------------------
-- Storage callbacks
---------------------------------------------------------------------------
local function new_storage()
  local s = { saved = {}, calls = {}, puts = 0 }
  function s:begin()
    self.calls[#self.calls + 1] = "begin"
    if self.fail_in == "begin" then self.fail_in = nil; error("begin failed") end
    self.txn = {}
  end
  function s:put(kind, key, data)
    self.calls[#self.calls + 1] = "put"
    assert(type(kind) == "string" and type(key) == "string" and type(data) == "string")
    self.puts = self.puts + 1
    if self.fail_put_at == self.puts then
      self.fail_put_at = nil
      error(self.failure or ("disk full at put " .. self.puts), 0)
    end
    self.txn[kind .. "/" .. key] = { kind = kind, key = key, data = data }
  end
  function s:commit()
    self.calls[#self.calls + 1] = "commit"
    if self.fail_in == "commit" then self.fail_in = nil; error("commit failed") end
    for k, v in pairs(self.txn) do self.saved[k] = v end
    self.txn = nil
  end
  function s:rollback()
    self.calls[#self.calls + 1] = "rollback"
    self.txn = nil
  end
  return s
end

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

test("storage: an error in put is re-raised, nothing changes, a retry succeeds", function()
  local s = new_storage()
  local e <close> = rewards.engine { storage = s }
  setup_program(e)
  e:apply("deal", { at = "2026-02-01", id = "d-100", partner = "acme", currency = "USD", amount = "12000.00",
                    user = "jane" })
  local before, saved_before = e:ledger_csv(), count_keys(s.saved)
  s.calls, s.puts, s.fail_put_at = {}, 0, 3
  s.failure = { reason = "disk full" } -- any Lua value: the very same one is re-raised
  local ok, err = pcall(e.apply, e, "stage", { at = "2026-02-02", deal = "d-100", stage = "contract_started" })
  eq(false, ok, "failed")
  assert(rawequal(err, s.failure), "the original error value is re-raised: " .. tostring(err))
  eq("begin,put,put,put,rollback", table.concat(s.calls, ","), "calls")
  eq(before, e:ledger_csv(), "ledger unchanged")
  eq(saved_before, count_keys(s.saved), "storage unchanged")
  eq("registered", e:deal("d-100").stage, "stage unchanged")
  e:apply("stage", { at = "2026-02-02", deal = "d-100", stage = "contract_started" })
  eq(2, e:entry_count(), "retry applied")
  local plain <close> = rewards.engine()
  setup_program(plain)
  plain:apply("deal", { at = "2026-02-01", id = "d-100", partner = "acme", currency = "USD",
                        amount = "12000.00", user = "jane" })
  plain:apply("stage", { at = "2026-02-02", deal = "d-100", stage = "contract_started" })
  eq(plain:ledger_csv(), e:ledger_csv(), "same as without storage")
end)

test("storage: errors in begin and commit; string errors keep their position", function()
  local s = new_storage()
  local e <close> = rewards.engine { storage = s }
  setup_program(e)
  s.fail_in = "begin"
  local ok, err = pcall(e.apply, e, "deal", { at = "2026-02-01", id = "d-1", partner = "acme", currency = "USD",
                                              amount = "1.00" })
  assert(not ok and type(err) == "string" and err:find("begin failed", 1, true), tostring(err))
  eq(nil, e:deal("d-1"), "nothing changed")
  s.fail_in = "commit"
  ok, err = pcall(e.apply, e, "deal", { at = "2026-02-01", id = "d-1", partner = "acme", currency = "USD",
                                        amount = "1.00" })
  assert(not ok and err:find("commit failed", 1, true), tostring(err))
  eq("rollback", s.calls[#s.calls], "rolled back")
  eq(nil, e:deal("d-1"), "nothing changed")
  e:apply("deal", { at = "2026-02-01", id = "d-1", partner = "acme", currency = "USD", amount = "1.00" })
  eq("registered", e:deal("d-1").stage, "then it works")
end)

test("storage: re-entering the engine from a callback is misuse", function()
  local e
  local s = { put = function() e:apply("program", { id = "other", name = "O", currency = "USD" }) end,
              rollback = function() e:close() end }
  e = rewards.engine { storage = s }
  raises("misuse", e.apply, e, "program", { id = "p", name = "P", currency = "USD" })
  eq(false, e:closed(), "close() from a callback was refused")
  eq(0, #e:ledger_csv():gsub("[^\n]", "") - 1, "no entries")
  e:close()
end)

test("events", function()
  local events = {}
  local e <close> = rewards.engine { on_event = function(ev) events[#events + 1] = ev end }
  setup_program(e)
  eq(0, #events, "definitions raise no events")
  win_deal(e, "d-100", "12000.00", "2026-02-01")
  eq(2, #events, "two entries")
  eq("entry_earned", events[1].type, "type")
  eq("rep-10", events[1].reward, "reward")
  eq("jane", events[1].user, "user")
  eq("d-100", events[1].deal, "deal")
  eq(120000, events[1].entry.amount, "amount")
  eq("pending", events[1].entry.status, "status")
  eq("partner-5", events[2].reward, "second")
  events = {}
  e:apply("deal", { at = "2026-02-02", id = "d-101", partner = "acme", currency = "USD", amount = "100.00" })
  e:apply("stage", { at = "2026-02-02", deal = "d-101", stage = "contract_started" })
  eq("entry_held", events[1].type, "held")
  eq("no_assigned_rep", events[1].entry.reason, "reason")
  e:apply("approve", { at = "2026-03-01", until_ = "2026-02-28" })
  e:apply("payout", { at = "2026-03-02", id = "2026-02", until_ = "2026-02-28" })
  eq("payout_created", events[#events].type, "payout event")
  eq("2026-02", events[#events].payout, "payout id")
  events = {}
  raises("not_found", e.apply, e, "stage", { at = "2026-03-03", deal = "nope", stage = "won" })
  eq(0, #events, "no events on failure")
end)

test("events: an error in on_event is raised after the commit", function()
  local seen = 0
  local e <close> = rewards.engine { on_event = function(ev)
    seen = seen + 1
    assert(ev.type == "entry_earned")
    error({ webhook = "down" })
  end }
  setup_program(e)
  local ok, err = pcall(win_deal, e, "d-100", "12000.00", "2026-02-01")
  assert(not ok and type(err) == "table" and err.webhook == "down", tostring(err))
  eq(2, seen, "every event delivered")
  eq(2, e:entry_count(), "the operation committed")
end)

test("restore round trip", function()
  local ops = scenario_ops("tiered_clawback")
  local s = new_storage()
  local original <close> = rewards.engine { storage = s }
  run_ops(original, ops, 1, 12)
  local restored <close> = rewards.restore(s.saved)
  eq(original:ledger_csv(), restored:ledger_csv(), "ledger")
  eq(original:payouts_csv(), restored:payouts_csv(), "payouts")
  eq(run_ops(original, ops, 13), run_ops(restored, ops, 13), "errors")
  eq(original:ledger_csv(), restored:ledger_csv(), "ledger after")
  eq(original:payouts_csv(), restored:payouts_csv(), "payouts after")
  eq(read_file(scenarios .. "/tiered_clawback.ledger.csv"), restored:ledger_csv(), "expected ledger")
  local err = raises("invalid_argument", rewards.restore, { { kind = "deal", data = "not a record" } })
  assert(err.message ~= "")
  raises("invalid_argument", rewards.restore, { { kind = "no such kind", data = "x" } })
  local partial = {}
  for k, v in pairs(s.saved) do if v.kind ~= "partner" then partial[k] = v end end
  raises("invalid_argument", rewards.restore, partial)
end)

test("listing (C API 1.1) and decimal-string amounts", function()
  local e <close> = rewards.engine()
  setup_program(e)
  e:apply("program", { id = "eu", name = "EU Program", currency = "EUR" })
  e:apply("level", { id = "eu-std", program = "eu", name = "Standard", rank = 1 })
  e:apply("partner", { id = "euro", program = "eu", level = "eu-std", name = "Euro GmbH" })
  e:apply("reward", { id = "tiers", program = "eu", name = "Tiers", trigger = "deal_won", recipient = "partner",
                      kind = "tiered", period = "quarter",
                      tiers = { { from = "0", rate = "5%" }, { from = "1000", rate = "7.5%" } } })
  win_deal(e, "d-100", "12000.00", "2026-02-01")
  win_deal(e, "d-101", "3333.33", "2026-02-10")
  e:apply("deal", { at = "2026-02-11", id = "d-eu", partner = "euro", currency = "EUR", amount = "99.5", units = 4 })
  local function ids(iter, field)
    local out = {}
    for item in iter do out[#out + 1] = item[field or "id"] end
    return table.concat(out, ",")
  end
  eq("resell,eu", ids(e:programs()), "programs")
  eq("Reseller Program,EU Program", ids(e:programs(), "name"), "program names")
  eq("resell,eu", ids(e:levels(), "program"), "levels' programs")
  eq("rep-10,partner-5,tiers", ids(e:rewards()), "rewards")
  eq("acme,euro", ids(e:partners()), "partners")
  eq("resell,eu", ids(e:partners(), "program"), "partners' programs")
  eq("jane,bob", ids(e:users()), "users")
  eq("d-100,d-101,d-eu", ids(e:deals()), "deals")
  eq("d-100,d-101", ids(e:deals("acme")), "a partner's deals")
  raises("not_found", e.deals, e, "nobody")
  local d = e:deal("d-eu")
  eq("EUR 4 9950 99.50 2026-02-11T00:00:00Z", table.concat({ d.currency, d.units, d.amount, d.amount_text,
                                                             d.registered_at_text }, " "), "deal")
  -- an item appended while iterating is seen once, at the end
  local it = e:deals()
  eq("d-100", it().id, "first")
  e:apply("deal", { at = "2026-02-12", id = "d-late", partner = "acme", currency = "USD", amount = "1.00" })
  eq("d-101,d-eu,d-late", ids(it), "rest")

  local r = e:reward("tiers")
  eq("tiered deal_won partner eu", table.concat({ r.kind, r.trigger, r.recipient, r.program }, " "), "reward")
  eq(nil, r.level, "program-wide")
  eq("quarter graduated 0.00 5% 1000.00 7.5%", table.concat({ r.params.period, r.params.mode,
      r.params["tiers.0.from"], r.params["tiers.0.rate"], r.params["tiers.1.from"], r.params["tiers.1.rate"] }, " "),
     "params")
  eq(nil, r.params.rate, "no rate")
  eq(nil, r.params.tiers, "a list's count is not a parameter")
  eq("10%", e:reward_param("rep-10", "rate"), "reward_param")
  eq(nil, e:reward_param("rep-10", "amount"), "absent param")
  raises("not_found", e.reward_param, e, "nobody", "rate")
  local long = {}
  for i = 1, 60 do long[#long + 1] = "deal.amount > " .. i end
  long = table.concat(long, " || ")
  e:apply("reward", { id = "w", program = "resell", name = "W", trigger = "deal_won", recipient = "partner",
                      kind = "fixed", amount = "1", when = long })
  eq(long, e:reward_param("w", "when"), "a long parameter")
  e:apply("reward", { id = "m", level = "gold", name = "M", trigger = "deal_won", recipient = "partner",
                      kind = "percent", rate = "10%", per = "line", base = "margin", exclusive = "g", priority = 2 })
  e:apply("deal", { at = "2026-02-12", id = "d-lines", partner = "acme", currency = "USD",
                    lines = { { id = "x", product = "Widget", amount = "100.00", cost = "60.00", units = 4 },
                              { id = "y", product = "Service", amount = "50.00" } } })
  local dl = e:deal("d-lines")
  eq(2, #dl.lines, "deal lines")
  eq("x Widget 10000 100.00 6000 60.00 4", table.concat({ dl.lines[1].id, dl.lines[1].product, dl.lines[1].amount,
     dl.lines[1].amount_text, dl.lines[1].cost, dl.lines[1].cost_text, dl.lines[1].units }, " "), "line 1")
  eq("y 0 0", table.concat({ dl.lines[2].id, dl.lines[2].cost, dl.lines[2].units }, " "), "line 2")
  eq(0, #e:deal("d-100").lines, "a deal without lines")
  local m = e:reward("m").params
  eq("line margin g 2", table.concat({ m.per, m.base, m.exclusive, m.priority }, " "), "section 13 params")
  eq("Gold", e:level("gold").name, "level lookup")
  eq("USD", e:program("resell").currency, "program lookup")

  e:apply("approve", { at = "2026-03-01", ["until"] = "2026-02-28" })
  local b = e:balance("sales_rep", "jane")
  eq("1533.33 0.00 USD", b.approved_text .. " " .. b.paid_text .. " " .. b.currency, "balance text")
  e:apply("payout", { at = "2026-03-02", id = "2026-02", until_ = "2026-02-28" })
  local runs = {}
  for run in e:payouts() do runs[#runs + 1] = run end
  eq(1, #runs, "runs")
  local run = runs[1]
  eq("2026-03-02T00:00:00Z 2026-02-28T00:00:00Z", run.at_text .. " " .. run.until_text, "run times")
  eq(230000, run.totals.USD, "total")
  eq("2300.00", run.totals_text.USD, "total text")
  eq("acme acme", run.lines[1].partner .. " " .. run.lines[2].partner, "lines' partner")
  eq(nil, run.lines[1].user, "a partner line has no user")
  eq("jane 2026-02", run.lines[2].user .. " " .. run.lines[2].payout, "a rep line's user and run")
  e:close()
  raises("misuse", function() for _ in it do end end)
end)

test("two-tier: override, activity and adjust events, the note", function()
  local events = {}
  local e <close> = rewards.engine { on_event = function(ev) events[#events + 1] = ev end }
  e:apply("program", { id = "tt", name = "Two tier", currency = "EUR" })
  e:apply("level", { id = "res", program = "tt", name = "Reseller", rank = 1 })
  e:apply("level", { id = "dist", program = "tt", name = "Distributor", rank = 2 })
  e:apply("reward", { id = "resale", level = "res", name = "Resale", trigger = "deal_won", recipient = "partner",
                      kind = "percent", rate = "10%" })
  e:apply("reward", { id = "ovr", level = "dist", name = "Override", recipient = "partner", kind = "override",
                      rate = "2%", of = { "resale" } })
  e:apply("reward", { id = "cert", program = "tt", name = "Cert", trigger = "activity:certification",
                      recipient = "partner", kind = "fixed", amount = "50.00" })
  e:apply("partner", { id = "alp", program = "tt", level = "dist", name = "Alpine" })
  e:apply("partner", { id = "ber", program = "tt", level = "res", name = "Bergen", parent = "alp" })
  e:apply("deal", { at = "2026-01-05", id = "b1", partner = "ber", currency = "EUR", amount = "1000.00" })
  e:apply("stage", { at = "2026-01-06", deal = "b1", stage = "won" })
  eq("entry_earned", events[1].type, "child entry")
  eq("override_recorded", events[2].type, "mirror")
  eq("alp", events[2].partner, "mirror partner")
  eq(200, events[2].entry.amount, "2% of 100.00")
  events = {}
  e:apply("activity", { at = "2026-01-07", id = "c1", partner = "ber", type = "certification" })
  eq("cert", events[1].reward, "activity reward")
  eq("c1", events[1].deal, "activity in the deal column")
  eq(1, #events, "cert is a partner reward, but 'of' lists resale only: no mirror")
  events = {}
  e:apply("adjust", { at = "2026-01-08", id = "adj", partner = "ber", amount = "12.00", note = "Booth" })
  eq("manual_recorded", events[1].type, "adjust event")
  eq("Booth", events[1].entry.note, "note")
  eq("manual", events[1].entry.type, "manual")
  raises("not_found", e.apply, e, "amend", { at = "2026-01-09", deal = "c1", amount = "1.00" })
  -- listing: the parent, the override's params, the activity trigger
  eq("alp", e:partner("ber").parent, "parent")
  eq(nil, e:partner("alp").parent, "no parent")
  local o = e:reward("ovr")
  eq("override 2% resale", table.concat({ o.kind, o.params.rate, o.params["of.0"] }, " "), "override params")
  eq("", o.trigger, "an override has no trigger")
  eq(nil, o.params.of, "a list's count is not a parameter")
  eq("activity activity:certification", e:reward("cert").trigger .. " " .. e:reward("cert").params.trigger,
     "activity trigger")
end)

test("batches: <close> rolls back unless committed", function()
  local saved, calls, events = {}, {}, {}
  local s = {
    begin = function() calls[#calls + 1] = "begin" end,
    put = function(_, kind, key, data) calls[#calls + 1] = "put"; saved[kind .. ":" .. key] = data end,
    commit = function() calls[#calls + 1] = "commit" end,
    rollback = function() calls[#calls + 1] = "rollback" end,
  }
  local e <close> = rewards.engine { storage = s, on_event = function(ev) events[#events + 1] = ev.type end }
  setup_program(e)
  calls, events = {}, {}
  local before = e:ledger_csv()
  do
    local b <close> = e:batch()
    eq(true, e:in_batch(), "in batch")
    for i = 1, 100 do win_deal(e, "x" .. i, "100.00", "2026-02-01") end
    raises("not_found", e.apply, e, "stage", { at = "2026-02-01", deal = "nope", stage = "won" })
    eq(0, #calls, "storage hears nothing inside")
    eq(0, #events, "no event inside")
  end -- not committed: rolled back
  eq(false, e:in_batch(), "closed")
  eq(before, e:ledger_csv(), "rolled back")
  eq(0, #calls, "storage heard nothing")
  -- an error unwinding the scope rolls back too
  local ok = pcall(function()
    local b <close> = e:batch()
    win_deal(e, "y", "100.00", "2026-02-01")
    error("abandon")
  end)
  eq(false, ok, "error propagated")
  eq(before, e:ledger_csv(), "rolled back on error")
  do
    local b <close> = e:batch()
    win_deal(e, "d1", "1000.00", "2026-02-01")
    win_deal(e, "d2", "2000.00", "2026-02-02")
    b:commit()
    raises("misuse", b.commit, b)
  end
  eq("begin", calls[1], "one begin")
  eq("commit", calls[#calls], "one commit")
  local begins = 0
  for _, c in ipairs(calls) do if c == "begin" then begins = begins + 1 end end
  eq(1, begins, "a single transaction")
  eq(4, #events, "events after the commit")
  -- plain calls and misuse
  e:begin()
  raises("misuse", e.begin, e)
  e:rollback()
  raises("misuse", e.commit, e)
  raises("misuse", e.rollback, e)
  local records = {}
  for k, data in pairs(saved) do records[#records + 1] = { kind = k:match("^[^:]+"), data = data } end
  local r <close> = rewards.restore(records)
  eq(e:ledger_csv(), r:ledger_csv(), "restored after a committed batch")
end)

test("iterators after a rollback, and ids with a NUL byte", function()
  local e <close> = rewards.engine()
  e:apply("program", { id = "p", name = "P", currency = "USD" })
  e:apply("level", { id = "l", program = "p", name = "L", rank = 1 })
  e:begin()
  e:apply("partner", { id = "acme", program = "p", level = "l", name = "Acme" })
  e:apply("deal", { at = "2026-01-05", id = "d-1", partner = "acme", currency = "USD", amount = "10.00" })
  local it = e:deals("acme")
  e:rollback()
  -- the partner is found again at each step: gone, not freed memory read
  raises("not_found", it)
  e:apply("partner", { id = "bee", program = "p", level = "l", name = "Bee" })
  -- "bee\0x" is not "bee": a C string would end at the NUL
  raises("invalid_argument", e.partner, e, "bee\0x")
  raises("invalid_argument", e.balance, e, "partner", "bee\0x")
  raises("invalid_argument", rewards.parse_time, "2026-01-01\0junk")
  eq("bee", e:partner("bee").id, "lookup")
  local n = 0
  for _ in e:deals("bee") do n = n + 1 end
  eq(0, n, "no deals")
end)

test("traces as tables, statements and holds (docs/traces.md)", function()
  local causes = "../traces/causes"
  local e <close> = rewards.engine()
  eq("", run_ops(e, scenario_ops(causes)), "causes.jsonl applies")
  local t = e:trace(19)
  eq(1, t.version, "version")
  eq("-20.00", t.amount, "amounts are decimal strings")
  eq("amend", t.cause.kind, "cause")
  eq("d1", t.cause.deal, "cause deal")
  eq(true, t.cause.other_deal, "another deal moved the group")
  eq("1000.00", t.cause.from, "from")
  eq("1200.00", t.cause.to, "to")
  eq(2, #t.tiers.brackets, "brackets are a list")
  eq(100000, t.tiers.brackets[2].rate_ppm, "integers are integers")
  eq("1500.00", t.tiers.brackets[2].slice, "slice")
  eq("137.04", t.caps[1].cut, "the period cap's cut")
  eq(nil, t.reward.condition, "absent values are nil")
  eq(false, t.voided, "booleans")
  local h = e:trace(11).hold
  eq("no_portal_access", h.reason, "hold reason")
  eq("user_access", h.released_by, "released by")
  eq("kim", h.released_to, "released to")
  eq("1.0850000000", e:trace(6).fx.rate, "FX rate")
  -- the JSON and every trace, as rewards-cli writes them
  local want = read_file(scenarios .. "/" .. causes .. ".traces.jsonl")
  eq(want, e:traces_jsonl(), "traces_jsonl")
  eq(want:match("^[^\n]*\n([^\n]*)"), e:trace_json(2), "trace_json")
  raises("not_found", e.trace, e, 27)
  raises("not_found", e.trace, e, 0)
  -- statements and holds
  eq(read_file(scenarios .. "/" .. causes .. ".statements.csv"), e:statements_csv(), "statements")
  eq(read_file(scenarios .. "/" .. causes .. ".statements-feb.csv"),
     e:statements_csv(nil, nil, "2026-02-01", "2026-03-01"), "statements of February")
  local rows = e:statements("sales_rep", "kim", "2026-01-01", "2026-02-01")
  eq(9, #rows, "kim's January rows")
  eq("11", rows[2].entry, "kim's entry")
  eq("closing", rows[9].row, "closing row")
  eq("15.00", rows[9].amount, "closing")
  raises("not_found", e.statements, e, "partner", "nobody")
  raises("invalid_argument", e.statements, e, "user", "jo")
  raises("invalid_argument", e.statements, e, nil, nil, "2026-02-01", "2026-01-01")
  raises("invalid_argument", e.statements, e, nil, nil, "yesterday")
  eq(read_file(scenarios .. "/" .. causes .. ".holds.csv"), e:holds_csv(), "holds")
  local holds = e:holds()
  eq(1, #holds, "one held entry")
  eq("no_assigned_rep", holds[1].reason, "its reason")
  eq("5.00", holds[1].amount, "its amount")
  -- traces off: the same ledger, no history
  local off <close> = rewards.engine({ traces = false })
  run_ops(off, scenario_ops(causes))
  eq(e:ledger_csv(), off:ledger_csv(), "traces off changes no amount")
  eq("unknown", off:trace(1).history, "no history without traces")
  raises("invalid_argument", rewards.engine, { traces = "no" })
end)

print(string.format("%d tests, %d failed", count, failures))
os.exit(failures == 0, true)
