/*
 * precedence.c - exclusive reward groups (SPEC section 13, "Precedence").
 *
 * Of the rewards of one exclusive group that would fire for one trigger of
 * one deal (or one line, or anything else that fires rewards) only the one
 * with the highest priority fires; ties go to the reward created first.
 * The choice is made on the candidates that already passed level, active
 * window and condition, and before eligibility (rep policy), so a winner
 * that later skips its rep does not let the runner-up fire.  It is kept
 * apart from the deal firing path so that every kind of trigger (deal
 * stages, lines, activities) makes the same choice with the same code.
 */
#include "ops.h"

#include <string.h>

void rw_exclusive_choose(rw_reward *const *cand, size_t n, unsigned char *fire)
{
    for (size_t i = 0; i < n; i++) {
        const rw_reward *r = cand[i];
        fire[i] = 1;
        if (!r->exclusive)
            continue;
        /* candidates are in creation order: an earlier one wins a tie */
        for (size_t j = 0; j < n && fire[i]; j++) {
            const rw_reward *o = cand[j];
            if (j == i || !o->exclusive || o->program != r->program || strcmp(o->exclusive, r->exclusive))
                continue;
            if (o->priority > r->priority || (o->priority == r->priority && j < i))
                fire[i] = 0;
        }
    }
}

const rw_reward *rw_exclusive_first(const rw_program *p, const char *group)
{
    for (size_t i = 0; i < p->rewards.len; i++) {
        const rw_reward *r = RW_VEC_AT(p->rewards, rw_reward *, i);
        if (r->exclusive && !strcmp(r->exclusive, group))
            return r;
    }
    return NULL;
}
