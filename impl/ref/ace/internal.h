/* ace/internal.h — what the ACE sources share and do not export. */
#ifndef OSCAR_ACE_INTERNAL_H
#define OSCAR_ACE_INTERNAL_H

#include <stddef.h>

/* oscar_ace_say formats why (cap bytes; NULL or 0: nothing) for the caller's diagnostics. */
void oscar_ace_say(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
