package dev.relocator.docker.node;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountOptionsTest {

    @Test
    void appendsToTheLocalDriversMountOptions() {
        Map<String, String> nfs = Map.of("type", "nfs", "o", "addr=nas,rw", "device", ":/pg");
        assertEquals("addr=nas,rw,nosuid,nodev", MountOptions.apply("local", nfs, true, true).get("o"));
        assertEquals("bind,nodev", MountOptions.apply("local", Map.of("type", "none", "o", "bind", "device", "/x"), false, true).get("o"));
        assertEquals("nosuid", MountOptions.apply("local", Map.of("type", "tmpfs", "device", "tmpfs"), true, false).get("o"));
    }

    @Test
    void replacesTheOppositeFlagAndDoesNotDuplicate() {
        Map<String, String> opts = Map.of("type", "nfs", "o", "addr=nas,suid,dev,nosuid", "device", ":/pg");
        assertEquals("addr=nas,nosuid,nodev", MountOptions.apply("local", opts, true, true).get("o"));
    }

    @Test
    void leavesOtherDriversAndPlainLocalVolumesUnchanged() {
        Map<String, String> plugin = Map.of("sshcmd", "u@h:/p");
        assertEquals(plugin, MountOptions.apply("vieux/sshfs", plugin, true, true));
        assertFalse(MountOptions.supported("vieux/sshfs"));
        assertEquals(Map.of(), MountOptions.apply("local", Map.of(), true, true));
        assertEquals(Map.of("type", "nfs", "o", "addr=x", "device", ":/p"),
                MountOptions.apply("local", Map.of("type", "nfs", "o", "addr=x", "device", ":/p"), false, false));
    }

    @Test
    void volumeRequestsAndOwnershipValidateTheirInput() {
        assertThrows(IllegalArgumentException.class, () -> new VolumeRequest("x", "local", Map.of(), Map.of(), false, false));
        assertThrows(IllegalArgumentException.class, () -> new VolumeRequest("ok-name", " ", Map.of(), Map.of(), false, false));
        assertThrows(IllegalArgumentException.class, () -> new Ownership(-1, 0, "0700"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Ownership(1, 1, "0700; rm -rf /"));
        assertTrue(e.getMessage().contains("octal"));
        assertThrows(IllegalArgumentException.class, () -> new Ownership(1, 1, "999"));
        new Ownership(999, 999, "750");
    }

    @Test
    void onlyVolumesWithADeviceKeepTheirDataOffTheLocalDriversNode() {
        assertFalse(new VolumeInfo("v1", "local", Map.of(), Map.of(), "").dataLivesOffNode());
        assertTrue(new VolumeInfo("v1", "local", Map.of("device", "/srv/x", "o", "bind", "type", "none"), Map.of(), "").dataLivesOffNode());
        assertTrue(new VolumeInfo("v1", "vieux/sshfs", Map.of(), Map.of(), "").dataLivesOffNode());
    }

    @Test
    void theEngineAppliesTheFlagsToFileSystemMountsButNotToBinds() {
        assertTrue(MountOptions.appliedByEngine("local", Map.of("type", "nfs", "o", "addr=nas", "device", ":/pg")));
        assertTrue(MountOptions.appliedByEngine("local", Map.of("type", "tmpfs", "device", "tmpfs")));
        assertFalse(MountOptions.appliedByEngine("local", Map.of("type", "none", "o", "bind", "device", "/srv/x")));
        assertFalse(MountOptions.appliedByEngine("local", Map.of("type", "ext4", "o", "rbind", "device", "/srv/x")));
        assertFalse(MountOptions.appliedByEngine("local", Map.of()), "a plain local volume is never mounted");
        assertFalse(MountOptions.appliedByEngine("lab-nas", Map.of("device", "/x")), "other drivers have their own option names");
    }

    @Test
    void missingFlagsAreThoseRequestedAndNotInEffect() {
        assertEquals(java.util.List.of(), MountOptions.missing(java.util.Set.of("rw", "nosuid", "nodev"), true, true));
        assertEquals(java.util.List.of("nosuid", "nodev"), MountOptions.missing(java.util.Set.of("rw", "relatime"), true, true));
        assertEquals(java.util.List.of("nodev"), MountOptions.missing(java.util.Set.of("rw", "nosuid"), true, true));
        assertEquals(java.util.List.of(), MountOptions.missing(java.util.Set.of("rw"), false, false));
    }

    @Test
    void theHelpersOutputGivesOwnerModeAndTheMountFlags() {
        LocalNodeOperations.RootStat s = LocalNodeOperations.RootStat.parse("4242 4343 750\nmount rw,nosuid,nodev,relatime\n");
        assertEquals(new LocalNodeOperations.RootStat(4242, 4343, 0750, java.util.Set.of("rw", "nosuid", "nodev", "relatime")), s);
        assertEquals(java.util.Set.of(), LocalNodeOperations.RootStat.parse("0 0 1777\n").mountFlags(), "no mountinfo: no flags");
        assertThrows(NumberFormatException.class, () -> LocalNodeOperations.RootStat.parse("chown: permission denied"));
    }
}
