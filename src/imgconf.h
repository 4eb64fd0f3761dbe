/* imgconf: an application image's own config (/.hutch/image.conf, written by hutch-image from
 * the OCI image config), and what a container runs once the command line is laid over it
 * (Docker's rules). Pure: the text in, plain data out; the file is the image's, the attacker's,
 * so only the keys below exist and nothing in it can set an option of hutch run's. */
#ifndef HUTCH_IMGCONF_H
#define HUTCH_IMGCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

#define IMGCONF_PATH "/.hutch/image.conf"
#define IMGCONF_MAX (64 * 1024) /* bytes; a bigger file is refused */

struct image_conf {
    const char *arch;          /* "amd64", "arm64", "arm/v7"...; NULL: not given */
    char **entrypoint;         /* NULL-terminated words; NULL: not given ("entrypoint =": {NULL}) */
    char **cmd;                /* likewise */
    const char **env;          /* K=V, in the image's order */
    size_t n_env;
    const char *workdir, *user;
    int stop_signal;           /* 0: not given */
    const char *stop_name;     /* as written ("SIGQUIT") */
    const char **labels, **expose, **volumes;
    size_t n_labels, n_expose, n_volumes;
    char *text;                /* the file's text, which the strings point into */
    char **owned;              /* the word arrays, freed with the config */
    size_t n_owned;
};

/* Pure: parse the config file's LEN bytes. 0, or -EINVAL with a message naming the line (an
 * unknown key, a bad value, a NUL, a file over IMGCONF_MAX). Free with imgconf_free either way. */
int imgconf_parse(const char *text, size_t len, struct image_conf *ic);
void imgconf_free(struct image_conf *ic);

/* The OCI name of the architecture hutch is built for ("amd64", "arm64", "arm"). */
const char *imgconf_this_arch(void);

/* Where a setting of the container came from. */
enum origin { FROM_DEFAULT, FROM_IMAGE, FROM_COMMAND_LINE, FROM_BOTH };
const char *imgconf_origin_name(enum origin o);

/* What the container runs: the image's config (IC, NULL when the image has none) with run's
 * options O laid over it. The strings are O's and IC's; free with effective_free. */
struct effective {
    char **argv;               /* entrypoint + (the command line's args, else cmd) */
    const char **env;          /* the image's, then --env (a later K= replaces an earlier one) */
    size_t n_env;
    const char *workdir, *user; /* NULL: / and root */
    int stop_signal;           /* what a stop sends instead of SIGTERM; 0: SIGTERM */
    enum origin entrypoint_from, cmd_from, env_from, workdir_from, user_from, stop_from;
};

/* 0, or -EINVAL with a message when there is nothing to run or the image is for another
 * architecture. */
int imgconf_apply(const struct image_conf *ic, const struct run_opts *o, struct effective *e);
void effective_free(struct effective *e);

/* The sources as one line for the state and `hutch inspect`:
 * "entrypoint=image cmd=command-line env=image+command-line workdir=default user=image
 * stop-signal=default". */
void imgconf_origins(const struct effective *e, char *buf, size_t len);

#endif
