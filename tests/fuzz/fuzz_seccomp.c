/* Fuzz the OCI seccomp profile (linux.seccomp of config.json) and its compiler: the input is the
 * profile object, put into a fixed config.json; what parses is compiled to BPF (scmp_compile).
 * The input as a word also goes to the name tables (scmp_syscall_nr, scmp_action, scmp_op).
 * Pure: the filter is never installed. */
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "oci_config.h"
#include "scmp.h"

static const char head[] =
    "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
    " \"root\": {\"path\": \"rootfs\"},"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}], \"seccomp\": ";
static const char tail[] = "}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    size_t len = sizeof head - 1 + size + sizeof tail - 1;
    char *text = malloc(len);
    if (!text)
        return 0;
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, data, size);
    memcpy(text + sizeof head - 1 + size, tail, sizeof tail - 1);
    const struct oci_host host = {"/bundle", ~(uint64_t)0 >> 23, false};
    struct run_opts o;
    struct oci_extra x;
    err_clear();
    if (oci_config_parse(text, len, &host, &o, &x) == 0 && o.more.seccomp) {
        struct sock_filter *f = NULL;
        size_t n = 0;
        if (scmp_compile(o.more.seccomp, &f, &n) == 0) {
            if (n == 0 || n > 4096)
                abort(); /* scmp_compile's own contract */
            /* Every jump stays inside the program. */
            for (size_t i = 0; i < n; i++) {
                if (BPF_CLASS(f[i].code) == BPF_JMP && BPF_OP(f[i].code) != BPF_JA &&
                    (i + 1 + f[i].jt >= n || i + 1 + f[i].jf >= n))
                    abort();
                if (BPF_CLASS(f[i].code) == BPF_JMP && BPF_OP(f[i].code) == BPF_JA &&
                    i + 1 + f[i].k >= n)
                    abort();
            }
            if (BPF_CLASS(f[n - 1].code) != BPF_RET)
                abort();
            free(f);
        }
    }
    oci_config_free(&o, &x);

    if (size < 64) {
        char word[64];
        memcpy(word, data, size);
        word[size] = '\0';
        uint32_t action;
        enum scmp_op op;
        scmp_syscall_nr(word);
        scmp_action(word, (uint32_t)size * 1000, size & 1, &action);
        scmp_op(word, &op);
    }
    free(text);
    return 0;
}
