/* Fuzz hutch-oci's readers of outside JSON: the input goes through oci_config_parse (a bundle's
 * config.json; when it has a seccomp profile, that is compiled too), oci_process_parse (a
 * process.json for `exec --process`, laid over a fixed config as hutch-oci does) and
 * oci_resources_parse (`update --resources`). All pure: text in, data out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "oci_config.h"
#include "scmp.h"

static const char base[] =
    "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
    " \"user\": {\"uid\": 0, \"gid\": 0}}, \"root\": {\"path\": \"rootfs\"},"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    /* A block of exactly SIZE bytes, no NUL after it: the parsers take a length. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    const struct oci_host host = {"/bundle", ~(uint64_t)0 >> 23, false};

    struct run_opts o;
    struct oci_extra x;
    err_clear();
    if (oci_config_parse(text, size, &host, &o, &x) == 0 && o.more.seccomp) {
        struct sock_filter *f = NULL;
        size_t n = 0;
        if (scmp_compile(o.more.seccomp, &f, &n) == 0)
            free(f);
    }
    oci_config_free(&o, &x);

    err_clear();
    if (oci_config_parse(base, sizeof base - 1, &host, &o, &x) != 0)
        abort(); /* the fixed config must parse */
    err_clear();
    oci_process_parse(text, size, &host, &o);
    oci_config_free(&o, &x);

    memset(&o, 0, sizeof o);
    memset(&x, 0, sizeof x);
    err_clear();
    oci_resources_parse(text, size, &o);
    oci_config_free(&o, &x);

    free(text);
    return 0;
}
