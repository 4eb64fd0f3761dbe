/* fuzz.h: what the harnesses share. */
#ifndef HUTCH_FUZZ_H
#define HUTCH_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the parsers' help and usage text goes: nowhere. */
static inline FILE *fuzz_devnull(void)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    return devnull;
}

/* The input as a string of its own (free it), or NULL when it is over MAX bytes. */
static inline char *fuzz_string(const uint8_t *data, size_t size, size_t max)
{
    char *text = size > max ? NULL : malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
