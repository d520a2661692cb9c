/* The public header compiles on its own, in C99 with -pedantic (see meson.build). */
#include <rewards.h>

int main(void)
{
    rewards_options o = REWARDS_OPTIONS_INIT;
    return (int)o.version - REWARDS_OPTIONS_VERSION;
}
