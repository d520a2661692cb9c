/*
 * guard.c - the engine is not re-entrant, and says so.
 *
 * Every public function that takes an engine and may call the host back
 * (storage, events, an export's write callback, or simply the host's
 * allocator) marks the engine busy for the whole call.  A callback that
 * calls any of those functions again on the same engine would otherwise
 * run a transaction inside a transaction, or free rows an export is still
 * walking; instead it gets REWARDS_MISUSE and a message, and the outer call
 * goes on unharmed (CONVENTIONS.md: "callback re-entering the engine
 * returns REWARDS_MISUSE, never crashes").  The same flag catches two
 * threads using one engine at once, most of the time: that is misuse too,
 * and the message names both causes.
 */
#include "engine.h"

rewards_status rw_enter(rw_engine *e, const char *fn)
{
    if (e->in_callback)
        return rw_fail(e, REWARDS_MISUSE,
                       "%s: the engine is already inside a call (re-entered from one of its callbacks: storage, "
                       "events, an export's write callback or the allocator; or used by two threads at once)",
                       fn);
    e->in_callback = 1;
    return REWARDS_OK;
}

rewards_status rw_leave(rw_engine *e, rewards_status st)
{
    RW_LEAVE(e);
    if (st == REWARDS_OK)
        e->errmsg[0] = '\0';
    return st;
}
