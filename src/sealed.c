#include "sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"
#include "trace.h"

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
/* Set across the exec, so that a copy that came out unsealed fails instead of looping. */
#define MARK "HUTCH_SEALED_COPY"

extern char **environ;

int sealed_reexec(char **argv)
{
    int self SYS_AUTO_CLOSE = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return err_set(errno, "open /proc/self/exe (is /proc mounted?)");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & SEALS) == SEALS) {
        unsetenv(MARK);
        /* Run from an fd, the kernel names the process after its number: give it its name. */
        prctl(PR_SET_NAME, "hutch", 0, 0, 0);
        return 0;
    }
    if (getenv(MARK))
        return err_setx(EPERM, "could not run from a sealed copy of hutch (memfd seals)");
    trace("sealed-copy");
    int copy SYS_AUTO_CLOSE = (int)syscall(SYS_memfd_create, "hutch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (copy < 0)
        return err_set(errno, "memfd_create (the kernel needs CONFIG_MEMFD_CREATE)");
    for (;;) {
        ssize_t n = sendfile(copy, self, NULL, 1 << 20);
        if (n == 0)
            break;
        if (n < 0)
            return err_set(errno, "copy hutch into memory");
    }
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
        return err_set(errno, "seal the copy of hutch");
    setenv(MARK, "1", 1);
    syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
    int e = errno;
    unsetenv(MARK);
    return err_set(e, "execute the sealed copy of hutch");
}
