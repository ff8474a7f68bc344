package dev.relocator.chaos.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabCleanupTest {

    @Test
    void thisJvmOwnsItsRunsAndARecycledPidDoesNot() {
        String me = LabCleanup.owner();
        assertFalse(LabCleanup.orphan(me), me);
        String pid = me.substring(0, me.indexOf('@'));
        assertTrue(LabCleanup.orphan(pid + "@1"), "same pid, other start time: a recycled pid");
        assertFalse(LabCleanup.orphan(pid), "an old label without a start time: trust the pid");
        assertTrue(LabCleanup.orphan(null));
        assertTrue(LabCleanup.orphan("garbage"));
    }
}
