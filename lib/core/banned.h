/*
 * Functions our own code must not use: they have no bound on what they
 * write.  Included in every library and CLI source by the build, so a use
 * is a compile error.  (We measure other people's code for these; ours
 * does not get to use them.)
 */
#ifndef FWVET_CORE_BANNED_H
#define FWVET_CORE_BANNED_H

#define FWVET_BANNED(func) sorry_##func##_is_banned_in_fwvet

#undef strcpy
#define strcpy(x, y) FWVET_BANNED(strcpy)
#undef strcat
#define strcat(x, y) FWVET_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) FWVET_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) FWVET_BANNED(strncat)
#undef sprintf
#define sprintf(...) FWVET_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) FWVET_BANNED(vsprintf)
#undef gets
#define gets(x) FWVET_BANNED(gets)

#endif
