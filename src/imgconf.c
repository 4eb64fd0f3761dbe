#include "imgconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"

#define LIST_MAX 4096 /* entries of one repeated key */

static int add(const char ***list, size_t *n, const char *v, const char *key)
{
    if (*n >= LIST_MAX)
        return err_setx(EINVAL, "more than %d %s lines", LIST_MAX, key);
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return err_set(ENOMEM, "image config");
    grown[(*n)++] = v;
    *list = grown;
    return 0;
}

static int words(struct image_conf *ic, const char *v, char ***out, const char *key)
{
    if (*out)
        return err_setx(EINVAL, "%s given twice", key);
    char **w;
    int r = cli_split_words(v, &w);
    if (r < 0)
        return err_context("%s", key), r;
    char **grown = realloc(ic->owned, (ic->n_owned + 1) * sizeof *grown);
    if (!grown) {
        free(w);
        return err_set(ENOMEM, "image config");
    }
    ic->owned = grown;
    ic->owned[ic->n_owned++] = (char *)w;
    *out = w;
    return 0;
}

static int once(const char **field, const char *v, const char *key)
{
    if (*field)
        return err_setx(EINVAL, "%s given twice", key);
    *field = v;
    return 0;
}

static int line(struct image_conf *ic, char *l)
{
    char *eq = strchr(l, '=');
    if (!eq)
        return err_setx(EINVAL, "expected KEY = VALUE");
    *eq = '\0';
    char *key = cli_trim(l), *raw = cli_trim(eq + 1);
    if (strcmp(key, "entrypoint") == 0)
        return words(ic, raw, &ic->entrypoint, key);
    if (strcmp(key, "cmd") == 0)
        return words(ic, raw, &ic->cmd, key);
    char *v = cli_unquote(raw);
    if (strcmp(key, "env") == 0) {
        if (v[0] == '=' || !strchr(v, '='))
            return err_setx(EINVAL, "env '%s': expected NAME=VALUE", v);
        return add(&ic->env, &ic->n_env, v, key);
    }
    if (strcmp(key, "label") == 0)
        return add(&ic->labels, &ic->n_labels, v, key);
    if (strcmp(key, "expose") == 0)
        return add(&ic->expose, &ic->n_expose, v, key);
    if (strcmp(key, "volume") == 0)
        return add(&ic->volumes, &ic->n_volumes, v, key);
    if (strcmp(key, "workdir") == 0) {
        if (v[0] != '/' || strlen(v) > 4096)
            return err_setx(EINVAL, "workdir '%s': expected an absolute path", v);
        return once(&ic->workdir, v, key);
    }
    if (strcmp(key, "user") == 0) {
        int r = cli_check_user("user", v);
        return r < 0 ? r : once(&ic->user, v, key);
    }
    if (strcmp(key, "stop-signal") == 0) {
        int sig = cli_parse_signal(v);
        if (sig < 0)
            return sig;
        ic->stop_signal = sig;
        return once(&ic->stop_name, v, key);
    }
    if (strcmp(key, "arch") == 0) {
        size_t n = strlen(v);
        if (n == 0 || n > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789/") != n)
            return err_setx(EINVAL, "arch '%s': expected an OCI architecture such as arm64", v);
        return once(&ic->arch, v, key);
    }
    return err_setx(EINVAL, "unknown key '%s' (an image may set only entrypoint, cmd, env, "
                            "workdir, user, stop-signal, label, expose, volume, arch)", key);
}

int imgconf_parse(const char *text, size_t len, struct image_conf *ic)
{
    memset(ic, 0, sizeof *ic);
    if (len > IMGCONF_MAX)
        return err_setx(EFBIG, "%s: over %d KiB", IMGCONF_PATH, IMGCONF_MAX / 1024);
    if (memchr(text, '\0', len))
        return err_setx(EINVAL, "%s: a NUL byte in it (not a text file)", IMGCONF_PATH);
    if (!(ic->text = malloc(len + 1)))
        return err_set(ENOMEM, "image config");
    memcpy(ic->text, text, len);
    ic->text[len] = '\0';
    int lineno = 0;
    for (char *p = ic->text, *next; p; p = next) {
        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *l = cli_trim(p);
        if (*l == '\0' || *l == '#')
            continue;
        int r = line(ic, l);
        if (r < 0)
            return err_context("%s:%d", IMGCONF_PATH, lineno), r;
    }
    return 0;
}

void imgconf_free(struct image_conf *ic)
{
    for (size_t i = 0; i < ic->n_owned; i++)
        free(ic->owned[i]);
    free(ic->owned);
    free(ic->env);
    free(ic->labels);
    free(ic->expose);
    free(ic->volumes);
    free(ic->text);
    memset(ic, 0, sizeof *ic);
}

const char *imgconf_this_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "arm";
#elif defined(__i386__)
    return "386";
#else
    return "unknown";
#endif
}

