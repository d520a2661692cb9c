-- The Lua 5.4 module "rewards" as a LuaRocks rock, built offline from this
-- repository with one command, run from the repository's root (the source
-- paths below are relative to it; see bindings/README.md):
--
--   luarocks --lua-version=5.4 make bindings/lua/rewards-1.1.0-1.rockspec
--                                            (add --local for ~/.luarocks)
--
-- The module is self-contained: the library's C sources are compiled into
-- rewards.so, so no installed librewards.so.1 is needed.  Keep the source
-- list in step with lib/meson.build and bindings/lua/meson.build (the Lua
-- consumer test, tests/consumers/check_lua.sh, checks it).
rockspec_format = "3.0"
package = "rewards"
version = "1.1.0-1"
source = { url = "git+file://." }
description = {
  summary = "Partner-program rewards (levels, commissions, tiers, payouts) for Lua 5.4",
  detailed = "The Lua binding of librewards, an embeddable C11 rewards engine with exact integer money.",
  license = "MIT",
}
dependencies = { "lua >= 5.4, < 5.5" }
build = {
  type = "builtin",
  modules = {
    rewards = {
      sources = {
        "lib/rw_alloc.c",
        "lib/buf.c",
        "lib/money.c",
        "lib/fiscal.c",
        "lib/expr_compile.c",
        "lib/expr_eval.c",
        "lib/journal.c",
        "lib/index.c",
        "lib/engine.c",
        "lib/op.c",
        "lib/fields.c",
        "lib/link.c",
        "lib/record.c",
        "lib/ops_define.c",
        "lib/ops_reward.c",
        "lib/ops_deal.c",
        "lib/evaluate.c",
        "lib/ledger.c",
        "lib/levels.c",
        "lib/payout.c",
        "lib/csv.c",
        "lib/api.c",
        "lib/activity.c",
        "lib/adjust.c",
        "lib/override.c",
        "lib/guard.c",
        "lib/integrity.c",
        "lib/record_check.c",
        "lib/lines.c",
        "lib/precedence.c",
        "lib/listing.c",
        "lib/batch.c",
        "lib/record_encode.c",
        "lib/record_decode.c",
        "lib/restore.c",
        "lib/group.c",
        "lib/entry_queue.c",
        "lib/balance.c",
        "lib/slab.c",
        "lib/recs.c",
        "lib/trace.c",
        "lib/trace_record.c",
        "lib/trace_pack.c",
        "lib/trace_model.c",
        "lib/trace_api.c",
        "lib/statement.c",
        "bindings/lua/rewards_lua.c",
        "bindings/lua/lua_queries.c",
        "bindings/lua/lua_traces.c",
        "bindings/lua/lua_helpers.c",
        "bindings/lua/lua_op.c",
        "bindings/lua/lua_callbacks.c",
        "bindings/lua/lua_objects.c",
        "bindings/lua/lua_listing.c",
        "bindings/lua/lua_batch.c",
      },
      defines = { "_POSIX_C_SOURCE=200809L" },
      incdirs = { "include" },  -- lib's headers are found beside its sources (and lib/field_limits.h no longer shadows <limits.h>)
    },
  },
}
