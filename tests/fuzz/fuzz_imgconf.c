/* Fuzz the image config that hutch-image writes into an image (/.hutch/image.conf), the image's
 * and so the attacker's: imgconf_parse, then what it gives laid over a command line
 * (imgconf_apply, with and without command-line arguments) and the origins line. Pure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "imgconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > IMGCONF_MAX + 16)
        return 0;
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct image_conf ic;
    err_clear();
    if (imgconf_parse(text, size, &ic) == 0) {
        static char a0[] = "echo", a1[] = "hi";
        char *args[] = {a0, a1, NULL};
        const char *env[] = {"PATH=/bin", "HOME=/root"};
        for (int pass = 0; pass < 2; pass++) {
            struct run_opts o;
            memset(&o, 0, sizeof o);
            if (pass) {
                o.argv = args;
                o.env = env;
                o.n_env = 2;
                o.entrypoint = "";
            }
            struct effective e;
            memset(&e, 0, sizeof e);
            err_clear();
            if (imgconf_apply(&ic, &o, &e) == 0) {
                char buf[256];
                imgconf_origins(&e, buf, sizeof buf);
                for (char **a = e.argv; a && *a; a++)
                    (void)strlen(*a);
                for (size_t i = 0; i < e.n_env; i++)
                    (void)strlen(e.env[i]);
            }
            effective_free(&e);
        }
    }
    imgconf_free(&ic);
    free(text);
    return 0;
}