const char *imgconf_origin_name(enum origin o)
{
    static const char *const names[] = {"default", "image", "command-line", "image+command-line"};
    return names[o];
}

static size_t count(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

int imgconf_apply(const struct image_conf *ic, const struct run_opts *o, struct effective *e)
{
    static char *none[] = {NULL};
    memset(e, 0, sizeof *e);
    if (ic && ic->arch) {
        size_t n = strcspn(ic->arch, "/");
        const char *mine = imgconf_this_arch();
        if (strlen(mine) != n || strncmp(ic->arch, mine, n) != 0)
            return err_setx(EINVAL, "image %s is for %s; this hutch runs %s images (convert one "
                                    "made for %s: hutch-image --arch %s)", o->image, ic->arch,
                            mine, mine, mine);
    }
    char *ep_one[2] = {(char *)o->entrypoint, NULL};
    char **ep = none, **cmd = none;
    if (o->entrypoint) {
        ep = o->entrypoint[0] ? ep_one : none;
        e->entrypoint_from = FROM_COMMAND_LINE;
    } else if (ic && ic->entrypoint) {
        ep = ic->entrypoint;
        e->entrypoint_from = FROM_IMAGE;
    }
    if (o->argv) {
        cmd = o->argv;
        e->cmd_from = FROM_COMMAND_LINE;
    } else if (!o->entrypoint && ic && ic->cmd) {
        /* Docker's rule: a new entrypoint drops the image's cmd. */
        cmd = ic->cmd;
        e->cmd_from = FROM_IMAGE;
    }
    size_t n_ep = count(ep), n_cmd = count(cmd);
    if (n_ep + n_cmd == 0) {
        if (!ic)
            return err_setx(EINVAL, "no COMMAND given, and image %s has no config with an "
                                    "entrypoint (%s, made by hutch-image): usage: hutch run "
                                    "[OPTIONS] IMAGE COMMAND...", o->image, IMGCONF_PATH);
        return err_setx(EINVAL, "no COMMAND given, and the config of image %s has no entrypoint "
                                "or cmd: name one (hutch run [OPTIONS] IMAGE COMMAND...)",
                        o->image);
    }
    if (!(e->argv = malloc((n_ep + n_cmd + 1) * sizeof *e->argv)))
        return err_set(ENOMEM, "command");
    memcpy(e->argv, ep, n_ep * sizeof *ep);
    memcpy(e->argv + n_ep, cmd, (n_cmd + 1) * sizeof *cmd);
    size_t n_img = ic ? ic->n_env : 0;
    e->n_env = n_img + o->n_env;
    if (e->n_env && !(e->env = malloc(e->n_env * sizeof *e->env))) {
        effective_free(e);
        return err_set(ENOMEM, "environment");
    }
    if (n_img)
        memcpy(e->env, ic->env, n_img * sizeof *e->env);
    if (o->n_env)
        memcpy(e->env + n_img, o->env, o->n_env * sizeof *e->env);
    e->env_from = n_img && o->n_env ? FROM_BOTH : n_img ? FROM_IMAGE
                  : o->n_env        ? FROM_COMMAND_LINE : FROM_DEFAULT;
    e->workdir = o->workdir ? o->workdir : ic ? ic->workdir : NULL;
    e->workdir_from = o->workdir ? FROM_COMMAND_LINE : e->workdir ? FROM_IMAGE : FROM_DEFAULT;
    e->user = o->user ? o->user : ic ? ic->user : NULL;
    e->user_from = o->user ? FROM_COMMAND_LINE : e->user ? FROM_IMAGE : FROM_DEFAULT;
    e->stop_signal = ic ? ic->stop_signal : 0;
    e->stop_from = e->stop_signal ? FROM_IMAGE : FROM_DEFAULT;
    return 0;
}

void effective_free(struct effective *e)
{
    free(e->argv);
    free(e->env);
    memset(e, 0, sizeof *e);
}

void imgconf_origins(const struct effective *e, char *buf, size_t len)
{
    snprintf(buf, len, "entrypoint=%s cmd=%s env=%s workdir=%s user=%s stop-signal=%s",
             imgconf_origin_name(e->entrypoint_from), imgconf_origin_name(e->cmd_from),
             imgconf_origin_name(e->env_from), imgconf_origin_name(e->workdir_from),
             imgconf_origin_name(e->user_from), imgconf_origin_name(e->stop_from));
}
