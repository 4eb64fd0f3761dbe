/* Unit tests of the restart back-off: 100 ms, doubled up to 30 s, afresh after a run of 10 s. */
#include "check.h"
#include "monitor.h"

static void test_backoff(void)
{
    CHECK_EQ_INT(monitor_pause_ms(0, 50), 100);
    int p = 0, seen[16];
    for (int i = 0; i < 16; i++)
        seen[i] = p = monitor_pause_ms(p, 200);
    CHECK_EQ_INT(seen[0], 100);
    CHECK_EQ_INT(seen[1], 200);
    CHECK_EQ_INT(seen[7], 12800);
    CHECK_EQ_INT(seen[8], 25600);
    CHECK_EQ_INT(seen[9], 30000); /* the cap */
    CHECK_EQ_INT(seen[15], 30000);
    /* a run of 10 s or more starts it afresh; 9.999 s does not */
    CHECK_EQ_INT(monitor_pause_ms(30000, 10000), 100);
    CHECK_EQ_INT(monitor_pause_ms(1600, 9999), 3200);
    CHECK_EQ_INT(monitor_pause_ms(20000, 1), 30000);
}

int main(void)
{
    test_backoff();
    return check_summary("test_monitor");
}
