/*
 * The layout of every released version of a public struct, pinned: a change
 * here breaks hosts built against an older header, so these checks fail the
 * build first (the pattern of wayland's ABI checks).  Version 1 of each
 * struct, on LP64 targets.
 */
#include <rewards.h>
#include <stddef.h>

#if defined(__LP64__)
#define PIN(type, member, off) _Static_assert(offsetof(type, member) == (off), #type "." #member " moved")
PIN(rewards_allocator, version, 0);
PIN(rewards_allocator, malloc, 8);
PIN(rewards_allocator, realloc, 16);
PIN(rewards_allocator, free, 24);
PIN(rewards_allocator, user, 32);
PIN(rewards_storage, version, 0);
PIN(rewards_storage, begin, 8);
PIN(rewards_storage, put, 16);
PIN(rewards_storage, del, 24);
PIN(rewards_storage, commit, 32);
PIN(rewards_storage, rollback, 40);
PIN(rewards_storage, user, 48);
PIN(rewards_events, version, 0);
PIN(rewards_events, on_event, 8);
PIN(rewards_events, user, 16);
PIN(rewards_options, version, 0);
PIN(rewards_options, allocator, 8);
PIN(rewards_options, storage, 16);
PIN(rewards_options, events, 24);
/* rewards_options version 2 (1.1): 'traces' appended; a version 1 struct ends at 32 bytes */
PIN(rewards_options, traces, 32);
_Static_assert(REWARDS_TRACES_ON == 0 && REWARDS_TRACES_OFF == 1, "trace option values are stable");
_Static_assert(REWARDS_TRACE_STRING == 0 && REWARDS_TRACE_NULL == 4, "trace value types are stable");
PIN(rewards_balance, version, 0);
PIN(rewards_balance, pending, 8);
PIN(rewards_balance, approved, 16);
PIN(rewards_balance, held, 24);
PIN(rewards_balance, paid, 32);
PIN(rewards_balance, points, 40);
_Static_assert(REWARDS_OK == 0 && REWARDS_MISUSE == 14, "status values are stable");
_Static_assert(REWARDS_RECORD_EVENT_ID == 14, "record kinds are stable");
_Static_assert(REWARDS_EVENT_POINTS_REDEEMED == 9, "event types are stable");
#endif

int main(void)
{
    return 0;
}
